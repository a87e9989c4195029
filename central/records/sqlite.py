"""Call records in one table of a SQLite file, behind the switchboard's :class:`CallStore` interface."""

from __future__ import annotations

import dataclasses
import logging
import sqlite3
from pathlib import Path
from typing import Any

from central.records.database import open_database, stored_version
from central.switchboard.model import CallRecord, Outcome

log = logging.getLogger(__name__)

SCHEMA_VERSION = 2

_FIELDS = tuple(field.name for field in dataclasses.fields(CallRecord))
_BOOLEANS = ("resolved_first_contact", "question_answered")

_SCHEMA = """
CREATE TABLE calls (
    call_id TEXT PRIMARY KEY,
    caller_id TEXT NOT NULL,
    caller_kind TEXT NOT NULL,
    skill TEXT NOT NULL,
    language TEXT NOT NULL,
    location TEXT NOT NULL,
    arrived_at REAL NOT NULL,
    answered_at REAL,
    ended_at REAL NOT NULL,
    agent_id TEXT,
    outcome TEXT NOT NULL,
    end_reason TEXT NOT NULL,
    wait_s REAL NOT NULL,
    talk_s REAL,
    wrap_s REAL,
    resolved_first_contact INTEGER,
    category TEXT,
    note TEXT NOT NULL,
    rating INTEGER,
    question_answered INTEGER
);
-- today's figures: the records of one local day of arrival
CREATE INDEX calls_by_arrival ON calls (arrived_at);
-- the recent handle times of a skill, newest first
CREATE INDEX calls_handled_by_skill ON calls (skill, ended_at) WHERE wrap_s IS NOT NULL;
"""

# Version 2: the supervisors' reports (central.reports). Each index holds every column a report reads: by
# arrival for the reports per day and hour (no table lookups), and by skill, category and agent in the order
# of their GROUP BY, so a year of records is read from the index without sorting (a year by skill: about
# 1.5 s down to 0.2 s for 500,000 calls, bench/reports.py). About 30 MB per index per 500,000 calls.
_REPORT_COLUMNS = "outcome, arrived_at, wait_s, talk_s, wrap_s, resolved_first_contact, rating, end_reason"
_REPORT_INDEXES = f"""
CREATE INDEX calls_report_by_arrival ON calls (arrived_at, {_REPORT_COLUMNS.replace("arrived_at, ", "")});
CREATE INDEX calls_report_by_skill ON calls (skill, {_REPORT_COLUMNS});
CREATE INDEX calls_report_by_category ON calls (category, {_REPORT_COLUMNS});
CREATE INDEX calls_report_by_agent ON calls (agent_id, {_REPORT_COLUMNS});
"""


class StoreError(RuntimeError):
    """The store cannot be used (for example it was written by a newer version)."""


class SqliteCallStore:
    """Records in one table of a SQLite file, in WAL mode; the schema version is ``PRAGMA user_version``.

    Each write is its own transaction (autocommit). ``synchronous=NORMAL`` under WAL keeps a write cheap
    for the event loop that calls it; a power cut may lose the last writes but never corrupts the file.
    """

    def __init__(self, path: Path | str) -> None:
        self._db = open_database(path, _migrate)
        columns = ", ".join(_FIELDS)
        marks = ", ".join("?" for _ in _FIELDS)
        updates = ", ".join(f"{name} = excluded.{name}" for name in _FIELDS if name != "call_id")
        self._upsert = f"INSERT INTO calls ({columns}) VALUES ({marks}) ON CONFLICT (call_id) DO UPDATE SET {updates}"  # noqa: S608 (column names are ours)
        self._select = f"SELECT {columns} FROM calls"  # noqa: S608 (column names are ours)

    def save(self, record: CallRecord) -> None:
        self._db.execute(self._upsert, _row(record))

    def get(self, call_id: str) -> CallRecord | None:
        row = self._db.execute(f"{self._select} WHERE call_id = ?", (call_id,)).fetchone()
        return _record(row) if row is not None else None

    def arrived_between(self, start: float, end: float) -> list[CallRecord]:
        rows = self._db.execute(
            f"{self._select} WHERE arrived_at >= ? AND arrived_at < ? ORDER BY arrived_at", (start, end)
        )
        return [_record(row) for row in rows]

    def recent_handled(self, skill: str, limit: int) -> list[CallRecord]:
        rows = self._db.execute(
            f"{self._select} WHERE skill = ? AND wrap_s IS NOT NULL ORDER BY ended_at DESC LIMIT ?", (skill, limit)
        )
        return [_record(row) for row in rows]

    def close(self) -> None:
        self._db.close()


def _row(record: CallRecord) -> tuple[Any, ...]:
    values = dataclasses.astuple(record)
    return tuple(value.value if isinstance(value, Outcome) else value for value in values)


def _record(row: tuple[Any, ...]) -> CallRecord:
    values = dict(zip(_FIELDS, row, strict=True))
    values["outcome"] = Outcome(values["outcome"])
    for name in _BOOLEANS:
        if values[name] is not None:
            values[name] = bool(values[name])
    return CallRecord(**values)


def _migrate(db: sqlite3.Connection) -> None:
    version = stored_version(db, SCHEMA_VERSION, "call store", StoreError)
    if version == SCHEMA_VERSION:
        return
    if version == 0:  # a new file
        schema = _SCHEMA + _REPORT_INDEXES
        db.executescript(f"BEGIN; {schema} PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;")
        return
    # version 1: the records stay as they are; only the reports' indexes are added (one transaction: a
    # program stopped halfway finds version 1 again and starts over)
    log.info("call store: adding the reports' indexes (schema %d -> %d)", version, SCHEMA_VERSION)
    db.executescript(f"BEGIN; {_REPORT_INDEXES} PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;")
