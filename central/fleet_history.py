"""Each device's health over the last 24 hours at one-minute resolution, for the facilities console's charts.

Health arrives every few seconds per device; it is folded into the current minute in memory (CPU and memory
averaged, temperature and broker round trip at their worst, which is what staff look for) and written to
SQLite once the minute is over, one batch for the whole fleet. Minutes older than the window are pruned,
so the file holds at most devices × 1,440 rows. The clock is passed in (epoch seconds).

A disk too full to take a flush keeps the finished minutes in memory (``MAX_HELD`` at most, the newest; the
charts still show them) and writes them at the next flush that the disk takes.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

from central.records.portable import Connection, open_postgres, pg_schema, postgres_url
from central.records.sqlite import StoreError

log = logging.getLogger(__name__)

HISTORY_FILE = "fleet-history.sqlite3"
WINDOW_S = 24 * 3600
MINUTE_S = 60
SCHEMA_VERSION = 1
MAX_DEVICES = 10_000
MAX_HELD = 100_000
"""Finished minutes kept in memory while the disk takes none (about an hour of a 1,500-device fleet)."""

_SCHEMA = """
CREATE TABLE health (
    device TEXT NOT NULL,
    minute INTEGER NOT NULL,  -- epoch seconds at the start of the minute
    cpu_percent REAL,
    memory_percent REAL,
    temperature_c REAL,
    broker_rtt_ms REAL,
    samples INTEGER NOT NULL,
    PRIMARY KEY (device, minute)
) WITHOUT ROWID;
CREATE INDEX health_by_minute ON health (minute);
"""
# the same table in PostgreSQL ([store] url): BIGINT minutes (epoch seconds outgrow INTEGER in 2038)
_PG_SCHEMA = pg_schema(_SCHEMA).replace(" WITHOUT ROWID", "").replace("minute INTEGER", "minute BIGINT")
_UPSERT = (
    "INSERT INTO health (device, minute, cpu_percent, memory_percent, temperature_c, broker_rtt_ms, samples) "
    "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (device, minute) DO UPDATE SET cpu_percent = excluded.cpu_percent, "
    "memory_percent = excluded.memory_percent, temperature_c = excluded.temperature_c, "
    "broker_rtt_ms = excluded.broker_rtt_ms, samples = excluded.samples"
)


class HistoryPoint(TypedDict):
    minute: int
    cpu_percent: float | None
    memory_percent: float | None
    temperature_c: float | None
    broker_rtt_ms: float | None


@dataclass
class _Bucket:
    device: str
    minute: int
    samples: int = 0
    cpu_sum: float = 0.0
    memory_sum: float = 0.0
    temperature_c: float | None = None
    broker_rtt_ms: float | None = None

    def add(self, cpu: float, memory: float, temperature: float | None, rtt: float | None) -> None:
        # the worst temperature and round trip kept inline: 400 reports a second with 2,000 devices
        self.samples += 1
        self.cpu_sum += cpu
        self.memory_sum += memory
        if temperature is not None and (self.temperature_c is None or temperature > self.temperature_c):
            self.temperature_c = temperature
        if rtt is not None and (self.broker_rtt_ms is None or rtt > self.broker_rtt_ms):
            self.broker_rtt_ms = rtt

    def point(self) -> HistoryPoint:
        return HistoryPoint(
            minute=self.minute,
            cpu_percent=round(self.cpu_sum / self.samples, 2),
            memory_percent=round(self.memory_sum / self.samples, 2),
            temperature_c=self.temperature_c,
            broker_rtt_ms=self.broker_rtt_ms,
        )


class HealthHistory:
    """Records health per device and minute; ``flush`` writes finished minutes and prunes old ones."""

    def __init__(self, path: Path | str, clock: Callable[[], float] = time.time, window_s: float = WINDOW_S) -> None:
        self._clock = clock
        self._window_s = window_s
        self._open: dict[str, _Bucket] = {}
        self._done: list[_Bucket] = []  # finished minutes not yet written: one batch at the next flush
        self._holding = False  # the disk refused a flush: minutes wait in memory
        url = postgres_url(path)
        if url is not None:
            self._db: Connection = open_postgres(
                url, "fleet history", SCHEMA_VERSION, lambda db, _: db.execute(_PG_SCHEMA), StoreError
            )
            return
        self._db = db = sqlite3.connect(str(path), isolation_level=None)
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            if version == 0:
                db.executescript(_SCHEMA)
                self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            elif version != SCHEMA_VERSION:  # a StoreError: central says "cannot start" with both versions
                raise StoreError(f"{path}: health history of schema {version}; this version reads {SCHEMA_VERSION}")
        except BaseException:
            self._db.close()
            raise

    def record(
        self,
        device: str,
        cpu_percent: float,
        memory_percent: float,
        temperature_c: float | None,
        broker_rtt_ms: float | None,
    ) -> None:
        """One health report, at the clock's now."""
        now = self._clock()
        bucket = self._open.get(device)
        if bucket is not None and bucket.minute <= now < bucket.minute + MINUTE_S:
            bucket.add(cpu_percent, memory_percent, temperature_c, broker_rtt_ms)  # the minute in progress
            return
        minute = int(now // MINUTE_S * MINUTE_S)
        if bucket is not None and bucket.minute != minute:
            self._done.append(bucket)
            bucket = None
        if bucket is None:
            if device not in self._open and len(self._open) >= MAX_DEVICES:
                return
            bucket = self._open[device] = _Bucket(device, minute)
        bucket.add(cpu_percent, memory_percent, temperature_c, broker_rtt_ms)

    def flush(self) -> int:
        """Write every finished minute and prune what left the window; returns the rows pruned."""
        minute = int(self._clock() // MINUTE_S * MINUTE_S)
        done = self._done + [bucket for bucket in self._open.values() if bucket.minute < minute]
        for device in [device for device, bucket in self._open.items() if bucket.minute < minute]:
            del self._open[device]
        try:
            self._write(done)
        except sqlite3.OperationalError as exc:
            self._done = done[-MAX_HELD:]
            if not self._holding:  # once per spell of a full disk, not every flush
                log.error("fleet history not written (%s); %d minutes kept in memory", exc, len(self._done))
            self._holding = True
            return 0
        if self._holding:
            log.info("fleet history: the disk takes writes again; %d minutes kept in memory written", len(done))
            self._holding = False
        self._done = []
        oldest = self._clock() - self._window_s
        try:
            return int(self._db.execute("DELETE FROM health WHERE minute < ?", (oldest,)).rowcount)
        except sqlite3.OperationalError as exc:
            log.warning("fleet history: old minutes not pruned (%s); next flush tries again", exc)
            return 0

    def points(self, device: str) -> list[HistoryPoint]:
        """The device's minutes within the window, oldest first, the minute now in progress included."""
        oldest = self._clock() - self._window_s
        rows = self._db.execute(
            "SELECT minute, cpu_percent, memory_percent, temperature_c, broker_rtt_ms FROM health"
            " WHERE device = ? AND minute >= ? ORDER BY minute",
            (device, oldest),
        ).fetchall()
        points = [
            HistoryPoint(minute=m, cpu_percent=cpu, memory_percent=memory, temperature_c=temp, broker_rtt_ms=rtt)
            for m, cpu, memory, temp, rtt in rows
        ]
        held = [bucket for bucket in self._done if bucket.device == device]
        bucket = self._open.get(device)
        if bucket is not None:
            held.append(bucket)
        points += [bucket.point() for bucket in held if bucket.minute >= oldest]
        return points

    @property
    def unsaved(self) -> int:
        """Finished minutes kept in memory because the disk refused them (0 while it takes them)."""
        return len(self._done) if self._holding else 0

    def row_count(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM health").fetchone()[0])

    def close(self) -> None:
        """Write what is held, then close the file."""
        self._write(self._done + list(self._open.values()))
        self._done = []
        self._open.clear()
        self._db.close()

    def _write(self, buckets: list[_Bucket]) -> None:
        if not buckets:
            return
        rows = []
        for bucket in buckets:
            point = bucket.point()
            rows.append(
                (
                    bucket.device,
                    point["minute"],
                    point["cpu_percent"],
                    point["memory_percent"],
                    point["temperature_c"],
                    point["broker_rtt_ms"],
                    bucket.samples,
                )
            )
        self._db.executemany(_UPSERT, rows)
