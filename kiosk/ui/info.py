"""The airport information screen: Wi-Fi, service desks, lost property, emergencies."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QScrollArea, QVBoxLayout, QWidget

from device.ui.text import Texts
from kiosk.settings import InfoSection
from kiosk.ui.widgets import label

_TOPICS = ("wifi", "desk", "lost", "help")


class InfoCard(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("InfoCard")
        self.title = label("InfoTitle", wrap=True)
        self.body = label("InfoBody", wrap=True)  # carries the Wi-Fi name and phone numbers from settings
        layout = QVBoxLayout(self)
        layout.setContentsMargins(36, 28, 36, 28)
        layout.setSpacing(10)
        layout.addWidget(self.title)
        layout.addWidget(self.body)


class InfoScreen(QWidget):
    """Plain answers to the questions passengers ask most, in the language they chose."""

    home_requested = Signal()

    def __init__(self, texts: Texts, info: InfoSection, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Screen")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._texts = texts
        self._info = info
        self.title = label("ScreenTitle", wrap=True)
        self.home_button = QPushButton()
        self.home_button.setObjectName("NavButton")
        self.home_button.clicked.connect(self.home_requested)
        self.cards = {topic: InfoCard() for topic in _TOPICS}

        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(self.home_button, 0, Qt.AlignmentFlag.AlignRight)

        body = QWidget()
        body.setObjectName("Screen")
        cards = QVBoxLayout(body)
        cards.setContentsMargins(0, 0, 0, 0)
        cards.setSpacing(24)
        for card in self.cards.values():
            cards.addWidget(card)
        cards.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(body)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(64, 48, 64, 48)
        layout.setSpacing(32)
        layout.addLayout(header)
        layout.addWidget(scroll, 1)
        self.retranslate()

    def retranslate(self) -> None:
        t = self._texts
        self.title.setText(t("info.title"))
        self.home_button.setText(t("nav.home"))
        params = {
            "ssid": self._info.wifi_ssid,
            "phone": _unbroken(self._info.lost_property_phone),
            "emergency": _unbroken(self._info.emergency_phone),
        }
        for topic, card in self.cards.items():
            card.title.setText(t(f"info.{topic}_title"))
            card.body.setText(t(f"info.{topic}_body", **params))


def _unbroken(number: str) -> str:
    """A phone number that never wraps across lines (a broken number is misdialled)."""
    return number.replace(" ", "\u00a0")
