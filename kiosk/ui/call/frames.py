"""Pictures from a call into QImages: decoded frames of the agent, camera frames for the self-view."""

from __future__ import annotations

import cv2
import numpy as np
from av import VideoFrame
from PySide6.QtCore import QSize
from PySide6.QtGui import QImage


def fit(width: int, height: int, box: QSize) -> tuple[int, int]:
    """The largest even size of ``width``×``height``'s aspect ratio that fits in ``box``."""
    scale = min(box.width() / width, box.height() / height)
    return max(2, int(width * scale) // 2 * 2), max(2, int(height * scale) // 2 * 2)


def agent_picture(frame: VideoFrame, box: QSize) -> QImage:
    """The agent's frame converted and scaled in one libswscale pass, to exactly the size it is shown at."""
    width, height = fit(frame.width, frame.height, box)
    rgb = frame.reformat(width=width, height=height, format="rgb24").to_ndarray()
    return _rgb_image(rgb)


def camera_picture(bgr: np.ndarray, box: QSize) -> QImage:
    """A camera frame (BGR, as OpenCV gives it) for the small self-view, mirrored as people expect."""
    height, width = bgr.shape[:2]
    target = fit(width, height, box)
    small = cv2.resize(bgr, target, interpolation=cv2.INTER_AREA)
    rgb = cv2.cvtColor(cv2.flip(small, 1), cv2.COLOR_BGR2RGB)
    return _rgb_image(rgb)


def _rgb_image(rgb: np.ndarray) -> QImage:
    rgb = np.ascontiguousarray(rgb)
    height, width = rgb.shape[:2]
    # copy(): the QImage must own its pixels, the array is freed when this function returns
    return QImage(rgb.data, width, height, rgb.strides[0], QImage.Format.Format_RGB888).copy()
