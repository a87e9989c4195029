"""A report as CSV, for spreadsheets: one header line, one line per row, the total last.

Cells that a spreadsheet would take for a formula (starting with = + - @, or a tab or carriage return)
get a leading apostrophe (OWASP's advice against CSV injection): skill, category and agent names come
from settings and accounts, and a name like ``=HYPERLINK(…)`` must stay text.
"""

from __future__ import annotations

import csv
import io

from central.reports.figures import Figures, Report

COLUMNS = (
    "offered",
    "answered",
    "abandoned",
    "short_abandoned",
    "failed",
    "answered_in_target",
    "service_level",
    "asa_s",
    "aht_s",
    "transfers",
    "fcr",
    "dispositions",
    "average_rating",
    "ratings",
)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TOTAL_LABEL = "total"


def safe_cell(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _number(value: float | int | None) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".")
    return str(value)


def _line(label: str, row: Figures) -> list[str]:
    return [safe_cell(label), *(_number(getattr(row, name)) for name in COLUMNS)]


def report_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([report.grouping, *COLUMNS])
    for row in report.rows:
        writer.writerow(_line(row.label, row))
    writer.writerow(_line(TOTAL_LABEL, report.total))
    return out.getvalue()


def file_name(report: Report) -> str:
    return f"calls-by-{report.grouping}-{report.first}-to-{report.last}.csv"
