"""Pieces every screen device shows: the clock, the connection light, and a one-line label that elides."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QEvent, QSize, Qt, QTimer
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from device.ui.text import Texts


class ElidedLabel(QLabel):
    """One line of plain text that ends in "…" when it does not fit, and never wraps.

    For text from outside (an agent's name, a place): it can be of any length and must neither widen the
    screen nor break into a line with one character on it. ``text()`` is what is shown; ``full_text`` is
    what was set.
    """

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self._full_text = ""
        self.setText(text)

    @property
    def full_text(self) -> str:
        return self._full_text

    def setText(self, text: str) -> None:
        self._full_text = text
        self.setToolTip(text)
        self._elide()

    def sizeHint(self) -> QSize:
        metrics = self.fontMetrics()
        margins = self.contentsMargins()
        width = metrics.horizontalAdvance(self._full_text) + margins.left() + margins.right() + 2
        return QSize(width, super().sizeHint().height())

    def minimumSizeHint(self) -> QSize:
        return QSize(0, super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._elide()

    def _elide(self) -> None:
        width = self.contentsRect().width()
        shown = self.fontMetrics().elidedText(self._full_text, Qt.TextElideMode.ElideRight, width)
        if shown != super().text():
            QLabel.setText(self, shown)


MINUTE_MARGIN_MS = 50
"""How long after the minute turns the clock wakes: on the minute exactly it could still read the old one."""


def ms_to_next_minute(now: datetime) -> int:
    """Milliseconds from ``now`` to just after the next minute begins (a clock set back or forward is caught
    up at that wake-up at the latest, within a minute)."""
    into_minute_ms = now.second * 1000 + now.microsecond // 1000
    return 60_000 - into_minute_ms + MINUTE_MARGIN_MS


class Clock(QWidget):
    """The local time (large) and the date in words, refreshed on the minute."""

    def __init__(self, texts: Texts, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._texts = texts
        self.time_label = QLabel()
        self.time_label.setObjectName("Clock")
        self.time_label.setTextFormat(Qt.TextFormat.PlainText)
        # the date gives way first when a narrow screen is short of room
        self.date_label = ElidedLabel()
        self.date_label.setObjectName("ClockDate")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.time_label)
        layout.addWidget(self.date_label)
        # once a minute, as it turns, not every second: a tick wakes the whole UI loop, during calls too
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)  # a coarse timer may fire early, in the old minute
        self._timer.timeout.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        now = datetime.now()
        self._timer.start(ms_to_next_minute(now))
        self.time_label.setText(now.strftime("%H:%M"))
        self.date_label.setText(
            self._texts(
                "clock.date",
                weekday=self._texts(f"clock.weekday_{now.isoweekday()}"),
                day=now.day,
                month=self._texts(f"clock.month_{now.month}"),
            )
        )


DOT_PX = 18
CONNECTION_STATES = ("online", "connecting", "offline", "refused")


class ConnectionLight(QWidget):
    """A coloured dot and a word: is this device connected to the airport's systems?

    The dot's colour per state comes from the program's style sheet (``#ConnectionDot[state="…"]``, one
    rule for each of CONNECTION_STATES).
    """

    def __init__(self, texts: Texts, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._texts = texts
        self._state = "connecting"
        # a styled widget, not a label: a rule for labels in a bar (transparent background) must not hide it
        self.dot = QWidget()
        self.dot.setObjectName("ConnectionDot")
        self.dot.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.dot.setFixedSize(DOT_PX, DOT_PX)
        self.label = QLabel()
        self.label.setObjectName("Connection")
        self.label.setTextFormat(Qt.TextFormat.PlainText)
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
