"""A camera that a test breaks when it chooses, and an agent that keeps the last picture it decoded.

``BreakableCamera`` is the synthetic test pattern until ``lose(how)``: then each read raises (the USB
camera unplugged: V4L2 reads fail), gives nothing (the driver returns no frame), or hangs (a wedged
camera: the read never returns), until ``restore()``.
"""

from __future__ import annotations

import contextlib
import threading
from enum import StrEnum

import numpy as np
from aiortc import MediaStreamTrack
from aiortc.mediastreams import MediaStreamError
from av import VideoFrame

from demo.agent_peer import AgentPeer
from hardware.camera import Frame, SyntheticSource


class CameraLoss(StrEnum):
    RAISES = "raises"
    NO_FRAMES = "no_frames"
    HANGS = "hangs"


class OneFrameThenNothing:
    """A camera that gave one grey picture and then nothing: it froze, or died."""

    def __init__(self) -> None:
        self.given = False

    def read(self) -> np.ndarray | None:
        if self.given:
            return None
        self.given = True
        return np.full((60, 80, 3), 200, dtype=np.uint8)

    def close(self) -> None:
        pass


class BreakableCamera:
    """A ``FrameSource``: the moving colour bars, or the fault chosen by ``lose``."""

    def __init__(self, width: int, height: int) -> None:
        self._pattern = SyntheticSource(width, height)
        self._loss: CameraLoss | None = None
        self._restored = threading.Event()
        self._restored.set()
        self.reads_after_loss = 0

    def lose(self, how: CameraLoss) -> None:
        self.reads_after_loss = 0
        self._loss = how
        self._restored.clear()

    def restore(self) -> None:
        self._loss = None
        self._restored.set()

    def read(self) -> Frame | None:
        loss = self._loss
        if loss is None:
            return self._pattern.read()
        self.reads_after_loss += 1
        if loss is CameraLoss.RAISES:
            raise OSError("VIDIOC_DQBUF: No such device")
        if loss is CameraLoss.HANGS:
            self._restored.wait()  # held in the driver until the test lets go
            return self._pattern.read()
        return None

    def close(self) -> None:
        self._pattern.close()


class PictureKeepingAgent(AgentPeer):
    """The scripted agent, which also keeps the newest picture it decoded from the kiosk."""

    last_frame: VideoFrame | None = None

    async def _count_frames(self, track: MediaStreamTrack) -> None:
        with contextlib.suppress(MediaStreamError):
            while True:
                frame = await track.recv()
                if isinstance(frame, VideoFrame):
                    self.last_frame = frame
                    self.last_frame_size = (frame.width, frame.height)
                self.frames_received += 1
                self._waiters.changed()

    def last_picture(self) -> Frame | None:
        """The newest picture as BGR pixels (None before the first)."""
        frame = self.last_frame
        return None if frame is None else np.asarray(frame.to_ndarray(format="bgr24"), dtype=np.uint8)


def share_near(picture: Frame, colour: tuple[int, int, int], tolerance: int = 24) -> float:
    """The share of ``picture``'s pixels within ``tolerance`` of ``colour`` in every channel (after VP8's losses)."""
    difference = np.abs(picture.astype(np.int16) - np.array(colour, dtype=np.int16))
    return float(np.mean(np.all(difference <= tolerance, axis=2)))
