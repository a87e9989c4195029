"""Cases in a SQLite file, behind :class:`CaseStore`, in the style of the call records' store: WAL, one
transaction per write, the schema version in ``PRAGMA user_version``. A case's scalar fields are columns
(so listings can filter on them); its calls and timeline are JSON."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any, Protocol

from central.cases.model import Case, Entry, EntryKind, Status
from central.records.database import create_schema, open_database
from central.records.portable import Connection, open_postgres, pg_schema, postgres_url
from central.records.sqlite import StoreError

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE cases (
    number INTEGER PRIMARY KEY,
    token TEXT NOT NULL UNIQUE,
    category TEXT NOT NULL,
    department TEXT NOT NULL,
    owner TEXT NOT NULL,
    summary TEXT NOT NULL,
    calls TEXT NOT NULL,
    status TEXT NOT NULL,
    opened_at REAL NOT NULL,
    due_at REAL NOT NULL,
    closed_at REAL,
    phone TEXT,
    rating INTEGER,
    resolved_for_passenger INTEGER,
    timeline TEXT NOT NULL
);
-- the desk's listings: every case not closed yet, and the recent ones
CREATE INDEX cases_by_status ON cases (status, due_at);
CREATE INDEX cases_by_opening ON cases (opened_at);
"""
_COLUMNS = (
    "number, token, category, department, owner, summary, calls, status, opened_at, due_at, closed_at, phone, "
    "rating, resolved_for_passenger, timeline"
)

# INSERT OR REPLACE in a form PostgreSQL takes too
_REPLACE = "ON CONFLICT (number) DO UPDATE SET " + ", ".join(
    f"{name} = excluded.{name}" for name in _COLUMNS.split(", ") if name != "number"
)


class CaseStoreError(StoreError):
    """The store cannot be used (for example it was written by a newer version)."""


class CaseStore(Protocol):
    def next_number(self) -> int: ...

    def save(self, case: Case) -> None: ...

    def get(self, number: int) -> Case | None: ...

    def by_token(self, token: str) -> Case | None: ...

    def unfinished(self) -> list[Case]: ...

    def opened_between(self, start: float, end: float) -> list[Case]: ...

    def with_phone_closed(self) -> list[Case]: ...

    def close(self) -> None: ...


class SqliteCaseStore:
    """See the module. Safe to share between threads (one lock)."""

    def __init__(self, path: Path | str) -> None:
        self._lock = threading.Lock()
        self._db: Connection = open_database(
            path, lambda db: create_schema(db, _SCHEMA, SCHEMA_VERSION, "case store", CaseStoreError), shared=True
        )

    def next_number(self) -> int:
        with self._lock:
            (top,) = self._db.execute("SELECT COALESCE(MAX(number), 0) FROM cases").fetchone()
        return int(top) + 1

    def save(self, case: Case) -> None:
        marks = ", ".join("?" for _ in range(15))
        with self._lock:
            self._db.execute(f"INSERT INTO cases ({_COLUMNS}) VALUES ({marks}) {_REPLACE}", _row(case))  # noqa: S608

    def get(self, number: int) -> Case | None:
        return self._one("number = ?", number)

    def by_token(self, token: str) -> Case | None:
        return self._one("token = ?", token)

    def unfinished(self) -> list[Case]:
        """Every case that is not closed, soonest due first."""
        return self._many("status != 'closed' ORDER BY due_at")

    def opened_between(self, start: float, end: float) -> list[Case]:
        return self._many("opened_at >= ? AND opened_at < ? ORDER BY opened_at", start, end)

    def with_phone_closed(self) -> list[Case]:
        return self._many("status = 'closed' AND phone IS NOT NULL")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _one(self, where: str, *args: Any) -> Case | None:
        found = self._many(where, *args)
        return found[0] if found else None

    def _many(self, where: str, *args: Any) -> list[Case]:
        with self._lock:
            rows = self._db.execute(f"SELECT {_COLUMNS} FROM cases WHERE {where}", args).fetchall()  # noqa: S608
        return [_case(row) for row in rows]


def _entry_json(entry: Entry) -> dict[str, Any]:
    return {
        "at": entry.at,
        "who": entry.who,
        "kind": entry.kind.value,
        "text": entry.text,
        "public": entry.public,
        "status": None if entry.status is None else entry.status.value,
    }


def _entry(data: dict[str, Any]) -> Entry:
    status = data.get("status")
    return Entry(
        at=float(data["at"]),
        who=str(data["who"]),
        kind=EntryKind(data["kind"]),
        text=str(data.get("text", "")),
        public=bool(data.get("public", False)),
        status=None if status is None else Status(status),
    )


def _row(case: Case) -> tuple[Any, ...]:
    return (
        case.number,
        case.token,
        case.category,
        case.department,
        case.owner,
        case.summary,
        json.dumps(list(case.calls)),
        case.status.value,
        case.opened_at,
        case.due_at,
        case.closed_at,
        case.phone,
        case.rating,
        None if case.resolved_for_passenger is None else int(case.resolved_for_passenger),
        json.dumps([_entry_json(entry) for entry in case.timeline], ensure_ascii=False),
    )


def _case(row: tuple[Any, ...]) -> Case:
    return Case(
        number=int(row[0]),
        token=row[1],
        category=row[2],
        department=row[3],
        owner=row[4],
        summary=row[5],
        calls=tuple(json.loads(row[6])),
        status=Status(row[7]),
        opened_at=float(row[8]),
        due_at=float(row[9]),
        closed_at=row[10],
        phone=row[11],
        rating=row[12],
        resolved_for_passenger=None if row[13] is None else bool(row[13]),
        timeline=tuple(_entry(item) for item in json.loads(row[14])),
    )


class PgCaseStore(SqliteCaseStore):
    """The same cases, tables and SQL in PostgreSQL ([store] url); the schema version in schema_versions."""

    def __init__(self, url: str) -> None:
        self._lock = threading.Lock()
        self._db = open_postgres(
            url, "case store", SCHEMA_VERSION, lambda db, _: db.execute(pg_schema(_SCHEMA)), CaseStoreError
        )


def open_case_store(place: Path | str) -> SqliteCaseStore:
    """The case store in the SQLite file at ``place``, or in the PostgreSQL database its URL names."""
    url = postgres_url(place)
    return PgCaseStore(url) if url is not None else SqliteCaseStore(place)
