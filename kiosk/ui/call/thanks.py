"""Video help, last: thank the passenger for their rating, then go home by itself."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from device.ui.text import Texts
from kiosk.ui.widgets import as_screen, label, nav_button

THANKS_SHOWN_MS = 4000  # long enough to read two short lines, short enough that nobody waits for it


class ThanksScreen(QWidget):
    """Says thank you; emits ``home_requested`` after ``shown_ms`` or when the passenger taps Home."""

    home_requested = Signal()

    def __init__(self, texts: Texts, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        as_screen(self)
        self._texts = texts
        centre = Qt.AlignmentFlag.AlignCenter
        self.message = label("Greeting", wrap=True, alignment=centre)
        self.detail = label("Hint", wrap=True, alignment=centre)
        self.home = nav_button(self.home_requested)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(THANKS_SHOWN_MS)
        self._timer.timeout.connect(self.home_requested)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(64, 48, 64, 48)
        layout.setSpacing(40)
        layout.addStretch(1)
        layout.addWidget(self.message)
        layout.addWidget(self.detail)
        layout.addWidget(self.home, 0, centre)
        layout.addStretch(2)
        self.retranslate()

    @property
    def shown_ms(self) -> int:
        return self._timer.interval()

    @shown_ms.setter
    def shown_ms(self, value: int) -> None:
        self._timer.setInterval(value)

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def retranslate(self) -> None:
        t = self._texts
        self.message.setText(t("call.thanks"))
        self.detail.setText(t("call.thanks_detail"))
        self.home.setText(t("nav.home"))
