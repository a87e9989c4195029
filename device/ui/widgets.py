"""Pieces every screen device shows: the clock and the connection light."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from device.ui.text import Texts


class Clock(QWidget):
    """The local time (large) and the date in words, refreshed on the minute."""

    def __init__(self, texts: Texts, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._texts = texts
        self.time_label = QLabel(objectName="Clock")
        self.date_label = QLabel(objectName="ClockDate")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.time_label)
        layout.addWidget(self.date_label)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.refresh)
        self._timer.start(1000)
        self.refresh()

    def refresh(self) -> None:
        now = datetime.now()
        self.time_label.setText(now.strftime("%H:%M"))
        self.date_label.setText(
            self._texts(
                "clock.date",
                weekday=self._texts(f"clock.weekday_{now.isoweekday()}"),
                day=now.day,
                month=self._texts(f"clock.month_{now.month}"),
            )
        )


class ConnectionLight(QWidget):
    """A coloured dot and a word: is this device connected to the airport's systems?"""

    def __init__(self, texts: Texts, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._texts = texts
        self._state = "connecting"
        self.dot = QLabel(objectName="ConnectionDot")
        self.dot.setFixedSize(18, 18)
        self.label = QLabel(objectName="Connection")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(self.dot)
        layout.addWidget(self.label)
        self.set_state("connecting")

    @property
    def state(self) -> str:
        return self._state

    def set_state(self, state: str) -> None:
        """``online``, ``connecting``, ``offline`` or ``refused`` (as the bus link reports it)."""
        self._state = state
        self.dot.setProperty("state", state)
        self.dot.style().unpolish(self.dot)
        self.dot.style().polish(self.dot)
        self.retranslate()

    def retranslate(self) -> None:
        self.label.setText(self._texts(f"status.{self._state}"))
