"""Video help, when a call ended before its time: say what happened and offer to call again."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from device.ui.text import Texts
from kiosk.ui.widgets import as_screen, label

REASON_TEXTS = {"agent_lost": "call.ended_agent_lost", "unsupported": "call.ended_unsupported"}


class CallEndedScreen(QWidget):
    call_again = Signal()
    home_requested = Signal()

    def __init__(self, texts: Texts, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        as_screen(self)
        self._texts = texts
        self._reason = ""
        self._requeue = False
        centre = Qt.AlignmentFlag.AlignCenter
        self.message = label("Greeting", wrap=True, alignment=centre)
        self.again = QPushButton()
        self.again.setObjectName("NavButton")
        self.home = QPushButton()
        self.home.setObjectName("NavButton")
        self.again.clicked.connect(self.call_again)
        self.home.clicked.connect(self.home_requested)
        buttons = QHBoxLayout()
        buttons.setSpacing(32)
        buttons.addStretch(1)
        buttons.addWidget(self.again)
        buttons.addWidget(self.home)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(64, 48, 64, 48)
        layout.setSpacing(64)
        layout.addStretch(1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        layout.addStretch(2)
        self.retranslate()

    def show_reason(self, reason: str, requeue_offered: bool) -> None:
        self._reason = reason
        self._requeue = requeue_offered
        self.retranslate()

    def retranslate(self) -> None:
        t = self._texts
        self.message.setText(t(REASON_TEXTS.get(self._reason, "call.ended_failed")))
        self.again.setText(t("call.call_again"))
        self.again.setVisible(self._requeue or self._reason not in REASON_TEXTS)
        self.home.setText(t("nav.home"))
