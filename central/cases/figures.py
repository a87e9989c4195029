"""The service line's figures of cases: opened, closed, closed on time, time to close and satisfaction,
in all and per category and department. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from central.cases.model import Case


@dataclass
class Tally:
    opened: int = 0
    finished: int = 0
    on_time: int = 0
    late: int = 0
    overdue_open: int = 0
    close_s_total: float = 0.0
    ratings: list[int] = field(default_factory=list)
    resolved_yes: int = 0

    @property
    def on_time_rate(self) -> float | None:
        return None if not self.finished else self.on_time / self.finished

    @property
    def mean_close_s(self) -> float | None:
        return None if not self.finished else self.close_s_total / self.finished

    @property
    def mean_rating(self) -> float | None:
        return None if not self.ratings else sum(self.ratings) / len(self.ratings)

    def add(self, case: Case, now: float) -> None:
        self.opened += 1
        finished_at = case.finished_at
        if finished_at is None:
            self.overdue_open += case.overdue(now)
        else:
            self.finished += 1
            if finished_at <= case.due_at:
                self.on_time += 1
            else:
                self.late += 1
            self.close_s_total += finished_at - case.opened_at
        if case.rating is not None:
            self.ratings.append(case.rating)
            self.resolved_yes += bool(case.resolved_for_passenger)

    def as_json(self) -> dict[str, float | int | None]:
        return {
            "opened": self.opened,
            "finished": self.finished,
            "on_time": self.on_time,
            "late": self.late,
            "overdue_open": self.overdue_open,
            "on_time_rate": self.on_time_rate,
            "mean_close_s": self.mean_close_s,
            "ratings": len(self.ratings),
            "mean_rating": self.mean_rating,
            "resolved_yes": self.resolved_yes,
        }


@dataclass
class CaseFigures:
    total: Tally = field(default_factory=Tally)
    by_group: dict[tuple[str, str], Tally] = field(default_factory=dict)
    """By (category, department)."""


def case_figures(cases: Iterable[Case], now: float) -> CaseFigures:
    figures = CaseFigures()
    for case in cases:
        figures.total.add(case, now)
        figures.by_group.setdefault((case.category, case.department), Tally()).add(case, now)
    return figures


CSV_COLUMNS = (
    "category",
    "department",
    "opened",
    "finished",
    "on_time",
    "late",
    "overdue_open",
    "on_time_rate",
    "mean_close_s",
    "ratings",
    "mean_rating",
    "resolved_yes",
)
