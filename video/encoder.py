"""The H.264 encoder a call sends with: the board's hardware encoder where it has one, else x264.

A Raspberry Pi 4 encodes H.264 in hardware (``h264_v4l2m2m``, V4L2 memory-to-memory, through PyAV's
FFmpeg); a Pi 5 has no encoder and x86 boards have other ones. aiortc always creates ``libx264``, so the
sender's encoder factory is wrapped once to hand out an H.264 encoder that creates the chosen codec
instead. The choice opens the hardware encoder once to see that it really works: FFmpeg builds list
``h264_v4l2m2m`` on every Linux machine, with or without the device behind it.
"""

from __future__ import annotations

import fractions
import functools
import logging
from collections.abc import Callable, Collection, Iterator
from typing import Any

import av
import av.error
from aiortc import rtcrtpsender
from aiortc.codecs import h264
from aiortc.rtcrtpparameters import RTCRtpCodecParameters

log = logging.getLogger(__name__)

HARDWARE_H264 = "h264_v4l2m2m"
SOFTWARE_H264 = "libx264"


def encoder_opens(name: str) -> bool:
    """Whether FFmpeg can open encoder ``name`` here at a call's size (a missing device fails here)."""
    try:
        context: Any = av.CodecContext.create(name, "w")
        context.width, context.height = 640, 480
        context.pix_fmt = "yuv420p"
        context.time_base = fractions.Fraction(1, 30)
        context.open()
    except (av.error.FFmpegError, ValueError, OSError) as exc:
        log.info("H.264 encoder %s is not usable here (%s)", name, exc)
        return False
    return True


def choose_h264_encoder(available: Collection[str] | None = None, opens: Callable[[str], bool] = encoder_opens) -> str:
    """``h264_v4l2m2m`` when FFmpeg has it and it opens, otherwise ``libx264`` (software)."""
    names = av.codecs_available if available is None else available
    if HARDWARE_H264 in names and opens(HARDWARE_H264):
        return HARDWARE_H264
    return SOFTWARE_H264


class ChosenH264Encoder(h264.H264Encoder):
    """aiortc's H.264 encoder (its packetising, bitrate and keyframe handling) around another codec.

    ``libx264`` keeps aiortc's own settings (x264 options that other encoders reject) unless
    ``generic_settings`` asks for the ones used for hardware encoders (tests run those on x264).
    """

    def __init__(self, codec_name: str, generic_settings: bool | None = None) -> None:
        super().__init__()
        self.codec_name = codec_name
        self._generic = codec_name != SOFTWARE_H264 if generic_settings is None else generic_settings

    def _encode_frame(self, frame: av.VideoFrame, force_keyframe: bool) -> Iterator[bytes]:
        if not self._generic:
            yield from super()._encode_frame(frame, force_keyframe)
            return
        if self.codec is not None and (frame.width != self.codec.width or frame.height != self.codec.height):
            self.codec = None
        frame.pict_type = av.video.frame.PictureType.I if force_keyframe else av.video.frame.PictureType.NONE
        if self.codec is None:
            codec: Any = av.CodecContext.create(self.codec_name, "w")
            codec.width, codec.height = frame.width, frame.height
            codec.bit_rate = self.target_bitrate
            codec.pix_fmt = "yuv420p"
            codec.framerate = fractions.Fraction(h264.MAX_FRAME_RATE, 1)
            codec.time_base = fractions.Fraction(1, h264.MAX_FRAME_RATE)
            # a keyframe every 2 s as well as on request: a browser that lost a packet gets a picture back
            # without waiting for its own keyframe request to reach a hardware encoder that may ignore it
            codec.gop_size = 2 * h264.MAX_FRAME_RATE
            codec.max_b_frames = 0  # WebRTC's constrained baseline has none, and each would add delay
            self.codec = codec
        data = b"".join(bytes(packet) for packet in self.codec.encode(frame))
        if data:
            yield from self._split_bitstream(data)


@functools.cache
def use_best_h264_encoder() -> str:
    """Make every call's H.264 sender use the encoder :func:`choose_h264_encoder` picks; once per process."""
    chosen = choose_h264_encoder()
    log.info("H.264 calls encode with %s", chosen)
    if chosen == SOFTWARE_H264:
        return chosen
    original = rtcrtpsender.get_encoder  # type: ignore[attr-defined]

    def get_encoder(codec: RTCRtpCodecParameters) -> Any:
        if codec.mimeType.lower() == "video/h264":
            return ChosenH264Encoder(chosen)
        return original(codec)

    rtcrtpsender.get_encoder = get_encoder  # type: ignore[attr-defined]
    return chosen
