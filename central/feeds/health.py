"""How each feed is doing: when it last delivered, what it last refused, and whether it has gone silent."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypedDict

log = logging.getLogger(__name__)


class FeedView(TypedDict):
    """A feed as ``GET /api/flights`` shows it."""

    name: str
    ok_at: float | None  # seconds since the epoch of the last good delivery
    error: str  # the last error, "" after a good delivery
    rejected: int  # records refused in the last delivery
    stale: bool


@dataclass
class FeedHealth:
    name: str
    stale_after_s: float
    clock: Callable[[], float] = time.time
    ok_at: float | None = None
    error: str = ""
    rejected: int = 0
    _logged_error: str = ""

    def delivered(self, rejected: list[str]) -> None:
        """A good delivery: the feed is alive; each refused record is logged, naming it."""
        self.ok_at = self.clock()
        self.rejected = len(rejected)
        for reason in rejected[:50]:
            log.warning("%s feed: rejected %s", self.name, reason)
        if len(rejected) > 50:
            log.warning("%s feed: and %d more rejected", self.name, len(rejected) - 50)
        if self.error:
            log.info("%s feed: working again", self.name)
        self.error = self._logged_error = ""

    def failed(self, error: str) -> None:
        """A delivery that could not be used at all; logged once until it changes."""
        self.error = error[:300]
        if error != self._logged_error:
            log.warning("%s feed: %s", self.name, error)
            self._logged_error = error

    def stale(self) -> bool:
        return self.ok_at is None or self.clock() - self.ok_at > self.stale_after_s

    def view(self) -> FeedView:
        return FeedView(name=self.name, ok_at=self.ok_at, error=self.error, rejected=self.rejected, stale=self.stale())
