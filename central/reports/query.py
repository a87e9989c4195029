"""The SQL of the reports: one statement per report, run on a DB-API connection with named parameters.

Portable: only CASE, SUM, COUNT, COALESCE, a VALUES list in a WITH clause and a LEFT JOIN, all of which
PostgreSQL runs as they are. Two things differ there: the driver's parameter style (psycopg writes
``%(name)s`` where sqlite3 writes ``:name``: :func:`statement` takes the style), and PostgreSQL may want the
VALUES list's types spelled out (``CAST(:s0 AS DOUBLE PRECISION)``) when it cannot infer them from the
driver. Local days and hours are not computed in SQL (that would need each database's own time-zone
functions): Python works out each bucket's start and end in epoch seconds and SQL joins on them, which also
lets the arrival index answer each bucket with a range scan.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from central.reports.figures import Sums
from central.reports.period import Bucket, Grouping
from central.switchboard.model import Outcome

# What SQL adds up per row and outcome (each row's calls are grouped by outcome too: this keeps CASE out of
# most sums, which is where SQLite spends its time over a year of records). SUM and COUNT skip NULLs, so a
# call without a wrap-up, disposition or rating simply does not count there. Which outcome each sum is
# taken from is decided in Python (fold); the definitions are the wallboard's, see central.reports.figures.
SUM_COLUMNS = (
    "COUNT(c.outcome)",  # not COUNT(*): a day without calls has one row of NULLs from the LEFT JOIN
    "SUM(CASE WHEN c.wait_s <= :service_level_s THEN 1 ELSE 0 END)",
    "SUM(CASE WHEN c.wait_s < :short_abandon_s THEN 1 ELSE 0 END)",
    "SUM(c.wait_s)",
    "COUNT(c.talk_s + c.wrap_s)",
    "SUM(c.talk_s + c.wrap_s)",
    "COUNT(c.resolved_first_contact)",
    "SUM(c.resolved_first_contact)",
    "COUNT(c.rating)",
    "SUM(c.rating)",
    # The records hold no transfer legs yet: a call counts as transferred when its record says it ended by
    # being handed to another queue or agent. Until transfers exist no record does, and the column is 0.
    "SUM(CASE WHEN c.end_reason = 'transferred' THEN 1 ELSE 0 END)",
)

_DIMENSION = {Grouping.SKILL: "c.skill", Grouping.CATEGORY: "c.category", Grouping.AGENT: "c.agent_id"}
"""The column a report by a dimension groups on; NULL (a call without a category or agent) is the label ''.
Grouped on the bare column, not COALESCE(...), so SQLite reads the groups in order from the column's report
index (central.records.sqlite) instead of sorting a year of rows."""


def statement(grouping: Grouping, bucket_count: int) -> str:
    """The SQL of a report: rows of (label, outcome, *sums), in the report's order; see :func:`fold`."""
    sums = ",\n       ".join(SUM_COLUMNS)
    if grouping.over_time:
        values = ", ".join(f"(:l{n}, :s{n}, :e{n})" for n in range(bucket_count))
        # LEFT JOIN: a bucket without calls is a row of zeros, not a missing row
        return (
            f"WITH buckets (label, start_s, end_s) AS (VALUES {values})\n"
            f"SELECT b.label, c.outcome,\n       {sums}\n"
            "FROM buckets b LEFT JOIN calls c ON c.arrived_at >= b.start_s AND c.arrived_at < b.end_s\n"
            "GROUP BY b.start_s, b.label, c.outcome\nORDER BY b.start_s"
        )
    column = _DIMENSION[grouping]
    return (
        f"SELECT {column} AS label, c.outcome,\n       {sums}\n"
        # The unary plus keeps SQLite from the arrival index (it would then look up every row of a long
        # range in the table and sort them): it scans the report index instead. PostgreSQL reads it as +x.
        "FROM calls c\nWHERE +c.arrived_at >= :start_s AND +c.arrived_at < :end_s\n"
        f"GROUP BY {column}, c.outcome\nORDER BY {column}"
    )


def parameters(
    buckets: Sequence[Bucket], start: float, end: float, service_level_s: float, short_abandon_s: float
) -> dict[str, Any]:
    values: dict[str, Any] = {
        "service_level_s": service_level_s,
        "short_abandon_s": short_abandon_s,
        "start_s": start,
        "end_s": end,
    }
    for n, bucket in enumerate(buckets):
        values[f"l{n}"] = bucket.label
        values[f"s{n}"] = bucket.start
        values[f"e{n}"] = bucket.end
    return values


def fold(rows: Iterable[Sequence[Any]]) -> list[tuple[str, Sums]]:
    """The result rows (label, outcome, *sums), one per label and outcome, as one :class:`Sums` per label,
    in the order the labels came. SUM over no rows is NULL in SQL: 0 here."""
    folded: dict[str, Sums] = {}
    for label, outcome, *values in rows:
        count, in_target, short, wait_s, handled, handle_s, dispositions, resolved, ratings, stars, transfers = (
            value or 0 for value in values
        )
        answered = outcome == Outcome.ANSWERED.value
        sums = Sums(
            answered=count if answered else 0,
            abandoned=count - short if outcome == Outcome.ABANDONED.value else 0,
            short_abandoned=short if outcome == Outcome.ABANDONED.value else 0,
            failed=count if outcome == Outcome.FAILED.value else 0,
            answered_in_target=in_target if answered else 0,
            wait_s=wait_s if answered else 0.0,
            handled=handled if answered else 0,
            handle_s=handle_s if answered else 0.0,
            dispositions=dispositions if answered else 0,
            resolved=resolved if answered else 0,
            ratings=ratings,
            stars=stars,
            transfers=transfers,
        )
        key = "" if label is None else str(label)
        folded[key] = folded[key] + sums if key in folded else sums
    return list(folded.items())
