"""The signage board: the airport, the time and the display's location, in each language in turn.

Flight boards, notices and QR posters join it as their issues land.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QLayout, QVBoxLayout, QWidget

from device.i18n import Catalogue
from device.ui.text import Texts
from device.ui.widgets import Clock, ConnectionLight
from signage.settings import DisplaySection

DESIGN_SHORT_SIDE_PX = 1080  # the sizes below are for a full-HD display, either way round
FONT_PX = {"Site": 120, "Welcome": 64, "Clock": 160, "ClockDate": 48, "Location": 40, "Connection": 28}
DOT_COLOURS = {"online": "#1f9d55", "connecting": "#e0a800", "offline": "#c53030", "refused": "#c53030"}


def board_style(scale: float) -> str:
    """The board's looks with every text size scaled by ``scale`` (1.0 on a full-HD display)."""
    sizes = {name: max(12, round(px * scale)) for name, px in FONT_PX.items()}
    dots = "\n".join(
        f'#ConnectionDot[state="{state}"] {{ background: {colour}; }}' for state, colour in DOT_COLOURS.items()
    )
    return f"""
#SignageBoard {{ background: #0d2a4f; }}
QLabel {{ color: #ffffff; font-family: "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif; }}
#Site {{ font-size: {sizes["Site"]}px; font-weight: 700; }}
#Welcome {{ font-size: {sizes["Welcome"]}px; }}
#Clock {{ font-size: {sizes["Clock"]}px; font-weight: 600; }}
#ClockDate {{ font-size: {sizes["ClockDate"]}px; }}
#Location {{ font-size: {sizes["Location"]}px; color: #c9d7ea; }}
#Connection {{ font-size: {sizes["Connection"]}px; }}
#ConnectionDot {{ border-radius: 9px; }}
{dots}
"""


class LanguageRotation:
    """The language shown now; moves to the next one every period."""

    def __init__(self, languages: Sequence[str]) -> None:
        self._languages = list(languages)
        self._index = 0

    @property
    def language(self) -> str:
        return self._languages[self._index]

    def advance(self) -> None:
        self._index = (self._index + 1) % len(self._languages)


class SignageBoard(QWidget):
    """Fills whatever display it is on: text sizes follow the display's short side."""

    def __init__(self, site: str, location: str, display: DisplaySection, catalogue: Catalogue) -> None:
        super().__init__()
        self.setObjectName("SignageBoard")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setWindowTitle("Airport signage")
        self.scale = 1.0
        self.setStyleSheet(board_style(self.scale))
        self.rotation = LanguageRotation(display.languages)
        self.texts = Texts(catalogue, self.rotation)
        self._location = location
        centre = Qt.AlignmentFlag.AlignCenter
        # the site and the location come from settings: plain text, wrapped rather than widening the board
        self.site = _plain_label("Site", site)
        self.welcome = _plain_label("Welcome")
        self.clock = Clock(self.texts)
        for label in (self.clock.time_label, self.clock.date_label):
            label.setAlignment(centre)
        self.location = _plain_label("Location")
        self.connection = ConnectionLight(self.texts)

        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)  # the display's size is given
        layout.setContentsMargins(80, 60, 80, 40)
        layout.addWidget(self.site)
        layout.addWidget(self.welcome)
        layout.addStretch(1)
        layout.addWidget(self.clock)
        layout.addStretch(1)
        layout.addWidget(self.location)
        layout.addWidget(self.connection, 0, Qt.AlignmentFlag.AlignRight)

        self.rotation_timer = QTimer(self)
        self.rotation_timer.setInterval(round(display.language_period_s * 1000))
        self.rotation_timer.timeout.connect(self.next_language)
        self.rotation_timer.start()
        self.retranslate()

    def next_language(self) -> None:
        self.rotation.advance()
        self.retranslate()

    def set_connection(self, state: str) -> None:
        self.connection.set_state(state)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        scale = min(event.size().width(), event.size().height()) / DESIGN_SHORT_SIDE_PX
        if abs(scale - self.scale) > 0.01:
            self.scale = scale
            margin = round(80 * scale)
            layout = self.layout()
            if layout is not None:
                layout.setContentsMargins(margin, round(60 * scale), margin, round(40 * scale))
            self.setStyleSheet(board_style(scale))

    def retranslate(self) -> None:
        self.welcome.setText(self.texts("board.welcome"))
        self.location.setText(self.texts("board.you_are_here", location=self._location))
        self.clock.refresh()
        self.connection.retranslate()


def _plain_label(object_name: str, text: str = "") -> QLabel:
    label = QLabel(text)
    label.setObjectName(object_name)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    return label
