"""What central has taken of each device's events, kept across its own restarts: the highest ``seq`` taken, the
gaps a late event may still fill, and the counts. Devices send their last minute of acknowledged events again
after every reconnect (bus/outbox.py), and central may restart at rush hour: without this a restarted central
took that minute a second time (recorded, counted, shown, alerted).

One row per device, in ``event-seqs.sqlite3`` in the state dir, or in PostgreSQL when ``[store] url`` names
one. :class:`central.device_events.DeviceEventLog` writes a device's row as it takes each new event, before
its handler returns, so before central's PUBACK (bus/loop_link.py): a crash in between means the broker sends
the event again and it is dropped as a repeat, never taken twice.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from central.records.database import create_schema, open_database
from central.records.portable import Connection, open_postgres, postgres_url
from central.records.sqlite import StoreError

EVENT_SEQS_FILE = "event-seqs.sqlite3"
SCHEMA_VERSION = 1
MAX_DEVICES = 10_000
"""Rows read back at start (the most recently changed): as many devices as :class:`DeviceEventLog` keeps."""

_SCHEMA = """
CREATE TABLE device_event_seqs (
    device TEXT PRIMARY KEY,
    last_seq INTEGER NOT NULL,
    gaps TEXT NOT NULL,  -- JSON [[first, last], ...]: the missing seqs a late event may still fill
    taken INTEGER NOT NULL,
    repeats INTEGER NOT NULL,
    found_missing INTEGER NOT NULL,
    filled INTEGER NOT NULL,
    updated_at REAL NOT NULL
);
CREATE INDEX device_event_seqs_by_update ON device_event_seqs (updated_at);
"""
# BIGINT in PostgreSQL: its INTEGER is 4 bytes, and seqs and counts only grow
_PG_SCHEMA = _SCHEMA.replace(" INTEGER", " BIGINT").replace(" REAL", " DOUBLE PRECISION")
_UPSERT = (
    "INSERT INTO device_event_seqs (device, last_seq, gaps, taken, repeats, found_missing, filled, updated_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (device) DO UPDATE SET "
    "last_seq = excluded.last_seq, gaps = excluded.gaps, taken = excluded.taken, repeats = excluded.repeats, "
    "found_missing = excluded.found_missing, filled = excluded.filled, updated_at = excluded.updated_at"
)

try:  # psycopg is the optional 'postgres' extra
    import psycopg

    WRITE_ERRORS: tuple[type[Exception], ...] = (sqlite3.OperationalError, StoreError, psycopg.OperationalError)
except ImportError:  # pragma: no cover (the test extra installs it)
    WRITE_ERRORS = (sqlite3.OperationalError, StoreError)
"""A write the store could not make now (a full disk, a PostgreSQL server away): tried again later."""


@dataclass(frozen=True, slots=True)
class SeqMarks:
    """One device's row: what dedupe needs, and the counts shown and exported."""

    last_seq: int
    gaps: tuple[tuple[int, int], ...]
    taken: int
    repeats: int
    found_missing: int
    filled: int


class EventSeqs:
    """The rows in a SQLite file, or in PostgreSQL when ``place`` is a ``postgresql://`` URL."""

    def __init__(self, place: Path | str) -> None:
        url = postgres_url(place)
        if url is not None:
            self._db: Connection = open_postgres(
                url, "device event seqs", SCHEMA_VERSION, lambda db, _: db.execute(_PG_SCHEMA), StoreError
            )
        else:
            self._db = open_database(
                place, lambda db: create_schema(db, _SCHEMA, SCHEMA_VERSION, "device event seqs", StoreError)
            )

    def load(self) -> dict[str, SeqMarks]:
        """Every device's row (the :data:`MAX_DEVICES` most recently changed); older rows are deleted, since ids
        come from the network and the table must not grow without bound."""
        rows = self._db.execute(
            "SELECT device, last_seq, gaps, taken, repeats, found_missing, filled, updated_at FROM device_event_seqs"
            " ORDER BY updated_at DESC LIMIT ?",
            (MAX_DEVICES + 1,),
        ).fetchall()
        if len(rows) > MAX_DEVICES:
            self._db.execute("DELETE FROM device_event_seqs WHERE updated_at <= ?", (rows[-1][7],))
            rows = rows[:MAX_DEVICES]
        return {str(row[0]): _marks(row) for row in rows}

    def save(self, rows: Iterable[tuple[str, SeqMarks]]) -> None:
        """Write these devices' rows in one transaction; one of :data:`WRITE_ERRORS` when it cannot now."""
        now = time.time()
        values = [
            (
                device,
                marks.last_seq,
                json.dumps([list(gap) for gap in marks.gaps], separators=(",", ":")),
                marks.taken,
                marks.repeats,
                marks.found_missing,
                marks.filled,
                now,
            )
            for device, marks in rows
        ]
        if not values:
            return
        if len(values) == 1:
            self._db.execute(_UPSERT, values[0])  # the usual case, one event: its own transaction
        elif isinstance(self._db, sqlite3.Connection):  # autocommit: the rows together, or none
            with self._db:
                self._db.execute("BEGIN")
                self._db.executemany(_UPSERT, values)
        else:
            self._db.executemany(_UPSERT, values)  # PostgreSQL's runs in one transaction

    def close(self) -> None:
        self._db.close()


def _marks(row: Any) -> SeqMarks:
    _device, last_seq, gaps, taken, repeats, found, filled, _at = row
    return SeqMarks(
        last_seq=int(last_seq),
        gaps=tuple((int(first), int(last)) for first, last in json.loads(gaps)),
        taken=int(taken),
        repeats=int(repeats),
        found_missing=int(found),
        filled=int(filled),
    )
