"""The signage board: the airport, the time and the display's location, in each language in turn.

Flight boards, notices and QR posters join it as their issues land.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from device.i18n import Catalogue
from device.ui.text import Texts
from device.ui.widgets import Clock, ConnectionLight
from signage.settings import DisplaySection

STYLE = """
#SignageBoard { background: #0d2a4f; }
QLabel { color: #ffffff; font-family: "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif; }
#Site { font-size: 120px; font-weight: 700; }
#Welcome { font-size: 64px; }
#Clock { font-size: 160px; font-weight: 600; }
#ClockDate { font-size: 48px; }
#Location { font-size: 40px; color: #c9d7ea; }
#Connection { font-size: 28px; }
#ConnectionDot { background: #c53030; border-radius: 9px; }
#ConnectionDot[state="online"] { background: #1f9d55; }
#ConnectionDot[state="connecting"] { background: #e0a800; }
"""


class LanguageRotation:
    """The language shown now; moves to the next one every period."""

    def __init__(self, languages: list[str]) -> None:
        self._languages = languages
        self._index = 0

    @property
    def language(self) -> str:
        return self._languages[self._index]

    def advance(self) -> None:
        self._index = (self._index + 1) % len(self._languages)


class SignageBoard(QWidget):
    def __init__(self, site: str, location: str, display: DisplaySection, catalogue: Catalogue) -> None:
        super().__init__(objectName="SignageBoard")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setWindowTitle("Airport signage")
        self.setStyleSheet(STYLE)
        self.rotation = LanguageRotation(display.languages)
        self.texts = Texts(catalogue, self.rotation)
        self._location = location
        centre = Qt.AlignmentFlag.AlignCenter
        self.site = QLabel(site, objectName="Site", alignment=centre)
        self.welcome = QLabel(objectName="Welcome", alignment=centre)
        self.clock = Clock(self.texts)
        for label in (self.clock.time_label, self.clock.date_label):
            label.setAlignment(centre)
        self.location = QLabel(objectName="Location", alignment=centre)
        self.connection = ConnectionLight(self.texts)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(80, 60, 80, 40)
        layout.addWidget(self.site)
        layout.addWidget(self.welcome)
        layout.addStretch(1)
        layout.addWidget(self.clock)
        layout.addStretch(1)
        layout.addWidget(self.location)
        layout.addWidget(self.connection, 0, Qt.AlignmentFlag.AlignRight)

        self._rotate = QTimer(self, interval=round(display.language_period_s * 1000))
        self._rotate.timeout.connect(self.next_language)
        self._rotate.start()
        self.retranslate()

    def next_language(self) -> None:
        self.rotation.advance()
        self.retranslate()

    def set_connection(self, state: str) -> None:
        self.connection.set_state(state)

    def retranslate(self) -> None:
        self.welcome.setText(self.texts("board.welcome"))
        self.location.setText(self.texts("board.you_are_here", location=self._location))
        self.clock.refresh()
        self.connection.retranslate()
