"""One fake clock for every test of code that takes its clock as an argument."""

from __future__ import annotations

from datetime import UTC, datetime

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC).timestamp()
"""10:00 in Haikou (Asia/Shanghai): well inside one local day, so "today" does not roll over mid-test."""


class FakeClock:
    """Epoch seconds that move only when the test moves them; call it for the time as a float.

    Code that wants an aware datetime instead (the fleet state) is given :meth:`utc`.
    """

    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def utc(self) -> datetime:
        """The same instant as an aware UTC datetime."""
        return datetime.fromtimestamp(self.now, UTC)
