"""How often one client may post to the public case pages and the feedback forms. Pure (the time is passed
in, or read from the monotonic clock)."""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass, field

MAX_KEYS = 10_000  # the oldest forgotten first: an address that changes every post costs nothing more


@dataclass
class PostLimit:
    """At most ``per_minute`` posts per key (a client address, a kiosk, a QR point) in each minute (a fixed
    window: simple, and a passenger rates or leaves feedback a few times at most)."""

    per_minute: int
    _windows: OrderedDict[str, tuple[int, int]] = field(default_factory=OrderedDict)

    def admit(self, key: str, now: float | None = None) -> bool:
        minute = int((time.monotonic() if now is None else now) // 60)
        window, count = self._windows.pop(key, (minute, 0))
        if window != minute:
            window, count = minute, 0
        self._windows[key] = (window, count + 1)
        while len(self._windows) > MAX_KEYS:
            self._windows.popitem(last=False)
        return count < self.per_minute
