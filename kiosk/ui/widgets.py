"""Small pieces of kiosk screens: touch tiles, labels for text from outside, line breaks for long words."""

from __future__ import annotations

import re
from collections.abc import Callable

from PySide6.QtCore import QEvent, QSize, Qt, Signal, SignalInstance
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

ZERO_WIDTH_SPACE = "\u200b"
LONG_RUN_CHARS = 20  # a word longer than this (a URL, a booking reference) gets places where it may break
_BREAK_AFTER = "/?&=#.,;:-_"
_WORD = re.compile(r"\S+")


def label(object_name: str, *, wrap: bool = False, alignment: Qt.AlignmentFlag | None = None, text: str = "") -> QLabel:
    """A label that shows its text as typed: never as markup, because much of it comes from outside
    (agents' names and notes, places, service hours, URLs)."""
    widget = QLabel()
    widget.setObjectName(object_name)
    widget.setTextFormat(Qt.TextFormat.PlainText)
    widget.setWordWrap(wrap)
    if alignment is not None:
        widget.setAlignment(alignment)
    if text:
        widget.setText(text)
    return widget


def as_screen(widget: QWidget) -> None:
    """Makes widget a full kiosk screen: the stylesheet's "Screen" background, painted behind its children."""
    widget.setObjectName("Screen")
    widget.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)


def nav_button(on_click: Callable[[], object] | SignalInstance) -> QPushButton:
    """A button of the screens' navigation (Home, Back, Next...) that calls on_click when tapped; its text
    is set on retranslate."""
    button = QPushButton()
    button.setObjectName("NavButton")
    button.clicked.connect(on_click)
    return button


def choice_button(on_click: Callable[[], object] | SignalInstance) -> QPushButton:
    """A button of one of the screen's choices (Print, Send, Cancel...) that calls on_click when tapped."""
    button = QPushButton()
    button.setObjectName("ChoiceButton")
    button.clicked.connect(on_click)
    return button


def button_row(*buttons: QPushButton) -> QHBoxLayout:
    """Buttons side by side from the left, a finger's gap apart."""
    row = QHBoxLayout()
    row.setSpacing(16)
    for button in buttons:
        row.addWidget(button)
    row.addStretch(1)
    return row


def breakable(text: str) -> str:
    """``text`` with invisible break opportunities inside very long words, so a word-wrapped label can
    wrap a URL or an unbroken string instead of growing wider than the screen. Shown text is unchanged."""
    return _WORD.sub(lambda match: _break_word(match.group()), text)


class WrappedLabel(QLabel):
    """Plain text wrapped to the label's width, long words (URLs, references) included: they get invisible
    break opportunities when shown, and ``text()`` still gives the text as set."""

    def __init__(self, object_name: str) -> None:
        super().__init__()
        self.setObjectName(object_name)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(True)
        self._text = ""

    def setText(self, text: str) -> None:
        self._text = text
        super().setText(breakable(text))

    def text(self) -> str:
        return self._text


def _break_word(word: str) -> str:
    if len(word) <= LONG_RUN_CHARS:
        return word
    out: list[str] = []
    run = 0
    for char in word:
        out.append(char)
        run += 1
        if char in _BREAK_AFTER or run >= LONG_RUN_CHARS // 2:
            out.append(ZERO_WIDTH_SPACE)
            run = 0
    return "".join(out).rstrip(ZERO_WIDTH_SPACE)


def tiles_direction(landscape: bool) -> QBoxLayout.Direction:
    """Tiles side by side on a landscape screen, one under the other on a portrait one."""
    return QBoxLayout.Direction.LeftToRight if landscape else QBoxLayout.Direction.TopToBottom


class Tile(QPushButton):
    """A large touch target with a title and a line saying what is behind it."""

    tapped = Signal()

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Tile")
        self.setAccessibleName(name)
        self.title = label("TileTitle", wrap=True)
        self.detail = label("TileDetail", wrap=True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 28, 40, 28)
        layout.setSpacing(8)
        layout.addStretch(1)
        layout.addWidget(self.title)
        layout.addWidget(self.detail)
        layout.addStretch(1)
        self.clicked.connect(self.tapped)
        # a button does not ask its layout how tall wrapped text makes it: say so, or a narrow tile
        # (three side by side on a landscape screen) cuts off its last lines
        # (and a push button's own policy would fix its height and keep its unwrapped width)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def sizeHint(self) -> QSize:
        return self._layout().totalSizeHint().expandedTo(self.minimumSize())

    def minimumSizeHint(self) -> QSize:
        return self._layout().totalMinimumSize().expandedTo(self.minimumSize())

    def heightForWidth(self, width: int) -> int:
        return max(self._layout().totalHeightForWidth(width), self.minimumHeight())

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()  # new text or font: the screen's layout must ask the tile's size again
        return super().event(event)

    def _layout(self) -> QVBoxLayout:
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        return layout

    def set_texts(self, title: str, detail: str) -> None:
        self.title.setText(title)
        self.detail.setText(detail)
        self.detail.setVisible(bool(detail))
        self.setAccessibleDescription(detail)
