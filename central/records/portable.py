"""One connection shape for the stores that live in SQLite or PostgreSQL: SQL written once, with ``?`` marks.

A store opens :func:`open_portable` with its file path or ``[store] url``; it gets back something that
executes as ``sqlite3.Connection`` does (``execute``, ``executemany``, cursors with ``fetchone``,
``fetchall``, ``rowcount`` and iteration), and :data:`DUPLICATE` to catch a taken primary or unique key on either.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

from central.records.postgres import Reconnecting, is_postgres, migrate

try:  # psycopg is the optional 'postgres' extra: without it central runs on SQLite alone
    import psycopg

    DUPLICATE: tuple[type[Exception], ...] = (sqlite3.IntegrityError, psycopg.IntegrityError)
except ImportError:  # pragma: no cover (the test extra installs it)
    DUPLICATE = (sqlite3.IntegrityError,)


class Cursor(Protocol):
    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...  # row by row: a long read need not be in memory at once


class Connection(Protocol):
    def execute(self, sql: str, parameters: Sequence[Any] = ..., /) -> Cursor: ...

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]], /) -> Any: ...

    def close(self) -> None: ...


class PgConnection:
    """A psycopg connection that takes the stores' ``?`` marks (no store's SQL has a ``?`` of its own), and
    is made again when the server drops it (:class:`~central.records.postgres.Reconnecting`)."""

    def __init__(self, link: Reconnecting) -> None:
        self.link = link

    @property
    def db(self) -> Any:
        """The psycopg connection of the moment (a new one after the server dropped the last)."""
        return self.link.db

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> Cursor:
        marked, values = sql.replace("?", "%s"), parameters or None
        return self.link.run(lambda db: db.execute(marked, values))

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]], /) -> None:
        marked, values = sql.replace("?", "%s"), list(rows)

        def write(db: Any) -> None:
            with db.transaction(), db.cursor() as cursor:
                cursor.executemany(marked, values)

        self.link.run(write)

    def close(self) -> None:
        self.link.close()


def pg_schema(sqlite_ddl: str) -> str:
    """A store's SQLite DDL for PostgreSQL: its REAL is 4 bytes (epoch seconds would lose their minutes)."""
    return sqlite_ddl.replace(" REAL", " DOUBLE PRECISION")


def open_postgres(
    url: str, store: str, current: int, steps: Callable[[PgConnection, int], object], error: type[Exception]
) -> PgConnection:
    """A connection to the database at ``url`` with ``store``'s tables at version ``current``: ``steps(db,
    stored)`` brings them there from version ``stored`` (0: none yet), in one transaction."""
    db = PgConnection(Reconnecting(url, error))
    try:
        migrate(db.db, store, current, lambda _, version: steps(db, version), error)
    except BaseException:
        db.close()
        raise
    return db


def postgres_url(place: Path | str) -> str | None:
    """``place`` if it is a PostgreSQL URL (the store then lives there), else None (a SQLite file)."""
    return place if isinstance(place, str) and is_postgres(place) else None
