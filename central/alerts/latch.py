"""Hysteresis in time: a condition must hold for a while before an alert is raised, and its absence must hold
for a while before it is cleared, so that a flapping signal raises once and clears once.

Hysteresis in value (temperature, disk) is the rule's business: it asks for a lower figure to count as
"well again" while the alert is raised (see :mod:`central.alerts.rules`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Change(StrEnum):
    RAISED = "raised"
    CLEARED = "cleared"


@dataclass
class Latch:
    """One condition of one device (or of the site): raised or not, judged at each look at the signal."""

    raise_after_s: float
    clear_after_s: float
    raised: bool = False
    _since: float | None = None
    """When the signal began to disagree with :attr:`raised`; None while it agrees."""

    def update(self, bad: bool, now: float) -> Change | None:
        """Take the signal as seen at ``now`` (seconds); the change it makes, if any."""
        if bad == self.raised:
            self._since = None
            return None
        if self._since is None:
            self._since = now
        hold_s = self.clear_after_s if self.raised else self.raise_after_s
        if now - self._since < hold_s:
            return None
        self.raised = bad
        self._since = None
        return Change.RAISED if bad else Change.CLEARED

    @property
    def pending(self) -> bool:
        """Whether the signal disagrees with the state and a change is on its way."""
        return self._since is not None
