"""Video help, waiting: the place in the queue and the expected wait, with a way out."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QPushButton, QVBoxLayout, QWidget

from device.ui.text import Texts
from kiosk.ui.call.expected_wait import expected_wait_text
from kiosk.ui.widgets import label


class WaitingScreen(QWidget):
    cancel_requested = Signal()

    def __init__(self, texts: Texts, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Screen")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._texts = texts
        self._position: int | None = None
        self._eta_s: float | None = None
        centre = Qt.AlignmentFlag.AlignCenter
        self.title = label("Greeting", wrap=True, alignment=centre)
        self.position = label("ScreenTitle", wrap=True, alignment=centre)
        self.eta = label("InfoBody", wrap=True, alignment=centre)
        self.cancel_button = QPushButton()
        self.cancel_button.setObjectName("NavButton")
        self.cancel_button.clicked.connect(self.cancel_requested)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(64, 48, 64, 48)
        layout.setSpacing(40)
        layout.addStretch(1)
        layout.addWidget(self.title)
        layout.addWidget(self.position)
        layout.addWidget(self.eta)
        layout.addStretch(2)
        layout.addWidget(self.cancel_button, 0, centre)
        self.retranslate()

    def set_queue(self, position: int | None, eta_s: float | None) -> None:
        self._position = position
        self._eta_s = eta_s
        self.retranslate()

    def retranslate(self) -> None:
        t = self._texts
        self.title.setText(t("call.waiting_title"))
        if self._position is None:
            self.position.setText("")
        elif self._position == 1:
            self.position.setText(t("call.next"))
        else:
            self.position.setText(t("call.position", position=self._position))
        self.eta.setText(expected_wait_text(t, self._eta_s))
        self.cancel_button.setText(t("call.cancel"))
