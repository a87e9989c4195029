"""The print job queue: SQLite in the device's state directory, so jobs survive a restart.

A job is pending until the printer reports ready after printing it (then ``done``), or until it
expires, or fails for good. Jobs print in the order they were added. A disk too full to take a new
job refuses that job and leaves the stored ones as they were (each write is one transaction).
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

FILE_NAME = "print-jobs.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    template TEXT NOT NULL,
    slip TEXT NOT NULL,
    created REAL NOT NULL,
    expires REAL NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    finished REAL,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS jobs_pending ON jobs (state, seq);
"""


class JobState(StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"
    EXPIRED = "expired"


@dataclass(frozen=True)
class PrintJob:
    id: str
    template: str
    slip: dict[str, Any]
    created: float
    expires: float
    state: JobState
    attempts: int = 0
    detail: str = ""


class QueueFull(OSError):
    """The job could not be stored (disk full or the store failed); nothing stored before was touched."""


class JobQueue:
    """Pending print jobs in order; ``clock`` is wall time (expiry must hold across restarts)."""

    def __init__(self, path: Path, clock: Callable[[], float] = time.time, max_bytes: int | None = None) -> None:
        self.path = path
        self._clock = clock
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")  # a job the passenger was told about survives power loss
        self._db.executescript(_SCHEMA)
        if max_bytes is not None:
            # a cap on the file, so a runaway sender fills the queue and not the device's disk
            page_size = int(self._db.execute("PRAGMA page_size").fetchone()[0])
            self._db.execute(f"PRAGMA max_page_count = {max(1, max_bytes // page_size)}")

    def close(self) -> None:
        self._db.close()

    def add(self, template: str, slip: dict[str, Any], lifetime_s: float) -> PrintJob:
        now = self._clock()
        job = PrintJob(uuid.uuid4().hex[:16], template, slip, now, now + lifetime_s, JobState.PENDING)
        try:
            with self._db:
                self._db.execute("BEGIN IMMEDIATE")
                self._db.execute(
                    "INSERT INTO jobs (id, template, slip, created, expires, state) VALUES (?, ?, ?, ?, ?, ?)",
                    (job.id, template, json.dumps(slip, ensure_ascii=False), now, job.expires, job.state.value),
                )
        except sqlite3.Error as exc:
            raise QueueFull(f"could not store the print job: {exc}") from exc
        return job

    def pending(self) -> list[PrintJob]:
        rows = self._db.execute("SELECT * FROM jobs WHERE state = ? ORDER BY seq", (JobState.PENDING.value,))
        return [_job(row) for row in rows.fetchall()]

    def next(self) -> PrintJob | None:
        row = self._db.execute(
            "SELECT * FROM jobs WHERE state = ? ORDER BY seq LIMIT 1", (JobState.PENDING.value,)
        ).fetchone()
        return None if row is None else _job(row)

    def count_pending(self) -> int:
        row = self._db.execute("SELECT COUNT(*) FROM jobs WHERE state = ?", (JobState.PENDING.value,)).fetchone()
        return int(row[0])

    def get(self, job_id: str) -> PrintJob | None:
        row = self._db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return None if row is None else _job(row)

    def finish(self, job: PrintJob, state: JobState, detail: str = "") -> None:
        with self._db:
            self._db.execute(
                "UPDATE jobs SET state = ?, finished = ?, detail = ? WHERE id = ? AND state = ?",
                (state.value, self._clock(), detail, job.id, JobState.PENDING.value),
            )

    def count_attempt(self, job: PrintJob, detail: str) -> int:
        """One more try that did not finish; returns the number of tries so far."""
        with self._db:
            self._db.execute("UPDATE jobs SET attempts = attempts + 1, detail = ? WHERE id = ?", (detail, job.id))
        row = self._db.execute("SELECT attempts FROM jobs WHERE id = ?", (job.id,)).fetchone()
        return int(row[0])

    def expire(self) -> list[PrintJob]:
        """Mark pending jobs past their time as expired; returns them."""
        now = self._clock()
        rows = self._db.execute(
            "SELECT * FROM jobs WHERE state = ? AND expires <= ? ORDER BY seq", (JobState.PENDING.value, now)
        ).fetchall()
        expired = [_job(row) for row in rows]
        for job in expired:
            self.finish(job, JobState.EXPIRED, "not printed in time")
        return expired


def _job(row: tuple[Any, ...]) -> PrintJob:
    _seq, job_id, template, slip, created, expires, state, attempts, _finished, detail = row
    return PrintJob(job_id, template, json.loads(slip), created, expires, JobState(state), attempts, detail)
