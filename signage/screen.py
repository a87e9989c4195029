"""Whether the screen is lit: the night schedule from settings, and ``screen`` commands from central.

Qt-free. A command wins until the schedule's next switch (an "off" at 15:00 for a cleaning crew stays off
until the morning's ``on_at`` at most; an "on" at 02:00 for night works lasts until the next ``off_at``);
``auto`` hands the screen back to the schedule at once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

from device.commands import CommandRefused
from signage.settings import ScheduleSection

SCREEN_COMMAND = "screen"
SCREEN_STATES = ("on", "off", "auto")


def _clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


class ScreenSchedule:
    """Off from ``off_at`` to ``on_at`` every day (across midnight when off_at is later); always on when
    neither is set."""

    def __init__(self, section: ScheduleSection) -> None:
        self._off = _clock(section.off_at) if section.off_at else None
        self._on = _clock(section.on_at) if section.on_at else None

    def lit(self, now: datetime) -> bool:
        if self._off is None or self._on is None:
            return True
        moment = now.time()
        if self._off < self._on:  # dark within one day, e.g. 01:00-05:00
            return not (self._off <= moment < self._on)
        return self._on <= moment < self._off  # dark across midnight, e.g. 23:30-05:30

    def next_switch(self, now: datetime) -> datetime | None:
        """The next moment the schedule turns the screen on or off; None when it never does."""
        if self._off is None or self._on is None:
            return None
        candidates = []
        for moment in (self._off, self._on):
            at = now.replace(hour=moment.hour, minute=moment.minute, second=0, microsecond=0)
            if at <= now:
                at += timedelta(days=1)
            candidates.append(at)
        return min(candidates)


class ScreenControl:
    """The schedule, with an override from a command that lasts until the schedule's next switch."""

    def __init__(self, schedule: ScreenSchedule, clock: Callable[[], datetime] = datetime.now) -> None:
        self.schedule = schedule
        self._clock = clock
        self._override: bool | None = None
        self._override_until: datetime | None = None

    def lit(self) -> bool:
        now = self._clock()
        if self._override is not None:
            if self._override_until is None or now < self._override_until:
                return self._override
            self._override = None
        return self.schedule.lit(now)

    def command(self, state: str) -> str:
        """Apply ``on``, ``off`` or ``auto``; returns what the reply says."""
        if state not in SCREEN_STATES:
            raise CommandRefused(f"screen state {state!r}: give state = on, off or auto")
        now = self._clock()
        if state == "auto":
            self._override = None
            return f"screen {'on' if self.lit() else 'off'}, following the schedule"
        self._override = state == "on"
        self._override_until = self.schedule.next_switch(now)
        if self._override_until is None:
            return f"screen {state}"
        return f"screen {state} until the schedule's next switch at {self._override_until:%H:%M}"


def screen_command(control: ScreenControl, changed: Callable[[], None]) -> Callable[[dict[str, Any]], Any]:
    """The ``screen`` command's handler: args ``{"state": "on" | "off" | "auto"}``."""

    async def screen(args: dict[str, Any]) -> str:
        state = args.get("state")
        if not isinstance(state, str):
            raise CommandRefused('screen needs args {"state": "on" | "off" | "auto"}')
        detail = control.command(state)
        changed()
        return detail

    return screen
