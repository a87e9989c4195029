"""Views and scans per info point: two numbers per point and nothing about who looked (no address, no user
agent, no cookie). Kept in a small JSON file in the state dir, or in a table of the PostgreSQL database
``[store] url`` names, so a restart of central does not zero them.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from central.points.registry import POINT_ID, PointRegistry
from central.records.portable import PgConnection, open_postgres, postgres_url
from central.records.sqlite import StoreError
from config.background import stop_task

log = logging.getLogger(__name__)

COUNTS_FILE = "point-counts.json"
SAVE_EVERY_S = 60.0
MAX_SAVED_POINTS = 100_000


class PointCounts:
    """Views (every load of ``/p/{id}``) and scans (loads from the QR) per point, since ``since``.

    ``place``: the JSON file, or a ``postgresql://`` URL (then :class:`PgPointCounts` keeps them)."""

    def __init__(self, place: Path | str | None = None, clock: Callable[[], float] = time.time) -> None:
        url = postgres_url(place) if place is not None else None
        self.file = Path(place) if place is not None and url is None else None
        self.table = PgPointCounts(url) if url is not None else None
        self.since: float = clock()
        self.views: Counter[str] = Counter()
        self.scans: Counter[str] = Counter()
        self._dirty = False
        self._changed: set[str] = set()
        self._task: asyncio.Task[None] | None = None
        if self.file is not None:
            self._load(self.file)
        elif self.table is not None:
            self._load_table(self.table)

    def seen(self, point_id: str, scanned: bool) -> None:
        self.views[point_id] += 1
        if scanned:
            self.scans[point_id] += 1
        self._dirty = True
        self._changed.add(point_id)

    def view(self, registry: PointRegistry) -> dict[str, Any]:
        """``GET /api/points/stats``: every point of the registry, counted or not."""
        return {
            "since": self.since,
            "points": {point.id: {"views": self.views[point.id], "scans": self.scans[point.id]} for point in registry},
        }

    def save(self) -> None:
        """Write the counts (atomically: a crash mid-write leaves the last good file, or table)."""
        if self.table is not None:
            self._save_table(self.table)
        if self.file is None or not self._dirty:
            return
        body = {"since": self.since, "views": dict(self.views), "scans": dict(self.scans)}
        partial = self.file.with_suffix(".tmp")
        try:
            partial.write_text(json.dumps(body, separators=(",", ":")), encoding="utf-8")
            os.replace(partial, self.file)
            self._dirty = False
        except OSError as exc:
            log.warning("point counts not saved to %s: %s", self.file, exc)

    def start(self, every_s: float = SAVE_EVERY_S) -> None:
        self._task = asyncio.create_task(self._save_now_and_then(every_s), name="point-counts")

    async def stop(self) -> None:
        await stop_task(self._task)
        self._task = None
        self.save()
        if self.table is not None:
            self.table.close()
            self.table = None

    def _save_table(self, table: PgPointCounts) -> None:
        """The points counted since the last save, in one transaction; tried again at the next when it fails."""
        if not self._changed:
            return
        changed, self._changed = self._changed, set()
        try:
            table.save(self.since, {point: (self.views[point], self.scans[point]) for point in changed})
        except Exception as exc:  # a server gone for a moment (any psycopg error): the counts stay in memory
            self._changed |= changed
            log.warning("point counts not saved to PostgreSQL: %s", exc)

    def _load_table(self, table: PgPointCounts) -> None:
        """The saved counts; rows nobody could have written mean counting from now (and say so)."""
        try:
            since, views, scans = table.load()
            if since is None:
                return
            self.since, self.views, self.scans = since, _counter(views), _counter(scans)
        except (ValueError, TypeError) as exc:
            log.warning("point counts in PostgreSQL unreadable (%s); counting from now", exc)

    async def _save_now_and_then(self, every_s: float) -> None:
        while True:
            await asyncio.sleep(every_s)
            self.save()

    def _load(self, file: Path) -> None:
        """The saved counts; a missing file starts from nothing, a damaged one too (and says so)."""
        try:
            body = json.loads(file.read_text(encoding="utf-8"))
            since = float(body["since"])
            views = _counter(body["views"])
            scans = _counter(body["scans"])
        except FileNotFoundError:
            return
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("point counts in %s unreadable (%s); counting from now", file, exc)
            return
        self.since, self.views, self.scans = since, views, scans


def _counter(value: Any) -> Counter[str]:
    if not isinstance(value, dict) or len(value) > MAX_SAVED_POINTS:
        raise ValueError("not a table of counts")
    counts: Counter[str] = Counter()
    for key, n in value.items():
        if not isinstance(key, str) or not POINT_ID.match(key) or not isinstance(n, int) or n < 0:
            raise ValueError(f"bad entry {key!r}")
        counts[key] = n
    return counts


class PointCountsError(StoreError):
    """The point counts' table cannot be used (from a newer program, a server that is down): central does
    not start, and says why."""


SCHEMA_VERSION = 1
# One row per point counted; ``since`` is the start of the counting that row belongs to (the earliest is the
# counts' since: a point counted for the first time later is counted from then, as in the file).
_PG_SCHEMA = """
CREATE TABLE point_counts (
    point_id TEXT PRIMARY KEY,
    views BIGINT NOT NULL,
    scans BIGINT NOT NULL,
    since DOUBLE PRECISION NOT NULL
);
"""


class PgPointCounts:
    """The counts in PostgreSQL (``[store] url``); the schema version a row of ``schema_versions``."""

    def __init__(self, url: str) -> None:
        self._db: PgConnection = open_postgres(
            url, "point counts", SCHEMA_VERSION, lambda db, _: db.execute(_PG_SCHEMA), PointCountsError
        )

    def load(self) -> tuple[float | None, dict[str, int], dict[str, int]]:
        rows = self._db.execute("SELECT point_id, views, scans, since FROM point_counts").fetchall()
        if not rows:
            return None, {}, {}
        views = {point: int(seen) for point, seen, _, _ in rows}
        scans = {point: int(scanned) for point, _, scanned, _ in rows if scanned}
        return min(float(since) for *_, since in rows), views, scans

    def save(self, since: float, counts: dict[str, tuple[int, int]]) -> None:
        self._db.executemany(
            "INSERT INTO point_counts (point_id, views, scans, since) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (point_id) DO UPDATE SET views = excluded.views, scans = excluded.scans",
            [(point, views, scans, since) for point, (views, scans) in counts.items()],
        )

    def close(self) -> None:
        self._db.close()
