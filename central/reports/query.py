"""The SQL of the reports, run on a DB-API connection with named parameters.

Portable: only CASE, SUM, COUNT and GROUP BY, which PostgreSQL runs as written; what differs there is in
docs/reports.md (the driver's parameter style, the unary plus, the 0/1 column). Local days and hours are not
computed in SQL (that would need each database's own time-zone functions): Python works out each bucket's
start and end in epoch seconds, and a report over time runs one statement per bucket, which the arrival
report index answers with one range scan each. (A single statement joining a list of buckets was tried:
SQLite then sorted every call of the range to group them, 2 s for a year by day against 0.5 s this way.)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from central.reports.figures import Sums
from central.reports.period import Grouping
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
    # every time a call was passed on to another queue or agent (its legs are in call_legs)
    "SUM(c.transfers)",
)

_DIMENSION = {Grouping.SKILL: "c.skill", Grouping.CATEGORY: "c.category", Grouping.AGENT: "c.agent_id"}
"""The column a report by a dimension groups on; NULL (a call without a category or agent) is the label ''.
Grouped on the bare column, not COALESCE(...), so SQLite reads the groups in order from the column's report
index (central.records.sqlite) instead of sorting a year of rows."""


def statement(grouping: Grouping) -> str:
    """The SQL of a report: rows of (label, outcome, *sums), in the report's order (see :func:`fold`). Over
    time, the statement of one bucket (``:start_s`` to ``:end_s``), its label given as ``:label``."""
    sums = ",\n       ".join(SUM_COLUMNS)
    if grouping.over_time:
        return (
            f"SELECT :label AS label, c.outcome,\n       {sums}\n"
            "FROM calls c\nWHERE c.arrived_at >= :start_s AND c.arrived_at < :end_s\nGROUP BY c.outcome"
        )
    column = _DIMENSION[grouping]
    return (
        f"SELECT {column} AS label, c.outcome,\n       {sums}\n"
        # The unary plus keeps SQLite from the arrival index (it would then sort a long range of calls to
        # group them): it scans the name's report index, already in group order. PostgreSQL reads it as +x.
        "FROM calls c\nWHERE +c.arrived_at >= :start_s AND +c.arrived_at < :end_s\n"
        # NULLS FIRST: SQLite's order for NULL (the label ''), which PostgreSQL would put last
        f"GROUP BY {column}, c.outcome\nORDER BY {column} NULLS FIRST"
    )


def parameters(
    start: float, end: float, service_level_s: float, short_abandon_s: float, label: str = ""
) -> dict[str, Any]:
    return {
        "service_level_s": service_level_s,
        "short_abandon_s": short_abandon_s,
        "start_s": start,
        "end_s": end,
        "label": label,
    }


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
