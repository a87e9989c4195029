"""Where camera frames come from: the ``FrameSource`` interface and its simulators (a pattern, a video file).

Every source is read from the camera owner's worker thread only, so a source needs no locking of its own.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np
import numpy.typing as npt

Frame = npt.NDArray[np.uint8]
"""One picture: height x width x 3, BGR (OpenCV's order), 8 bits per channel."""


class SourceUnavailable(OSError):
    """The device or file behind a source is not there (reported as camera state ``absent``)."""


class FrameSource(Protocol):
    """A camera, or something that stands in for one.

    ``read()`` blocks until the next frame and returns it (BGR), or None when no frame could be had this
    time; it may raise :class:`SourceUnavailable` when there is no device, or any other exception when
    reading failed. ``close()`` releases the device. A closed source opens again on the next ``read()``, so
    that the owner can switch the camera off while nobody watches and on again for the next consumer.
    """

    def read(self) -> Frame | None: ...

    def close(self) -> None: ...


class SyntheticSource:
    """A moving test pattern with a frame counter and the wall-clock time, for demos and tests.

    The background is drawn once; each frame is a copy of it with a moving block and two lines of text, so a
    frame costs a fraction of a millisecond. Content changes every frame, so encoders do real work.
    """

    def __init__(self, width: int, height: int) -> None:
        if width < 16 or height < 16:
            raise ValueError("a synthetic frame needs at least 16x16 pixels")
        self.width = width
        self.height = height
        self.count = 0
        self._background = _colour_bars(width, height)

    def read(self) -> Frame:
        self.count += 1
        frame = self._background.copy()
        side = max(8, self.height // 6)
        travel = max(1, self.width - side)
        # a block that sweeps left and right, one pixel step per frame scaled to the width
        x = (self.count * max(1, self.width // 120)) % (2 * travel)
        x = x if x < travel else 2 * travel - x
        y = self.height // 2 - side // 2
        cv2.rectangle(frame, (x, y), (x + side, y + side), (255, 255, 255), thickness=-1)
        scale = self.height / 480
        stamp = datetime.now().strftime("%H:%M:%S.%f")[:-3]
        for line, text in enumerate((f"frame {self.count}", stamp)):
            origin = (int(12 * scale), int((36 + 36 * line) * scale))
            cv2.putText(frame, text, origin, cv2.FONT_HERSHEY_SIMPLEX, scale, (0, 0, 0), max(1, int(4 * scale)))
            cv2.putText(frame, text, origin, cv2.FONT_HERSHEY_SIMPLEX, scale, (255, 255, 255), max(1, int(scale)))
        return frame

    def close(self) -> None:
        """Nothing to release; the counter goes on so a restarted pattern is visibly a new frame."""


def _colour_bars(width: int, height: int) -> Frame:
    colours = [(192, 192, 192), (0, 192, 192), (192, 192, 0), (0, 192, 0), (192, 0, 192), (0, 0, 192), (192, 0, 0)]
    frame = np.zeros((height, width, 3), dtype=np.uint8)
    for index, colour in enumerate(colours):
        left = index * width // len(colours)
        right = (index + 1) * width // len(colours)
        frame[:, left:right] = colour
    return frame


class FileSource:
    """Frames of a video file through OpenCV, paced by the owner; starts over at the end when ``loop`` is set.

    A file that cannot be opened raises :class:`SourceUnavailable`; a file that has ended (``loop=False``)
    returns None from then on.
    """

    def __init__(self, path: Path | str, loop: bool = True) -> None:
        self.path = Path(path)
        self.loop = loop
        self._capture: cv2.VideoCapture | None = None

    def read(self) -> Frame | None:
        capture = self._open()
        ok, frame = capture.read()
        if not ok and self.loop:
            capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, frame = capture.read()
        if not ok or frame is None:
            return None
        return _as_bgr(np.asarray(frame, dtype=np.uint8))

    def close(self) -> None:
        if self._capture is not None:
            self._capture.release()
            self._capture = None

    def _open(self) -> cv2.VideoCapture:
        if self._capture is None:
            if not self.path.is_file():
                raise SourceUnavailable(f"no video file at {self.path}")
            capture = cv2.VideoCapture(str(self.path))
            if not capture.isOpened():
                capture.release()
                raise SourceUnavailable(f"cannot open video file {self.path}")
            self._capture = capture
        return self._capture


def _as_bgr(frame: Frame) -> Frame:
    if frame.ndim == 2:
        return np.asarray(cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR), dtype=np.uint8)
    if frame.shape[2] == 4:
        return np.asarray(cv2.cvtColor(frame, cv2.COLOR_BGRA2BGR), dtype=np.uint8)
    return frame
