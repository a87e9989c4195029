"""During a call only the pictures repaint: a stream of frames into the in-call screen repaints the two
video views and nothing under or around them, and never makes the window lay itself out again."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
from PySide6.QtCore import QEvent, QObject, QRect, QSize, Qt
from PySide6.QtGui import QImage, QPaintEvent
from PySide6.QtWidgets import QApplication, QWidget

from kiosk.ui.call.in_call import VideoView

FRAMES = 12


class EventCount(QObject):
    """Paint and layout-request events, per widget, seen by the whole application."""

    def __init__(self) -> None:
        super().__init__()
        self.paints: Counter[QWidget] = Counter()
        self.layouts: Counter[QWidget] = Counter()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if isinstance(watched, QWidget):
            if event.type() == QEvent.Type.Paint:
                self.paints[watched] += 1
            elif event.type() == QEvent.Type.LayoutRequest:
                self.layouts[watched] += 1
        return False


def picture(size: QSize, shade: int) -> QImage:
    """A frame as kiosk.ui.call.frames makes them: 32-bit, owning its pixels, a different shade each time."""
    pixels = np.full((size.height(), size.width(), 4), shade, dtype=np.uint8)
    return QImage(pixels.data, size.width(), size.height(), size.width() * 4, QImage.Format.Format_RGB32).copy()


def paints_of(count: EventCount, view: VideoView) -> int:
    return count.paints[view]


def test_a_stream_of_frames_repaints_only_the_video_views(qtbot, make_window, tmp_path: Path) -> None:
    window = make_window(language="en")
    window.top_bar.clock._timer.stop()  # a minute turning during the run repaints the top bar: not a frame's doing
    window.show_screen(window.in_call)
    screen = window.in_call
    screen.set_agent("Wang Fang")
    screen.set_connected()
    agent, self_view = screen.agent_video, screen.self_view
    count = EventCount()
    app = QApplication.instance()
    assert app is not None
    app.installEventFilter(count)
    # the first frames turn the views opaque and settle what building the screen left to do: not counted
    for n in range(3):
        before = paints_of(count, agent)
        agent.show_frame(picture(QSize(640, 480), 10 + n))
        self_view.show_frame(picture(QSize(240, 180), 200))
        qtbot.waitUntil(lambda before=before: paints_of(count, agent) > before)
    count.paints.clear()
    count.layouts.clear()
    try:
        for n in range(FRAMES):
            before = paints_of(count, agent)
            agent.show_frame(picture(QSize(640, 480), 40 + 10 * n))
            if n % 2 == 0:  # the camera's picture at half the agent's rate, as a kiosk that lowered its own
                self_view.show_frame(picture(QSize(240, 180), 200 - 10 * n))
            qtbot.waitUntil(lambda before=before: paints_of(count, agent) > before)
    finally:
        app.removeEventFilter(count)
    others = {widget.objectName() or type(widget).__name__: n for widget, n in count.paints.items()}
    others.pop("AgentVideo")
    others.pop("SelfView", None)
    assert others == {}, f"widgets repainted by video frames: {others}"
    assert count.paints[agent] >= FRAMES
    assert count.layouts.total() == 0, f"frames made layouts run: {dict(count.layouts)}"
    image = window.grab()
    image.save(str(tmp_path / "in_call.png"))
    # the picture fills the view's width (letterboxed above and below), corners drawn in the screen's colour
    frame = image.toImage()
    centre = agent.mapTo(window, agent.rect().center())
    assert frame.pixelColor(centre).red() == 40 + 10 * (FRAMES - 1)
    corner = agent.mapTo(window, agent.rect().topLeft())
    assert frame.pixelColor(corner) == screen.palette().color(screen.backgroundRole())


def test_a_view_without_a_picture_is_drawn_by_its_style_again(qtbot, make_window) -> None:
    window = make_window(language="en")
    window.show_screen(window.in_call)
    agent = window.in_call.agent_video
    agent.show_frame(picture(QSize(64, 48), 90))
    assert agent.testAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
    window.in_call.reset()  # a new call: no picture until the agent's first frame
    assert agent.image is None
    assert not agent.testAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent), "nothing would paint under it"
    image = window.grab().toImage()
    centre = agent.mapTo(window, agent.rect().center())
    assert image.pixelColor(centre).name() == "#000000", "the style sheet's black box, not the last call's face"


class PaintRegions(QObject):
    """The rectangles one widget was asked to paint."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__()
        self.widget = widget
        self.rects: list[tuple[int, int, int, int]] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.widget and isinstance(event, QPaintEvent):
            self.rects.append(event.rect().getRect())
        return False


def test_a_new_picture_in_the_same_place_paints_only_the_picture(qtbot, make_window) -> None:
    window = make_window(language="en")
    window.show_screen(window.in_call)
    agent = window.in_call.agent_video
    regions = PaintRegions(agent)
    agent.installEventFilter(regions)
    try:
        agent.show_frame(picture(QSize(640, 480), 10))  # the first picture paints the whole view: not counted
        qtbot.waitUntil(lambda: len(regions.rects) > 0)
        regions.rects.clear()
        for n in range(3):
            agent.show_frame(picture(QSize(640, 480) if n % 2 else QSize(320, 240), 20 + n))  # same shape
            qtbot.waitUntil(lambda n=n: len(regions.rects) > n)
        agent.show_frame(picture(QSize(480, 480), 90))  # another shape: the bars move
        qtbot.waitUntil(lambda: len(regions.rects) > 3)
    finally:
        agent.removeEventFilter(regions)
    picture_rect = agent.picture_rect().getRect()
    assert picture_rect != agent.rect().getRect(), "the view has bars beside the picture at this size"
    before_shape_change = QRect(*regions.rects[0])
    assert regions.rects[:3] == [before_shape_change.getRect()] * 3
    assert before_shape_change.height() < agent.height(), "the bars were not painted again"
    assert regions.rects[3] == agent.rect().getRect(), "a picture of another shape repaints the whole view"
