"""Follow-up cases in the supervisors' reports: the cases opened over a range of local days, per category
and department and in all (opened, finished, on time, late, still open past their time, average time to
close, the passengers' ratings of the outcome), as rows a page shows and a CSV file holds. Pure: the
cases and the clock are passed in (the figures themselves are :mod:`central.cases.figures`')."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from central.cases.figures import CSV_COLUMNS, Tally, case_figures
from central.cases.model import Case
from central.reports.period import MAX_DAYS, ReportInputError, local_midnight, parse_day

ALL = "all"


@dataclass(frozen=True)
class CaseRange:
    first: date
    last: date

    def span(self, zone: ZoneInfo) -> tuple[float, float]:
        return local_midnight(self.first, zone), local_midnight(self.last, zone, 1)


def parse_case_range(query: Mapping[str, str], today: date) -> CaseRange:
    """``from`` and ``to`` as the call reports take them (local days, both included, not in the future)."""
    first = parse_day("from", query.get("from"))
    last = parse_day("to", query.get("to"))
    if first > last:
        raise ReportInputError(f"from ({first}) is after to ({last}); swap them")
    if last > today:
        raise ReportInputError(f"to: {last} is in the future; the latest day with cases is today, {today}")
    if (last - first).days + 1 > MAX_DAYS:
        raise ReportInputError(f"{(last - first).days + 1} days is too long a range; at most {MAX_DAYS}")
    return CaseRange(first, last)


def _row(category: str, department: str, tally: Tally) -> dict[str, Any]:
    return {"category": category, "department": department, **tally.as_json()}


def case_report(cases: Iterable[Case], asked: CaseRange, now: float) -> dict[str, Any]:
    """The rows (per category and department, in name order) and the total, as JSON."""
    counted = case_figures(cases, now)
    return {
        "first": asked.first.isoformat(),
        "last": asked.last.isoformat(),
        "rows": [
            _row(category, department, tally) for (category, department), tally in sorted(counted.by_group.items())
        ],
        "total": _row(ALL, ALL, counted.total),
    }


def case_report_csv(report: Mapping[str, Any]) -> str:
    """One line per row, then the total; rates and averages to four significant figures, empty when none."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in [*report["rows"], report["total"]]:
        values = []
        for column in CSV_COLUMNS:
            value = row[column]
            values.append("" if value is None else f"{value:.4g}" if isinstance(value, float) else str(value))
        writer.writerow(values)
    return out.getvalue()
