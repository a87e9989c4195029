"""Call records on disk: the SQLite store the service gives the switchboard."""

from __future__ import annotations

from central.records.sqlite import SCHEMA_VERSION, SqliteCallStore, StoreError

__all__ = ["SCHEMA_VERSION", "SqliteCallStore", "StoreError"]
