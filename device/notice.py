"""A notice from facilities staff on the device's screen (``show_notice``): text in Chinese and English for
a number of minutes. Qt-free: the screens observe the board and ask it what to show."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the command module brings the bus (paho, the messages): not before a screen's first paint
    from device.commands import CommandHandler

MAX_NOTICE_CHARS = 200
MAX_NOTICE_MINUTES = 24 * 60

NoticeListener = Callable[["Notice | None"], None]


@dataclass(frozen=True)
class Notice:
    zh: str
    en: str
    until: float
    """When it ends, on the board's clock (monotonic seconds)."""

    def text(self, language: str) -> str:
        return self.zh if language.startswith("zh") else self.en


class NoticeBoard:
    """The one notice shown now: a newer one replaces it, ``clear`` or its end takes it away."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._notice: Notice | None = None
        self._listeners: list[NoticeListener] = []

    def add_listener(self, listener: NoticeListener) -> None:
        """Called with the new notice (None: cleared) on every change made by a command."""
        self._listeners.append(listener)

    def show(self, zh: str, en: str, minutes: float) -> Notice:
        self._notice = Notice(zh, en, self._clock() + minutes * 60)
        self._tell()
        return self._notice

    def clear(self) -> None:
        self._notice = None
        self._tell()

    def current(self) -> Notice | None:
        """The notice to show now, or None (none given, cleared, or over)."""
        if self._notice is not None and self._clock() >= self._notice.until:
            self._notice = None
        return self._notice

    def seconds_left(self) -> float | None:
        notice = self.current()
        return None if notice is None else max(0.0, notice.until - self._clock())

    def _tell(self) -> None:
        for listener in self._listeners:
            listener(self._notice)


def _notice_text(args: dict[str, Any], key: str) -> str:
    from device.commands import CommandRefused

    text = args.get(key)
    if not isinstance(text, str) or not text.strip():
        raise CommandRefused(f"show_notice: {key!r} must be the notice's text (1-{MAX_NOTICE_CHARS} characters)")
    text = " ".join(text.split())  # one line: a notice is a banner, not a letter
    if len(text) > MAX_NOTICE_CHARS:
        raise CommandRefused(f"show_notice: {key!r} is {len(text)} characters; at most {MAX_NOTICE_CHARS}")
    return text


def show_notice_command(board: NoticeBoard) -> CommandHandler:
    """``show_notice``: args ``{"zh": text, "en": text, "minutes": 1-1440}``; ``{"minutes": 0}`` clears."""

    from device.commands import CommandRefused

    async def show_notice(args: dict[str, Any]) -> str:
        minutes = args.get("minutes")
        if isinstance(minutes, bool) or not isinstance(minutes, int | float) or not 0 <= minutes <= MAX_NOTICE_MINUTES:
            raise CommandRefused(f"show_notice: 'minutes' must be a number from 0 (clear) to {MAX_NOTICE_MINUTES}")
        if minutes == 0:
            had = board.current() is not None
            board.clear()
            return "notice cleared" if had else "no notice was shown"
        zh, en = _notice_text(args, "zh"), _notice_text(args, "en")
        board.show(zh, en, float(minutes))
        return f"notice shown for {minutes:g} min"

    return show_notice
