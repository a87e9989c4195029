"""The call's outgoing media: the shared camera as an aiortc video track, and the microphone or silence."""

from __future__ import annotations

import asyncio
import logging

import cv2
import numpy as np
from aiortc import AudioStreamTrack, MediaStreamTrack, VideoStreamTrack
from aiortc.mediastreams import VIDEO_CLOCK_RATE, VIDEO_TIME_BASE, MediaStreamError
from av import VideoFrame

from hardware.camera import Frame, SubscriptionClosed
from video.camera_feed import FrameFeed
from video.placeholder import camera_unavailable
from video.settings import VideoSection

log = logging.getLogger(__name__)


class CameraVideoTrack(VideoStreamTrack):
    """Frames of one camera subscription, at most ``fps`` a second, resized to ``width`` x ``height``.

    Timestamps come from the loop's clock (90 kHz, as RTP video uses), so the far end plays the pictures at
    the pace they were taken. When the camera stalls, the last picture (or black, before the first one) is
    sent again every ``STALL_S`` so that the encoder and the far end's media watchdog keep seeing a stream;
    once the camera has given nothing for ``PLACEHOLDER_AFTER_S`` (it failed, was unplugged, or hangs), the
    agent sees a "camera unavailable" card instead of a frozen passenger, until frames come again.
    Resizing and the conversion to an ``av.VideoFrame`` run in the default executor, beside aiortc's encoder.
    """

    STALL_S = 0.5
    PLACEHOLDER_AFTER_S = 1.5
    """Longer than a hiccup of a working camera (those keep the last picture), short enough that the agent
    does not talk to a frozen picture thinking it is live."""

    def __init__(self, subscription: FrameFeed, width: int, height: int, fps: float) -> None:
        super().__init__()
        self._subscription = subscription
        self._size = (width, height)
        self._interval_s = 1.0 / fps
        self._started_at: float | None = None
        self._next_due = 0.0
        self._last_pts = -1
        self._last_picture: Frame | None = None
        self._camera_seen_at: float | None = None  # loop time of the camera's last picture, or of the first ask
        self._returned_at: float | None = None
        self.frames_sent = 0
        self.work_ms: float | None = None
        """How long the sender spends on a frame between taking it and asking for the next (its encoding,
        packetising and sending), smoothed: the measure of whether this kiosk keeps up with the rate."""

    @property
    def picture(self) -> tuple[int, int, float]:
        """What is sent now: width, height, frames per second."""
        return (*self._size, 1.0 / self._interval_s)

    def set_picture(self, width: int, height: int, fps: float) -> None:
        """Send ``width`` x ``height`` at ``fps`` from the next frame on (the encoder follows the size)."""
        self._size = (width, height)
        self._interval_s = 1.0 / fps
        self.work_ms = None  # measured anew at the new size

    async def recv(self) -> VideoFrame:
        if self.readyState != "live":
            raise MediaStreamError
        loop = asyncio.get_running_loop()
        if self._returned_at is not None:
            work_ms = (loop.time() - self._returned_at) * 1000
            self.work_ms = work_ms if self.work_ms is None else 0.7 * self.work_ms + 0.3 * work_ms
        if self._started_at is None:
            # the clock starts at the first picture, however long the camera took to give it
            picture = await self._next_picture()
            self._started_at = self._next_due = loop.time()
        else:
            await self._pace(loop.time())
            picture = await self._next_picture()
        # taken when the picture is, and strictly increasing even within one tick of the 90 kHz clock
        pts = max(self._last_pts + 1, int((loop.time() - self._started_at) * VIDEO_CLOCK_RATE))
        self._last_pts = pts
        frame = await loop.run_in_executor(None, to_video_frame, picture, *self._size)
        frame.pts, frame.time_base = pts, VIDEO_TIME_BASE
        self.frames_sent += 1
        self._returned_at = loop.time()
        return frame

    async def _pace(self, now: float) -> None:
        self._next_due += self._interval_s
        if self._next_due < now - self._interval_s:  # the encoder fell behind: no burst to catch up
            self._next_due = now
        if self._next_due > now:
            await asyncio.sleep(self._next_due - now)

    async def _next_picture(self) -> Frame:
        loop = asyncio.get_running_loop()
        if self._camera_seen_at is None:
            self._camera_seen_at = loop.time()
        try:
            async with asyncio.timeout(self.STALL_S):
                self._last_picture = await self._subscription.next_frame()
            self._camera_seen_at = loop.time()
        except TimeoutError:
            if loop.time() - self._camera_seen_at >= self.PLACEHOLDER_AFTER_S:
                return camera_unavailable(*self._size)
            if self._last_picture is None:
                self._last_picture = np.zeros((self._size[1], self._size[0], 3), dtype=np.uint8)
        except SubscriptionClosed:
            self.stop()
            raise MediaStreamError from None
        return self._last_picture


def to_video_frame(picture: Frame, width: int, height: int) -> VideoFrame:
    """A BGR picture as a frame of exactly ``width`` x ``height`` (cv2 releases the GIL while resizing)."""
    if picture.shape[1] != width or picture.shape[0] != height:
        picture = np.asarray(cv2.resize(picture, (width, height), interpolation=cv2.INTER_LINEAR), dtype=np.uint8)
    return VideoFrame.from_ndarray(picture, format="bgr24")


async def local_audio_track(settings: VideoSection) -> MediaStreamTrack:
    """The microphone when it is on and can be opened, otherwise silence (aiortc's ``AudioStreamTrack``)."""
    if not settings.microphone:
        return AudioStreamTrack()
    from aiortc.contrib.media import MediaPlayer  # only kiosks with a microphone need the capture machinery

    try:
        # opening a capture device can block: not on the loop
        player = await asyncio.to_thread(MediaPlayer, settings.microphone_device, format="alsa")
    except Exception as exc:  # av raises its own error types per device problem; every one means "no microphone"
        log.warning("microphone %s cannot be opened (%s); sending silence", settings.microphone_device, exc)
        return AudioStreamTrack()
    if player.audio is None:
        log.warning("microphone %s gives no sound; sending silence", settings.microphone_device)
        return AudioStreamTrack()
    return player.audio
