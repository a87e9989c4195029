"""The clock of a signage display shows the airport's time, whatever zone the display's computer is set to:
the board's times are the airport's, and a clock that disagreed with them would mislead."""

from __future__ import annotations

from datetime import datetime

from device.ui.text import Texts
from device.ui.widgets import Clock
from signage.rows import zone


class SiteClock(Clock):
    def __init__(self, texts: Texts, tz: str = "") -> None:
        self._zone = zone(tz) if tz else None  # before any board: the computer's own zone
        self._shown: tuple[str, str] | None = None
        super().__init__(texts)

    def set_zone(self, tz: str) -> None:
        self._zone = zone(tz) if tz else None
        self._shown = None
        self.refresh()

    def refresh(self) -> None:
        now = datetime.now(self._zone)
        # Asked every second; the words change once a minute (or with the language). A player runs for
        # months: the other 59 looks cost next to nothing.
        shown = (now.strftime("%Y-%m-%d %H:%M"), self._texts.language)
        if shown == self._shown:
            return
        self._shown = shown
        self.time_label.setText(now.strftime("%H:%M"))
        self.date_label.setText(
            self._texts(
                "clock.date",
                weekday=self._texts(f"clock.weekday_{now.isoweekday()}"),
                day=now.day,
                month=self._texts(f"clock.month_{now.month}"),
            )
        )
