"""Where camera frames come from: the ``FrameSource`` interface, its simulators (a pattern, a video file)
and the cameras (USB through OpenCV, CSI through picamera2).

Every source is read from the camera owner's worker thread only, so a source needs no locking of its own.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol

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


class _OpenCvCapture:
    """What the OpenCV sources share: one ``VideoCapture``, opened on the first read and after a close."""

    _capture: cv2.VideoCapture | None = None

    def close(self) -> None:
        if self._capture is not None:
            self._capture.release()
            self._capture = None

    def _open(self) -> cv2.VideoCapture:
        raise NotImplementedError

    @staticmethod
    def _opened(capture: cv2.VideoCapture, problem: str) -> cv2.VideoCapture:
        if not capture.isOpened():
            capture.release()
            raise SourceUnavailable(problem)
        return capture


class FileSource(_OpenCvCapture):
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

    def _open(self) -> cv2.VideoCapture:
        if self._capture is None:
            if not self.path.is_file():
                raise SourceUnavailable(f"no video file at {self.path}")
            self._capture = self._opened(cv2.VideoCapture(str(self.path)), f"cannot open video file {self.path}")
        return self._capture


def _as_bgr(frame: Frame) -> Frame:
    if frame.ndim == 2:
        return np.asarray(cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR), dtype=np.uint8)
    if frame.shape[2] == 4:
        return np.asarray(cv2.cvtColor(frame, cv2.COLOR_BGRA2BGR), dtype=np.uint8)
    return frame


class UvcCamera(_OpenCvCapture):
    """A USB (UVC) camera through OpenCV's V4L2 backend, by device path: the udev name
    ``/dev/airport-camera`` (deploy/pi/udev) or ``/dev/videoN``.

    A missing device raises :class:`SourceUnavailable` (health: ``absent``), so a kiosk whose camera is
    unplugged at boot starts anyway and picks the camera up on the next read once it is plugged in.
    """

    def __init__(self, device: Path | str, width: int, height: int, fps: float) -> None:
        self.device = Path(device)
        self._size = (width, height)
        self._fps = fps
        self._capture: cv2.VideoCapture | None = None

    def read(self) -> Frame | None:
        capture = self._open()
        ok, frame = capture.read()
        if not ok or frame is None:
            return None
        return _as_bgr(np.asarray(frame, dtype=np.uint8))

    def _open(self) -> cv2.VideoCapture:
        if self._capture is None:
            if not self.device.exists():
                raise SourceUnavailable(f"no camera at {self.device}")
            problem = f"cannot open the camera at {self.device}"
            capture = self._opened(cv2.VideoCapture(str(self.device), cv2.CAP_V4L2), problem)
            # MJPG: uncompressed 640x480 at 30 fps does not fit beside other devices on a USB 2 hub
            capture.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter.fourcc(*"MJPG"))
            capture.set(cv2.CAP_PROP_FRAME_WIDTH, self._size[0])
            capture.set(cv2.CAP_PROP_FRAME_HEIGHT, self._size[1])
            capture.set(cv2.CAP_PROP_FPS, self._fps)
            self._capture = capture
        return self._capture


class CsiCamera:
    """A camera on a Raspberry Pi's CSI (ribbon) connector, through picamera2 and libcamera: OpenCV's
    ``VideoCapture`` cannot open these under libcamera.

    picamera2 comes from Raspberry Pi OS's ``python3-picamera2`` package, not from PyPI, so it is imported
    when the camera is first opened, never at import time: without it (or without a CSI camera) the source
    raises :class:`SourceUnavailable` like an unplugged USB camera does.
    """

    MODULE = "picamera2"

    def __init__(
        self,
        width: int,
        height: int,
        fps: float,
        index: int = 0,
        import_module: Callable[[str], ModuleType] = importlib.import_module,
    ) -> None:
        self._size = (width, height)
        self._fps = fps
        self.index = index
        self._import_module = import_module
        self._camera: Any = None  # a picamera2.Picamera2; the package has no type information

    def read(self) -> Frame | None:
        camera = self._open()
        picture = camera.capture_array("main")
        if picture is None:
            return None
        # libcamera's "RGB888" is stored blue first: OpenCV's BGR order already; XBGR8888 adds a fourth byte
        return np.ascontiguousarray(np.asarray(picture, dtype=np.uint8)[:, :, :3])

    def close(self) -> None:
        camera, self._camera = self._camera, None
        if camera is not None:
            try:
                camera.stop()
            finally:
                camera.close()

    def _open(self) -> Any:
        if self._camera is None:
            try:
                module = self._import_module(self.MODULE)
            except ImportError as exc:
                raise SourceUnavailable(
                    "picamera2 is not installed (Raspberry Pi OS: apt install python3-picamera2, and a venv "
                    "with --system-site-packages)"
                ) from exc
            if len(module.Picamera2.global_camera_info()) <= self.index:
                raise SourceUnavailable(f"no CSI camera {self.index} (libcamera found none there)")
            camera = module.Picamera2(self.index)
            try:
                config = camera.create_video_configuration(
                    main={"size": self._size, "format": "RGB888"},
                    controls={"FrameRate": float(self._fps)},
                )
                camera.configure(config)
                camera.start()
            except Exception:
                camera.close()
                raise
            self._camera = camera
        return self._camera


CSI_CAMERA = "csi"


def open_source(spec: str, width: int, height: int, fps: float) -> FrameSource:
    """The source ``[video] camera`` names: ``synthetic``, ``csi`` (or ``csi:N``) for a CSI camera, a
    device under ``/dev/`` for a USB camera, or else a video file played in a loop."""
    if spec == "synthetic":
        return SyntheticSource(width, height)
    if spec == CSI_CAMERA or spec.startswith(CSI_CAMERA + ":"):
        index = spec.partition(":")[2] or "0"
        if not index.isdigit():
            raise ValueError(f"camera {spec!r}: the CSI camera's number must be a whole number, e.g. csi:1")
        return CsiCamera(width, height, fps, index=int(index))
    if spec.startswith("/dev/"):
        return UvcCamera(spec, width, height, fps)
    return FileSource(Path(spec))
