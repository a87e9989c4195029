"""Call records in PostgreSQL, behind the switchboard's :class:`CallStore` interface, as in SQLite.

The same tables, columns and indexes as :mod:`central.records.sqlite`, so the reports' SQL
(:mod:`central.reports.query`) runs on either. Times are DOUBLE PRECISION (PostgreSQL's REAL is 4 bytes:
epoch seconds would lose their minutes); yes/no answers stay 0/1 INTEGERs, which the reports add up.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

import psycopg

from central.records.postgres import Reconnecting, migrate, redact
from central.records.sqlite import _FIELDS, StoreError, _leg, _one_leg, _record, _row
from central.switchboard.model import CallLeg, CallRecord

log = logging.getLogger(__name__)

SCHEMA_VERSION = 3
STORE = "call store"

_SCHEMA = """
CREATE TABLE calls (
    call_id TEXT PRIMARY KEY,
    caller_id TEXT NOT NULL,
    caller_kind TEXT NOT NULL,
    skill TEXT NOT NULL,
    language TEXT NOT NULL,
    location TEXT NOT NULL,
    arrived_at DOUBLE PRECISION NOT NULL,
    answered_at DOUBLE PRECISION,
    ended_at DOUBLE PRECISION NOT NULL,
    agent_id TEXT,
    outcome TEXT NOT NULL,
    end_reason TEXT NOT NULL,
    wait_s DOUBLE PRECISION NOT NULL,
    talk_s DOUBLE PRECISION,
    wrap_s DOUBLE PRECISION,
    resolved_first_contact INTEGER,
    category TEXT,
    note TEXT NOT NULL,
    rating INTEGER,
    question_answered INTEGER,
    transfers INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX calls_by_arrival ON calls (arrived_at);
CREATE INDEX calls_handled_by_skill ON calls (skill, ended_at) WHERE wrap_s IS NOT NULL;
CREATE TABLE call_legs (
    call_id TEXT NOT NULL REFERENCES calls (call_id),
    seq INTEGER NOT NULL,
    agent_id TEXT NOT NULL,
    skill TEXT NOT NULL,
    answered_at DOUBLE PRECISION NOT NULL,
    ended_at DOUBLE PRECISION NOT NULL,
    "end" TEXT NOT NULL,
    PRIMARY KEY (call_id, seq)
);
"""
# The reports' indexes, as in SQLite: the group's column first, the columns a report adds up carried along
# (INCLUDE), so a long period is read from the index alone.
_REPORT_COLUMNS = "outcome, arrived_at, wait_s, talk_s, wrap_s, resolved_first_contact, rating, transfers"
_REPORT_INDEXES = "".join(
    f"CREATE INDEX calls_report_by_{name} ON calls ({column}) INCLUDE ({_REPORT_COLUMNS});"
    for name, column in (("arrival", "arrived_at"), ("skill", "skill"), ("category", "category"), ("agent", "agent_id"))
)


def _steps(db: psycopg.Connection[Any], version: int) -> None:
    # Version 3 is the first kept in PostgreSQL: a new database gets all of it. A later version adds its
    # step here, from ``version`` on, as central.records.sqlite does.
    if version == 0:
        db.execute(_SCHEMA + _REPORT_INDEXES)


class PgCallStore:
    """Records in PostgreSQL; one connection, each write its own transaction (the legs with their call)."""

    def __init__(self, url: str) -> None:
        self.url = redact(url)
        self._link = Reconnecting(url, StoreError)  # made again when the server drops it
        try:
            migrate(self._link.db, STORE, SCHEMA_VERSION, _steps, StoreError)
        except BaseException:
            self._link.close()
            raise
        columns = ", ".join(_FIELDS)
        marks = ", ".join("%s" for _ in _FIELDS)
        updates = ", ".join(f"{name} = excluded.{name}" for name in _FIELDS if name != "call_id")
        self._upsert = f"INSERT INTO calls ({columns}) VALUES ({marks}) ON CONFLICT (call_id) DO UPDATE SET {updates}"  # noqa: S608 (column names are ours)
        self._select = f"SELECT {columns} FROM calls"  # noqa: S608 (column names are ours)

    def save(self, record: CallRecord) -> None:
        self._link.run(lambda db: self._save(db, record))

    def _save(self, db: psycopg.Connection[Any], record: CallRecord) -> None:
        if not record.transfers:
            db.execute(self._upsert, _row(record))
            return
        with db.transaction():
            db.execute(self._upsert, _row(record))
            db.execute("DELETE FROM call_legs WHERE call_id = %s", (record.call_id,))
            with db.cursor() as cursor:
                cursor.executemany(
                    'INSERT INTO call_legs (call_id, seq, agent_id, skill, answered_at, ended_at, "end") '
                    "VALUES (%s, %s, %s, %s, %s, %s, %s)",
                    [
                        (record.call_id, seq, leg.agent_id, leg.skill, leg.answered_at, leg.ended_at, leg.end.value)
                        for seq, leg in enumerate(record.legs)
                    ],
                )

    def save_many(self, records: list[CallRecord]) -> None:
        """Records of calls never passed on, in one transaction (a sample, a benchmark, an import)."""
        rows = [_row(record) for record in records]

        def write(db: psycopg.Connection[Any]) -> None:
            with db.transaction(), db.cursor() as cursor:
                cursor.executemany(self._upsert, rows)

        self._link.run(write)

    def get(self, call_id: str) -> CallRecord | None:
        rows = self._rows(f"{self._select} WHERE call_id = %s", (call_id,))
        return self._with_legs([_record(rows[0])])[0] if rows else None

    def arrived_between(self, start: float, end: float) -> list[CallRecord]:
        rows = self._rows(
            f"{self._select} WHERE arrived_at >= %s AND arrived_at < %s ORDER BY arrived_at", (start, end)
        )
        return self._with_legs([_record(row) for row in rows])

    def recent_handled(self, skill: str, limit: int) -> list[CallRecord]:
        rows = self._rows(
            f"{self._select} WHERE skill = %s AND wrap_s IS NOT NULL ORDER BY ended_at DESC LIMIT %s", (skill, limit)
        )
        return self._with_legs([_record(row) for row in rows])

    def legs(self, call_id: str) -> tuple[CallLeg, ...]:
        """The call's legs, in order (none for a call nobody answered)."""
        rows = self._rows(
            'SELECT agent_id, skill, answered_at, ended_at, "end" FROM call_legs WHERE call_id = %s ORDER BY seq',
            (call_id,),
        )
        return tuple(_leg(row) for row in rows)

    def _with_legs(self, records: list[CallRecord]) -> list[CallRecord]:
        return [dataclasses.replace(r, legs=self.legs(r.call_id)) if r.transfers else _one_leg(r) for r in records]

    def _rows(self, sql: str, parameters: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        return self._link.run(lambda db: db.execute(sql, parameters).fetchall())

    def close(self) -> None:
        self._link.close()
