"""How central opens a SQLite file of its own (call records, knowledge base, cases): one way for all.

Autocommit, WAL and ``synchronous=NORMAL`` (a write stays cheap for the event loop; a power cut may lose the
last writes but never corrupts the file), the schema version in ``PRAGMA user_version``, and a file from a
newer program refused with both versions named.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path


def open_database(
    path: Path | str, migrate: Callable[[sqlite3.Connection], None], *, shared: bool = False
) -> sqlite3.Connection:
    """The file at ``path``, brought to this program's schema by ``migrate``; closed again if that fails.
    ``shared``: used from more than one thread (the caller holds its own lock)."""
    db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=not shared)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        migrate(db)
    except BaseException:
        db.close()
        raise
    return db


def stored_version(db: sqlite3.Connection, current: int, what: str, error: type[Exception]) -> int:
    """The file's schema version; ``error`` when it is newer than ``current`` (``what``: the store's name)."""
    (version,) = db.execute("PRAGMA user_version").fetchone()
    if version > current:
        raise error(f"{what} schema {version} is newer than this program's ({current})")
    return int(version)


def create_schema(db: sqlite3.Connection, schema: str, current: int, what: str, error: type[Exception]) -> None:
    """For a store with one schema so far: create it in a new file, nothing in a current one."""
    if stored_version(db, current, what, error) != current:
        db.executescript(f"BEGIN; {schema} PRAGMA user_version = {current}; COMMIT;")
