"""Video on a Pi: the hardware H.264 encoder (h264_v4l2m2m) where it works, x264 otherwise, chosen once and
used by every call's H.264 sender."""

from __future__ import annotations

import fractions
from pathlib import Path

import av
import numpy as np
import pytest
from aiortc import rtcrtpsender
from aiortc.codecs.vpx import Vp8Encoder
from aiortc.rtcrtpparameters import RTCRtpCodecParameters

from video import encoder
from video.encoder import HARDWARE_H264, SOFTWARE_H264, ChosenH264Encoder, choose_h264_encoder


def test_the_hardware_encoder_is_chosen_where_it_exists_and_opens():
    assert choose_h264_encoder({"libx264", HARDWARE_H264}, opens=lambda name: True) == HARDWARE_H264


def test_software_is_chosen_when_the_encoder_is_missing():
    opened: list[str] = []
    assert choose_h264_encoder({"libx264", "h264"}, opens=lambda name: opened.append(name) or True) == SOFTWARE_H264
    assert opened == []  # nothing to try


def test_software_is_chosen_when_the_encoder_is_listed_but_does_not_open():
    assert choose_h264_encoder({"libx264", HARDWARE_H264}, opens=lambda name: False) == SOFTWARE_H264


@pytest.mark.skipif(Path("/dev/video11").exists(), reason="a board with a V4L2 encoder device")
def test_here_ffmpeg_lists_the_pi_encoder_but_without_its_device_the_choice_is_software():
    assert HARDWARE_H264 in av.codecs_available  # PyAV's FFmpeg is built with it on every Linux
    assert not encoder.encoder_opens(HARDWARE_H264)
    assert choose_h264_encoder() == SOFTWARE_H264


def frames(count: int) -> list[av.VideoFrame]:
    made = []
    for n in range(count):
        picture = np.full((240, 320, 3), (n * 20) % 255, dtype=np.uint8)
        frame = av.VideoFrame.from_ndarray(picture, format="bgr24").reformat(format="yuv420p")
        frame.pts, frame.time_base = n * 3000, fractions.Fraction(1, 90000)
        made.append(frame)
    return made


@pytest.mark.parametrize("generic", [False, True])
def test_the_chosen_encoder_gives_rtp_payloads_starting_with_a_keyframe(generic):
    # x264 stands in for the hardware encoder with the settings the hardware path uses; without aiortc's
    # zero-latency tuning x264 holds some frames back (a hardware encoder may too), so feed a few
    chosen = ChosenH264Encoder(SOFTWARE_H264, generic_settings=generic)
    outputs = [chosen.encode(frame, force_keyframe=n == 0)[0] for n, frame in enumerate(frames(60))]
    first = next((payloads for payloads in outputs if payloads), None)
    assert first is not None, "no payload from 60 frames"
    nal_types = {p[0] & 0x1F for p in first}
    assert nal_types & {5, 7, 24, 28}  # an IDR slice or SPS, alone, aggregated (STAP-A) or fragmented (FU-A)
    assert all(isinstance(p, bytes) and len(p) <= 1300 for payloads in outputs for p in payloads)


def test_once_chosen_every_h264_sender_gets_the_chosen_encoder_and_vp8_is_untouched(monkeypatch):
    monkeypatch.setattr(rtcrtpsender, "get_encoder", rtcrtpsender.get_encoder)  # put back afterwards
    monkeypatch.setattr(encoder, "choose_h264_encoder", lambda: HARDWARE_H264)
    encoder.use_best_h264_encoder.cache_clear()
    try:
        assert encoder.use_best_h264_encoder() == HARDWARE_H264
        h264 = rtcrtpsender.get_encoder(RTCRtpCodecParameters(mimeType="video/H264", clockRate=90000, payloadType=102))
        assert isinstance(h264, ChosenH264Encoder) and h264.codec_name == HARDWARE_H264
        vp8 = rtcrtpsender.get_encoder(RTCRtpCodecParameters(mimeType="video/VP8", clockRate=90000, payloadType=96))
        assert isinstance(vp8, Vp8Encoder)
    finally:
        encoder.use_best_h264_encoder.cache_clear()
