"""The print job queue: SQLite in the device's state directory, so jobs survive a restart.

A job is pending until the printer reports ready after printing it (then ``done``), or until it
expires, or fails for good. Jobs print in the order they were added. A disk too full to take a new
job refuses that job and leaves the stored ones as they were (each write is one transaction).

A job's end (done, failed, expired) and its tries are never lost to a full disk either: they are kept in
memory and written at the next write that succeeds, and the queue reads as if they were written. Otherwise
a slip printed while the disk is full would stay pending and print again, and again.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import sqlite3
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

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
        self._ends: dict[str, tuple[JobState, float, str]] = {}  # not written yet (disk full)
        self._tries: dict[str, tuple[int, str]] = {}  # tries not written yet, and the last one's detail
        self._holding = False  # a write failed and what it wrote waits in memory

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
        self._write_unsaved()
        rows = self._db.execute("SELECT * FROM jobs WHERE state = ? ORDER BY seq", (JobState.PENDING.value,))
        return [self._as_known(_job(row)) for row in rows.fetchall() if row[1] not in self._ends]

    def next(self) -> PrintJob | None:
        self._write_unsaved()
        rows = self._db.execute("SELECT * FROM jobs WHERE state = ? ORDER BY seq", (JobState.PENDING.value,))
        for row in rows:  # the first, unless its end waits to be written
            if row[1] not in self._ends:
                return self._as_known(_job(row))
        return None

    def count_pending(self) -> int:
        row = self._db.execute("SELECT COUNT(*) FROM jobs WHERE state = ?", (JobState.PENDING.value,)).fetchone()
        return int(row[0]) - len(self._ends)

    def get(self, job_id: str) -> PrintJob | None:
        row = self._db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return None if row is None else self._as_known(_job(row))

    def finish(self, job: PrintJob, state: JobState, detail: str = "") -> None:
        stored = self.get(job.id)
        if stored is None or stored.state is not JobState.PENDING:
            return
        self._ends[job.id] = (state, self._clock(), detail)
        self._write_unsaved()

    def count_attempt(self, job: PrintJob, detail: str) -> int:
        """One more try that did not finish; returns the number of tries so far."""
        tries, _ = self._tries.get(job.id, (0, ""))
        self._tries[job.id] = (tries + 1, detail)
        self._write_unsaved()
        known = self.get(job.id)
        return 0 if known is None else known.attempts

    def expire(self) -> list[PrintJob]:
        """Mark pending jobs past their time as expired; returns them."""
        now = self._clock()
        rows = self._db.execute(
            "SELECT * FROM jobs WHERE state = ? AND expires <= ? ORDER BY seq", (JobState.PENDING.value, now)
        ).fetchall()
        expired = [_job(row) for row in rows if row[1] not in self._ends]
        for job in expired:
            self.finish(job, JobState.EXPIRED, "not printed in time")
        return expired

    @property
    def unsaved(self) -> int:
        """Jobs whose end or tries wait in memory for room on the disk."""
        return len(self._ends.keys() | self._tries.keys())

    def _as_known(self, job: PrintJob) -> PrintJob:
        """The job as stored, with what waits to be written on top."""
        tries, detail = self._tries.get(job.id, (0, job.detail))
        if job.id in self._ends:
            state, _, detail = self._ends[job.id]
            return dataclasses.replace(job, state=state, attempts=job.attempts + tries, detail=detail)
        return dataclasses.replace(job, attempts=job.attempts + tries, detail=detail) if tries else job

    def _write_unsaved(self) -> None:
        if not self._ends and not self._tries:
            return
        try:
            with self._db:
                self._db.execute("BEGIN IMMEDIATE")
                self._db.executemany(
                    "UPDATE jobs SET attempts = attempts + ?, detail = ? WHERE id = ?",
                    [(tries, detail, job_id) for job_id, (tries, detail) in self._tries.items()],
                )
                self._db.executemany(
                    "UPDATE jobs SET state = ?, finished = ?, detail = ? WHERE id = ? AND state = ?",
                    [
                        (state.value, finished, detail, job_id, JobState.PENDING.value)
                        for job_id, (state, finished, detail) in self._ends.items()
                    ],
                )
        except sqlite3.OperationalError as exc:
            if not self._holding:
                log.error("print queue: the disk takes no writes (%s); %d jobs' ends kept in memory", exc, self.unsaved)
            self._holding = True
            return
        if self._holding:
            log.info("print queue: the disk takes writes again; %d jobs' ends written", self.unsaved)
        self._holding = False
        self._ends.clear()
        self._tries.clear()


def _job(row: tuple[Any, ...]) -> PrintJob:
    _seq, job_id, template, slip, created, expires, state, attempts, _finished, detail = row
    return PrintJob(job_id, template, json.loads(slip), created, expires, JobState(state), attempts, detail)
