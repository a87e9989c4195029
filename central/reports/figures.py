"""A report's rows: the sums SQL returns per row, and the figures the supervisor reads, made from them.

The definitions are the wallboard's (:mod:`central.switchboard.kpi`): offered = answered + abandoned +
failed, where callers who gave up sooner than ``short_abandon_s`` are not offered; service level = answered
within the target / offered; average speed of answer over the answered calls; handle time (talk + wrap-up)
over the answered calls whose wrap-up is over; first-contact resolution over the answered calls with a
disposition; the rating over the calls that were rated.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Sums:
    """What SQL adds up for one row; every ratio is made from these, so rows can be added into a total."""

    answered: int = 0
    abandoned: int = 0
    short_abandoned: int = 0
    failed: int = 0
    answered_in_target: int = 0
    wait_s: float = 0.0
    """Summed over the answered calls."""
    handled: int = 0
    handle_s: float = 0.0
    dispositions: int = 0
    resolved: int = 0
    ratings: int = 0
    stars: int = 0
    transfers: int = 0

    def __add__(self, other: Sums) -> Sums:
        return Sums(*(a + b for a, b in zip(asdict(self).values(), asdict(other).values(), strict=True)))


@dataclass(frozen=True, slots=True)
class Figures:
    """One row of a report. Shares are 0..1 and durations seconds; None where there is nothing to divide by."""

    label: str
    offered: int
    answered: int
    abandoned: int
    short_abandoned: int
    failed: int
    answered_in_target: int
    service_level: float | None
    asa_s: float | None
    aht_s: float | None
    transfers: int
    fcr: float | None
    dispositions: int
    average_rating: float | None
    ratings: int

    @classmethod
    def of(cls, label: str, sums: Sums) -> Figures:
        offered = sums.answered + sums.abandoned + sums.failed
        return cls(
            label=label,
            offered=offered,
            answered=sums.answered,
            abandoned=sums.abandoned,
            short_abandoned=sums.short_abandoned,
            failed=sums.failed,
            answered_in_target=sums.answered_in_target,
            service_level=_ratio(sums.answered_in_target, offered),
            asa_s=_ratio(sums.wait_s, sums.answered),
            aht_s=_ratio(sums.handle_s, sums.handled),
            transfers=sums.transfers,
            fcr=_ratio(sums.resolved, sums.dispositions),
            dispositions=sums.dispositions,
            average_rating=_ratio(sums.stars, sums.ratings),
            ratings=sums.ratings,
        )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Report:
    """A report: what was asked, its rows in order, and the total over all of them."""

    first: str
    last: str
    grouping: str
    time_zone: str
    service_level_s: float
    rows: tuple[Figures, ...]
    total: Figures

    def as_dict(self) -> dict[str, Any]:
        return {
            "from": self.first,
            "to": self.last,
            "by": self.grouping,
            "time_zone": self.time_zone,
            "service_level_s": self.service_level_s,
            "rows": [row.as_dict() for row in self.rows],
            "total": self.total.as_dict(),
        }


def _ratio(part: float, whole: int) -> float | None:
    return part / whole if whole > 0 else None
