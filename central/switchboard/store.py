"""Where the switchboard keeps call records: an interface, and a dict behind it for tests and benchmarks.

The SQLite file behind the same interface is :class:`central.records.SqliteCallStore`; the switchboard
itself does no I/O.
"""

from __future__ import annotations

from typing import Protocol

from central.switchboard.model import CallRecord


class CallStore(Protocol):
    """Where call records live. Writes happen when a call ends and when its details are filled in."""

    def save(self, record: CallRecord) -> None:
        """Insert the record, or replace the one with the same ``call_id``."""
        ...

    def get(self, call_id: str) -> CallRecord | None: ...

    def arrived_between(self, start: float, end: float) -> list[CallRecord]:
        """Records with ``start <= arrived_at < end``, oldest first."""
        ...

    def recent_handled(self, skill: str, limit: int) -> list[CallRecord]:
        """The last ``limit`` records of ``skill`` whose handle time is known, newest first."""
        ...

    def close(self) -> None: ...


class MemoryCallStore:
    """Records in a dict; for tests and benchmarks."""

    def __init__(self) -> None:
        self._records: dict[str, CallRecord] = {}

    def __len__(self) -> int:
        return len(self._records)

    def save(self, record: CallRecord) -> None:
        self._records[record.call_id] = record

    def get(self, call_id: str) -> CallRecord | None:
        return self._records.get(call_id)

    def arrived_between(self, start: float, end: float) -> list[CallRecord]:
        found = [r for r in self._records.values() if start <= r.arrived_at < end]
        return sorted(found, key=lambda r: r.arrived_at)

    def recent_handled(self, skill: str, limit: int) -> list[CallRecord]:
        handled = [r for r in self._records.values() if r.skill == skill and r.wrap_s is not None]
        return sorted(handled, key=lambda r: r.ended_at, reverse=True)[:limit]

    def all(self) -> list[CallRecord]:
        return list(self._records.values())

    def close(self) -> None:
        pass
