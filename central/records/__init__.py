"""Call records on disk: the SQLite store the service gives the switchboard. The PostgreSQL one
(``[store] url``) is :class:`central.records.pg_calls.PgCallStore`, imported only where it is used: its
driver is the optional ``postgres`` extra."""

from __future__ import annotations

from central.records.sqlite import SCHEMA_VERSION, SqliteCallStore, StoreError

__all__ = ["SCHEMA_VERSION", "SqliteCallStore", "StoreError"]
