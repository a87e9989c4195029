"""Live calls in a SQLite file in central's state directory, behind the switchboard's
:class:`~central.switchboard.live_store.LiveCallStore` interface, so that a restarted ``central`` loses
nobody (docs/faults.md). One row per call that has not ended; the switchboard writes the few calls a step
changed, in one transaction, and reads them all back once at start.

WAL with ``synchronous=NORMAL`` (central.records.database): a write is a few tens of microseconds and
survives the process being killed; only a power cut may lose the last one.

A disk too full to take a write does not stop the switchboard's step: what it would have written is kept in
memory (the newest state of each call) and written with the next write that the disk takes. A crash before
then loses those changes, as it would with no file at all.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from central.records.database import create_schema, open_database
from central.records.sqlite import StoreError
from central.switchboard.live_store import SavedCall
from central.switchboard.model import CallLeg, LegEnd

log = logging.getLogger(__name__)

LIVE_CALLS_FILE = "live-calls.sqlite3"
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE live_calls (
    call_id TEXT PRIMARY KEY,
    saved TEXT NOT NULL  -- the SavedCall as JSON: read back only at start, never queried by field
);
"""


class LiveCallsError(StoreError):
    """The store cannot be used (from a newer program): central does not start, and says why."""


class SqliteLiveCalls:
    """The calls that have not ended, one JSON row each."""

    def __init__(self, path: Path | str) -> None:
        self._db = open_database(path, self._migrate)
        self._unsaved: dict[str, SavedCall | None] = {}  # a call's newest state, or None: ended
        self._holding = False

    @staticmethod
    def _migrate(db: sqlite3.Connection) -> None:
        create_schema(db, _SCHEMA, SCHEMA_VERSION, "live calls", LiveCallsError)

    def write(self, saved: Iterable[SavedCall], ended: Iterable[str]) -> None:
        # ended first, then saved: a call both ended and saved in one step keeps its saved state, as the
        # table's DELETE-then-INSERT does
        for call_id in ended:
            self._unsaved[call_id] = None
        for call in saved:
            self._unsaved[call.call_id] = call
        try:
            self._write(self._unsaved)
        except sqlite3.OperationalError as exc:
            if not self._holding:  # once per spell of a full disk, not at every step
                log.error("live calls not written (%s); %d kept in memory until there is room", exc, len(self._unsaved))
            self._holding = True
            return
        if self._holding:
            log.info("live calls: the disk takes writes again; the %d kept in memory are written", len(self._unsaved))
            self._holding = False
        self._unsaved = {}

    @property
    def unsaved(self) -> int:
        """Calls whose last change waits in memory for room on the disk."""
        return len(self._unsaved)

    def _write(self, changes: dict[str, SavedCall | None]) -> None:
        rows = [(call_id, _to_json(call)) for call_id, call in changes.items() if call is not None]
        gone = [(call_id,) for call_id, call in changes.items() if call is None]
        db = self._db
        db.execute("BEGIN")
        try:
            if gone:
                db.executemany("DELETE FROM live_calls WHERE call_id = ?", gone)
            if rows:
                db.executemany("INSERT OR REPLACE INTO live_calls (call_id, saved) VALUES (?, ?)", rows)
            db.execute("COMMIT")  # on a full disk the pages reach the log here, so this may fail too
        except BaseException:
            if db.in_transaction:  # SQLite may have rolled back already (a full disk)
                db.execute("ROLLBACK")
            raise

    def load(self) -> list[SavedCall]:
        calls: list[SavedCall] = []
        for call_id, text in self._db.execute("SELECT call_id, saved FROM live_calls"):
            try:
                calls.append(_from_json(text))
            except (ValueError, TypeError, KeyError) as exc:
                # one bad row must not keep central down, nor the other callers out of their places
                log.error("live call %s not restored, its row is unreadable: %s", call_id, exc)
        return calls

    def close(self) -> None:
        self._db.close()


def _to_json(call: SavedCall) -> str:
    fields = {f.name: getattr(call, f.name) for f in dataclasses.fields(SavedCall)}
    fields["legs"] = [dataclasses.asdict(leg) for leg in call.legs]
    # -inf (a ringing call, back to the head) is not JSON: kept as null
    fields["order"] = None if call.order == float("-inf") else call.order
    return json.dumps(fields, separators=(",", ":"))


def _from_json(text: str) -> SavedCall:
    fields: dict[str, Any] = json.loads(text)
    fields["legs"] = tuple(CallLeg(**{**leg, "end": LegEnd(leg["end"])}) for leg in fields["legs"])
    fields["order"] = float("-inf") if fields["order"] is None else float(fields["order"])
    return SavedCall(**fields)


class PgLiveCalls:
    """The same rows in PostgreSQL (``[store] url``), beside the other stores there; the schema version is a
    row of ``schema_versions``. A step's writes are one transaction, as in the SQLite file."""

    def __init__(self, url: str) -> None:
        from central.records.portable import open_postgres

        # the same table: TEXT and its comment read the same in PostgreSQL
        self._db = open_postgres(url, "live calls", SCHEMA_VERSION, lambda db, _: db.execute(_SCHEMA), LiveCallsError)

    def write(self, saved: Iterable[SavedCall], ended: Iterable[str]) -> None:
        rows = {call.call_id: _to_json(call) for call in saved}
        gone = [call_id for call_id in ended if call_id not in rows]  # as in the file: a call saved stays
        if not rows and not gone:
            return
        # One statement, atomic on its own: a step waits on the server once, where a transaction of a delete
        # and an insert waits four times (BEGIN, DELETE, INSERT, COMMIT), on central's event loop. The two parts
        # touch different calls (``gone`` leaves out the saved ones), so the order they apply in is no matter.
        self._db.execute(
            "WITH gone AS (DELETE FROM live_calls WHERE call_id = ANY(?::text[])) "
            "INSERT INTO live_calls (call_id, saved) SELECT * FROM unnest(?::text[], ?::text[]) "
            "ON CONFLICT (call_id) DO UPDATE SET saved = excluded.saved",
            (gone, list(rows), list(rows.values())),
        )

    def load(self) -> list[SavedCall]:
        return _readable(self._db.execute("SELECT call_id, saved FROM live_calls").fetchall())

    def close(self) -> None:
        self._db.close()


def _readable(rows: Iterable[tuple[str, str]]) -> list[SavedCall]:
    calls: list[SavedCall] = []
    for call_id, text in rows:
        try:
            calls.append(_from_json(text))
        except (ValueError, TypeError, KeyError) as exc:
            log.error("live call %s not restored, its row is unreadable: %s", call_id, exc)
    return calls


def open_live_calls(place: Path | str) -> SqliteLiveCalls | PgLiveCalls:
    """The live calls in the SQLite file at ``place``, or in the PostgreSQL database its URL names."""
    from central.records.portable import postgres_url

    url = postgres_url(place)
    return PgLiveCalls(url) if url is not None else SqliteLiveCalls(place)
