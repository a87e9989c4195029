"""Call records in one table of a SQLite file, behind the switchboard's :class:`CallStore` interface.

A record the disk cannot take (it is full) is not lost, and does not stop the switchboard step that ended
the call: it is kept in memory, read back as if stored, and written at the next save once there is room.
"""

from __future__ import annotations

import dataclasses
import logging
import sqlite3
from pathlib import Path
from typing import Any

from central.records.database import open_database, stored_version
from central.switchboard.model import CallLeg, CallRecord, LegEnd, Outcome

log = logging.getLogger(__name__)

SCHEMA_VERSION = 3

_FIELDS = tuple(field.name for field in dataclasses.fields(CallRecord) if field.name != "legs")
_LEG_FIELDS = ("agent_id", "skill", "answered_at", "ended_at", "end")
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
    question_answered INTEGER,
    transfers INTEGER NOT NULL DEFAULT 0
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
_REPORT_COLUMNS = "outcome, arrived_at, wait_s, talk_s, wrap_s, resolved_first_contact, rating, transfers"
_REPORT_INDEXES = f"""
CREATE INDEX calls_report_by_arrival ON calls (arrived_at, {_REPORT_COLUMNS.replace("arrived_at, ", "")});
CREATE INDEX calls_report_by_skill ON calls (skill, {_REPORT_COLUMNS});
CREATE INDEX calls_report_by_category ON calls (category, {_REPORT_COLUMNS});
CREATE INDEX calls_report_by_agent ON calls (agent_id, {_REPORT_COLUMNS});
"""


# Version 3: transfers. Each answered call's legs (one per agent who had it, in order), and the calls'
# transfer count, which the reports sum (their indexes carry it instead of the end reason they read before).
_LEGS = """
CREATE TABLE call_legs (
    call_id TEXT NOT NULL REFERENCES calls (call_id),
    seq INTEGER NOT NULL,
    agent_id TEXT NOT NULL,
    skill TEXT NOT NULL,
    answered_at REAL NOT NULL,
    ended_at REAL NOT NULL,
    "end" TEXT NOT NULL,
    PRIMARY KEY (call_id, seq)
) WITHOUT ROWID;
"""
_DROP_REPORT_INDEXES = "".join(
    f"DROP INDEX IF EXISTS calls_report_by_{name};" for name in ("arrival", "skill", "category", "agent")
)


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
        self._unsaved: dict[str, CallRecord] = {}  # the disk took no more: written at the next save
        self._holding = False

    @property
    def unsaved(self) -> int:
        """Records kept in memory because the disk could not take them."""
        return len(self._unsaved)

    def save(self, record: CallRecord) -> None:
        self._unsaved[record.call_id] = record
        self.write_unsaved()

    def write_unsaved(self) -> None:
        """Write the records kept in memory, oldest first, as far as the disk takes them."""
        while self._unsaved:
            call_id, record = next(iter(self._unsaved.items()))
            try:
                self._write(record)
            except sqlite3.OperationalError as exc:
                if not self._holding:  # once per spell of a full disk, not at every call
                    log.error(
                        "call store: record %s not written (%s); kept in memory until there is room", call_id, exc
                    )
                self._holding = True
                return
            del self._unsaved[call_id]
        if self._holding:
            log.info("call store: the disk takes records again; every record kept in memory is written")
            self._holding = False

    def _write(self, record: CallRecord) -> None:
        db = self._db
        if not record.transfers:  # the common case: its one leg is in the record's own columns
            db.execute(self._upsert, _row(record))
            return
        db.execute("BEGIN")
        try:
            db.execute(self._upsert, _row(record))
            db.execute("DELETE FROM call_legs WHERE call_id = ?", (record.call_id,))
            db.executemany(
                'INSERT INTO call_legs (call_id, seq, agent_id, skill, answered_at, ended_at, "end") '
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (record.call_id, seq, leg.agent_id, leg.skill, leg.answered_at, leg.ended_at, leg.end.value)
                    for seq, leg in enumerate(record.legs)
                ],
            )
            db.execute("COMMIT")  # on a full disk the pages reach the log here, so this may fail too
        except BaseException:
            if db.in_transaction:  # SQLite may have rolled back already (a full disk)
                db.execute("ROLLBACK")
            raise

    def get(self, call_id: str) -> CallRecord | None:
        if call_id in self._unsaved:
            return self._unsaved[call_id]
        row = self._db.execute(f"{self._select} WHERE call_id = ?", (call_id,)).fetchone()
        return self._with_legs([_record(row)])[0] if row is not None else None

    def arrived_between(self, start: float, end: float) -> list[CallRecord]:
        rows = self._db.execute(
            f"{self._select} WHERE arrived_at >= ? AND arrived_at < ? ORDER BY arrived_at", (start, end)
        )
        found = self._with_legs([_record(row) for row in rows])
        if not self._unsaved:
            return found
        held = [r for r in self._unsaved.values() if start <= r.arrived_at < end]
        return sorted(self._with_unsaved(found, held), key=lambda r: r.arrived_at)

    def recent_handled(self, skill: str, limit: int) -> list[CallRecord]:
        rows = self._db.execute(
            f"{self._select} WHERE skill = ? AND wrap_s IS NOT NULL ORDER BY ended_at DESC LIMIT ?", (skill, limit)
        )
        found = self._with_legs([_record(row) for row in rows])
        if not self._unsaved:
            return found
        held = [r for r in self._unsaved.values() if r.skill == skill and r.wrap_s is not None]
        return sorted(self._with_unsaved(found, held), key=lambda r: r.ended_at, reverse=True)[:limit]

    def _with_unsaved(self, found: list[CallRecord], held: list[CallRecord]) -> list[CallRecord]:
        """Stored records with those kept in memory in place of their stored (older) versions."""
        return [r for r in found if r.call_id not in self._unsaved] + held

    def legs(self, call_id: str) -> tuple[CallLeg, ...]:
        """The call's legs, in order (none for a call nobody answered)."""
        rows = self._db.execute(
            'SELECT agent_id, skill, answered_at, ended_at, "end" FROM call_legs WHERE call_id = ? ORDER BY seq',
            (call_id,),
        )
        return tuple(_leg(row) for row in rows)

    def _with_legs(self, records: list[CallRecord]) -> list[CallRecord]:
        # Only calls passed on have more than the one leg their record already says (agent, answer, end),
        # so only those are looked up: today's figures at start read thousands of records.
        return [dataclasses.replace(r, legs=self.legs(r.call_id)) if r.transfers else _one_leg(r) for r in records]

    def close(self) -> None:
        self._db.close()


