"""The call store's schemas 2 (the reports' indexes) and 3 (transfers and legs): a version 1 or 2 file keeps
every record and gains them, and the reports by skill, category and agent read those indexes instead of
sorting the table."""

from __future__ import annotations

import dataclasses
import sqlite3
from contextlib import closing
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from central.records import SCHEMA_VERSION, SqliteCallStore
from central.records.sqlite import _REPORT_INDEXES
from central.records.sqlite import _SCHEMA as CURRENT_CALLS
from central.reports import Grouping, ReportBook, ReportRequest
from central.reports.period import span
from central.reports.query import parameters, statement
from central.reports.sample import sample_records
from central.switchboard.model import CallRecord

ZONE = ZoneInfo("Asia/Shanghai")
VERSION_1_SCHEMA = CURRENT_CALLS.replace(",\n    transfers INTEGER NOT NULL DEFAULT 0", "")
assert VERSION_1_SCHEMA != CURRENT_CALLS
REPORT_INDEXES = {
    "calls_report_by_arrival",
    "calls_report_by_skill",
    "calls_report_by_category",
    "calls_report_by_agent",
}


def indexes(path: Path) -> set[str]:
    with closing(sqlite3.connect(path)) as db:
        return {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}


def version_1_file(path: Path, records: list[CallRecord], version: int = 1) -> None:
    """A store as version 1 (or 2: with the reports' indexes) of this program left it, with its records."""
    fields = [field.name for field in dataclasses.fields(CallRecord) if field.name not in ("legs", "transfers")]
    insert = f"INSERT INTO calls ({', '.join(fields)}) VALUES ({', '.join('?' for _ in fields)})"
    indexes = _REPORT_INDEXES.replace("transfers", "end_reason") if version == 2 else ""
    with closing(sqlite3.connect(path)) as db:
        db.executescript(f"BEGIN; {VERSION_1_SCHEMA} {indexes} PRAGMA user_version = {version}; COMMIT;")
        with db:
            db.executemany(insert, [[getattr(record, name) for name in fields] for record in records])


@pytest.mark.parametrize("version", [1, 2])
def test_an_older_store_keeps_its_records_and_gains_the_report_indexes_and_legs(tmp_path: Path, version: int) -> None:
    path = tmp_path / "central.sqlite3"
    records = list(sample_records(date(2026, 10, 1), 2, 30, ZONE))
    version_1_file(path, records, version)
    assert bool(indexes(path) & REPORT_INDEXES) == (version == 2)

    store = SqliteCallStore(path)
    try:
        got = store.get(records[7].call_id)
        assert got is not None and dataclasses.replace(got, legs=()) == records[7]
        # an answered call of an old file: one leg, from its answer to its end, closed by its agent
        assert [(leg.agent_id, round(leg.talk_s, 2)) for leg in got.legs] == [(records[7].agent_id, records[7].talk_s)]
        assert len(store.arrived_between(0, 2e9)) == len(records)
    finally:
        store.close()
    assert indexes(path) >= REPORT_INDEXES
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,) == (3,)
    SqliteCallStore(path).close()  # opening it again changes nothing
    report = ReportBook(path, ZONE, 15.0, 5.0).report(
        ReportRequest(date(2026, 10, 1), date(2026, 10, 2), Grouping.SKILL)
    )
    assert report.total.answered == sum(1 for r in records if r.outcome == "answered")


@pytest.mark.parametrize("grouping", [Grouping.SKILL, Grouping.CATEGORY, Grouping.AGENT])
def test_a_report_by_a_name_reads_its_index_and_sorts_no_calls(tmp_path: Path, grouping: Grouping) -> None:
    path = tmp_path / "central.sqlite3"
    SqliteCallStore(path).close()
    request = ReportRequest(date(2025, 12, 1), date(2026, 11, 30), grouping)
    start, end = span(request, ZONE)
    with closing(sqlite3.connect(path)) as db:
        plan = db.execute(f"EXPLAIN QUERY PLAN {statement(grouping)}", parameters(start, end, 15, 5)).fetchall()
    steps = " / ".join(row[-1] for row in plan)
    # sorting the few result rows is nothing; sorting the calls to group them is what the index saves
    assert f"COVERING INDEX calls_report_by_{grouping.value}" in steps and "FOR GROUP BY" not in steps, steps


def test_a_report_over_time_reads_a_bucket_from_the_arrival_index_alone(tmp_path: Path) -> None:
    path = tmp_path / "central.sqlite3"
    SqliteCallStore(path).close()
    with closing(sqlite3.connect(path)) as db:
        plan = db.execute(f"EXPLAIN QUERY PLAN {statement(Grouping.DAY)}", parameters(0, 86400, 15, 5)).fetchall()
    steps = " / ".join(row[-1] for row in plan)
    assert "SEARCH c USING COVERING INDEX calls_report_by_arrival" in steps, steps
