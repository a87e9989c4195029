"""Every kiosk screen fits the kiosk's screen: in each screen size, language and text size, with anything
the agent pushes, the window keeps its size and every button and text is whole, inside it and uncovered.

The screens are the ones the screenshot command saves (kiosk.ui.tour.SCENES), so the pictures in the docs
are of states this test checks.
"""

from __future__ import annotations

import itertools

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QAbstractScrollArea, QLabel, QPushButton, QWidget

from device.ui.widgets import ElidedLabel
from kiosk.ui.tour import FLIGHT, LONG_URL, MAP, NOTE, QR, SCENES, UNBROKEN, Scene, in_call, settle
from kiosk.ui.window import KioskWindow

SIZES = ((1080, 1920), (1920, 1080), (800, 1280))
LANGUAGES = ("zh-CN", "en")
TEXT_SIZES = ("normal", "large")
MATRIX = list(itertools.product(SIZES, LANGUAGES, TEXT_SIZES))
# beyond the screens the docs show: several pushes of one kind stacked, and names from outside
PUSH_KINDS = {"note": NOTE, "qr": QR, "flight": FLIGHT, "long-url": LONG_URL, "unbroken-text": UNBROKEN, "map": MAP}
MORE_SCENES = (
    *(Scene(f"in-call-four-{kind}", in_call(*[push] * 4)) for kind, push in PUSH_KINDS.items()),
    Scene("in-call-long-name", in_call(QR, name="Demo Agent 演示坐席 " * 8)),
    Scene("in-call-hostile-name", in_call(NOTE, name="Alice <b>A</b> <img src=x>")),
)


def _matrix_id(case: tuple[tuple[int, int], str, str]) -> str:
    (width, height), language, text_size = case
    return f"{width}x{height}-{language}-{text_size}"


def _in_window(widget: QWidget, window: QWidget) -> QRect:
    return QRect(widget.mapTo(window, widget.rect().topLeft()), widget.size())


def _scroll_viewport(widget: QWidget) -> QWidget | None:
    """The viewport of the scroll area ``widget`` sits in, if any (its content may scroll out of view)."""
    parent = widget.parentWidget()
    while parent is not None:
        area = parent.parentWidget()
        if isinstance(area, QAbstractScrollArea) and area.viewport() is parent:
            return parent
        parent = area
    return None


def _showing(widget: QWidget, window: KioskWindow) -> bool:
    on_screen = window.current_screen.isAncestorOf(widget) or window.top_bar.isAncestorOf(widget)
    return on_screen and widget.isVisibleTo(window)


def problems_of(window: KioskWindow, size: tuple[int, int]) -> list[str]:
    """What does not fit on the screen shown now, in words; empty when everything fits."""
    found: list[str] = []
    if (window.width(), window.height()) != size:
        found.append(f"the window is {window.width()}x{window.height()}, not {size[0]}x{size[1]}")
    shown = [w for w in window.findChildren(QWidget) if isinstance(w, (QPushButton, QLabel)) and _showing(w, window)]
    for widget in shown:
        name = f"{type(widget).__name__} {widget.objectName()!r} {_text(widget)!r}"
        viewport = _scroll_viewport(widget)
        box = _in_window(widget, window)
        if viewport is None:
            if not window.rect().contains(box):
                found.append(f"{name} at {box.getRect()} reaches outside the window")
            parent = widget.parentWidget()
            if parent is not None and not parent.rect().contains(widget.geometry()):
                found.append(f"{name} at {box.getRect()} is cut off by its parent {parent.objectName()!r}")
        elif widget.width() > viewport.width():
            found.append(f"{name} is {widget.width()} px wide in a scroll area {viewport.width()} px wide")
        if isinstance(widget, QLabel):
            found.extend(_label_problems(widget, name))
        else:
            hint = widget.minimumSizeHint()
            if widget.width() < hint.width() or widget.height() < hint.height():
                found.append(f"{name} is squeezed to {widget.width()}x{widget.height()}, needs {hint.toTuple()}")
        found.extend(_covered(widget, name, shown))
    return found


def _text(widget: QWidget) -> str:
    return widget.text() if isinstance(widget, (QLabel, QPushButton)) else ""


def _label_problems(label: QLabel, name: str) -> list[str]:
    if not label.text() or isinstance(label, ElidedLabel):
        return []
    if label.wordWrap():
        needed = label.heightForWidth(label.width())
        if label.height() < needed:
            return [f"{name} shows {label.height()} px of its {needed} px of text"]
    elif label.width() < label.sizeHint().width():
        return [f"{name} shows {label.width()} px of its {label.sizeHint().width()} px of text"]
    return []


def _covered(widget: QWidget, name: str, shown: list[QWidget]) -> list[str]:
    """Buttons and texts lying over each other (a text drawn over the video, two buttons overlapping)."""
    window = widget.window()
    box = _in_window(widget, window)
    found = []
    for other in shown:
        if other is widget or other.isAncestorOf(widget) or widget.isAncestorOf(other):
            continue
        if _scroll_viewport(other) is not _scroll_viewport(widget):
            continue
        overlap = box.intersected(_in_window(other, window))
        if overlap.width() > 1 and overlap.height() > 1 and id(widget) < id(other):
            found.append(f"{name} overlaps {type(other).__name__} {other.objectName()!r} {_text(other)!r}")
    return found


@pytest.mark.parametrize("case", MATRIX, ids=[_matrix_id(case) for case in MATRIX])
def test_every_screen_fits_the_kiosk_screen(make_window, qtbot, case):
    (width, height), language, text_size = case
    window = make_window(language=language, width=width, height=height)
    if text_size == "large":
        qtbot.mouseClick(window.top_bar.large_text_button, Qt.MouseButton.LeftButton)
        assert window.top_bar.large_text_button.isChecked()
    failures = []
    for scene in (*SCENES, *MORE_SCENES):
        scene.show(window)
        settle()
        failures.extend(f"{scene.name}: {problem}" for problem in problems_of(window, (width, height)))
    assert not failures, "\n".join(failures)
