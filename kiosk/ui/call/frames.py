"""Pictures from a call into QImages: decoded frames of the agent, camera frames for the self-view.

Both are made in Qt's native 32-bit format (``Format_RGB32``: B, G, R, 255 in memory here), which the
raster painter draws without converting; 24-bit RGB cost a conversion of every pixel at every paint.

Each picture is converted once, in one pass to the size it is shown at (or, for the agent's, at most its own
size): measured on this project's test machine, converting the agent's 640x480 straight to a 984x738 view
took 4.7 ms a picture against 0.6 ms at its own size plus 1.0 ms for the painter's unsmoothed stretch.
"""

from __future__ import annotations

import cv2
import numpy as np
from av import VideoFrame
from PySide6.QtCore import QSize
from PySide6.QtGui import QImage

SELF_VIEW_FPS = 12.0
"""The self-view's pictures a second, at most: the passenger glances at it to see they are in frame; every
picture shown costs a conversion and a paint that a small kiosk needs for the call itself."""


def self_view_interval(sending_fps: float | None) -> float:
    """Seconds between self-view pictures: at the rate the call sends (a kiosk that lowered its rate for its
    CPU saves here too), never faster than ``SELF_VIEW_FPS``."""
    fps = SELF_VIEW_FPS if sending_fps is None or sending_fps <= 0 else min(sending_fps, SELF_VIEW_FPS)
    return 1.0 / fps


def fit(width: int, height: int, box: QSize) -> tuple[int, int]:
    """The largest even size of ``width``×``height``'s aspect ratio that fits in ``box``."""
    scale = min(box.width() / width, box.height() / height)
    return max(2, int(width * scale) // 2 * 2), max(2, int(height * scale) // 2 * 2)


def agent_picture(frame: VideoFrame, box: QSize) -> QImage:
    """The agent's frame converted, and scaled down when the view is smaller, in one libswscale pass.

    A view larger than the picture gets it at its own size (the view stretches it as it paints, see
    kiosk.ui.call.in_call.VideoView): converting to the larger size costs the colour conversion of every
    added pixel, a cost a small kiosk pays 30 times a second for no more detail."""
    width, height = fit(frame.width, frame.height, box)
    if width > frame.width or height > frame.height:
        width, height = frame.width // 2 * 2, frame.height // 2 * 2
    bgra = frame.reformat(width=width, height=height, format="bgra").to_ndarray()
    return _image(bgra)


def camera_picture(bgr: np.ndarray, box: QSize) -> QImage:
    """A camera frame (BGR, as OpenCV gives it) for the small self-view, mirrored as people expect.

    Bilinear, not area averaging: at the self-view's 240x180 the difference is not seen, and area averaging
    at a ratio like 640/240 took ten times as long (5.5 ms against 0.5 ms a picture, measured)."""
    height, width = bgr.shape[:2]
    target = fit(width, height, box)
    small = cv2.resize(bgr, target, interpolation=cv2.INTER_LINEAR)
    bgra = cv2.cvtColor(cv2.flip(small, 1), cv2.COLOR_BGR2BGRA)
    return _image(bgra)


def camera_unavailable_picture(box: QSize) -> QImage:
    """The self-view while the camera gives no pictures: the card the agent sees then (video.placeholder), at
    the view's size and not mirrored (the stroke across the camera reads the same way on both screens)."""
    from video.placeholder import camera_unavailable

    card = camera_unavailable(max(2, box.width() // 2 * 2), max(2, box.height() // 2 * 2))
    return _image(cv2.cvtColor(card, cv2.COLOR_BGR2BGRA))


def _image(bgra: np.ndarray) -> QImage:
    bgra = np.ascontiguousarray(bgra)
    height, width = bgra.shape[:2]
    # copy(): the QImage must own its pixels, the array is freed when this function returns
    return QImage(bgra.data, width, height, bgra.strides[0], QImage.Format.Format_RGB32).copy()