def _row(record: CallRecord) -> tuple[Any, ...]:
    values = (getattr(record, name) for name in _FIELDS)
    return tuple(_column(value) for value in values)


def _column(value: object) -> object:
    """A field as its column holds it: an outcome's name, a yes/no as 0/1 (PostgreSQL takes no bool there)."""
    if isinstance(value, Outcome):
        return value.value
    if isinstance(value, bool):
        return int(value)
    return value


def _leg(row: tuple[Any, ...]) -> CallLeg:
    values = dict(zip(_LEG_FIELDS, row, strict=True))
    values["end"] = LegEnd(values["end"])
    return CallLeg(**values)


def _one_leg(record: CallRecord) -> CallRecord:
    """An answered call that was never passed on: its one leg is in the record's own columns."""
    if record.agent_id is None or record.answered_at is None or record.legs:
        return record
    leg = CallLeg(
        agent_id=record.agent_id,
        skill=record.skill,
        answered_at=record.answered_at,
        ended_at=record.ended_at,
        end=LegEnd.CLOSED,
    )
    return dataclasses.replace(record, legs=(leg,))


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
        schema = _SCHEMA + _REPORT_INDEXES + _LEGS
        db.executescript(f"BEGIN; {schema} PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;")
        return
    # versions 1 and 2: the records stay as they are (none was passed on: 0 transfers, one leg each); the
    # transfer count and the legs' table are added and the reports' indexes made (again) to carry it. One
    # transaction: a program stopped halfway finds the old version again and starts over.
    log.info("call store: adding transfers and legs (schema %d -> %d)", version, SCHEMA_VERSION)
    steps = (
        f"{_DROP_REPORT_INDEXES} ALTER TABLE calls ADD COLUMN transfers INTEGER NOT NULL DEFAULT 0; "
        f"{_REPORT_INDEXES} {_LEGS}"
    )
    db.executescript(f"BEGIN; {steps} PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;")
