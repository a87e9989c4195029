"""The call's pictures for display: each converted once, mirrored and sized for its view, the self-view
at a lower rate than the call."""

from __future__ import annotations

import numpy as np
import pytest
from av import VideoFrame
from PySide6.QtCore import QSize
from PySide6.QtGui import QImage

from kiosk.ui.call.frames import SELF_VIEW_FPS, agent_picture, camera_picture, self_view_interval


def halves(width: int, height: int) -> np.ndarray:
    """A BGR picture: its left half red, its right half blue."""
    bgr = np.zeros((height, width, 3), dtype=np.uint8)
    bgr[:, : width // 2] = (0, 0, 255)
    bgr[:, width // 2 :] = (255, 0, 0)
    return bgr


def test_the_self_view_is_small_and_mirrored() -> None:
    image = camera_picture(halves(640, 480), QSize(240, 180))
    assert (image.width(), image.height()) == (240, 180)
    assert image.format() == QImage.Format.Format_RGB32
    left, right = image.pixelColor(10, 90), image.pixelColor(229, 90)
    assert (left.blue(), left.red()) == (255, 0), "the camera's right half shows on the left, as in a mirror"
    assert (right.red(), right.blue()) == (255, 0)


def test_the_agent_picture_is_converted_at_most_at_its_own_size() -> None:
    frame = VideoFrame.from_ndarray(halves(640, 480), format="bgr24").reformat(format="yuv420p")
    small = agent_picture(frame, QSize(320, 400))
    assert (small.width(), small.height()) == (320, 240), "scaled down to the view in the same pass"
    large = agent_picture(frame, QSize(984, 1000))
    assert (large.width(), large.height()) == (640, 480), "a larger view stretches it as it paints"
    assert large.format() == QImage.Format.Format_RGB32
    assert large.pixelColor(10, 240).red() > 200 and large.pixelColor(630, 240).blue() > 200


@pytest.mark.parametrize(
    ("sending", "fps"), [(30.0, SELF_VIEW_FPS), (15.0, SELF_VIEW_FPS), (7.5, 7.5), (None, SELF_VIEW_FPS)]
)
def test_the_self_view_follows_the_call_never_faster_than_its_own_rate(sending: float | None, fps: float) -> None:
    assert self_view_interval(sending) == pytest.approx(1 / fps)
