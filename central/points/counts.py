"""Views and scans per info point: two numbers per point and nothing about who looked (no address, no user
agent, no cookie). Kept in a small JSON file in the state dir, so a restart of central does not zero them.
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
from config.background import stop_task

log = logging.getLogger(__name__)

COUNTS_FILE = "point-counts.json"
SAVE_EVERY_S = 60.0
MAX_SAVED_POINTS = 100_000


class PointCounts:
    """Views (every load of ``/p/{id}``) and scans (loads from the QR) per point, since ``since``."""

    def __init__(self, file: Path | None = None, clock: Callable[[], float] = time.time) -> None:
        self.file = file
        self.since: float = clock()
        self.views: Counter[str] = Counter()
        self.scans: Counter[str] = Counter()
        self._dirty = False
        self._task: asyncio.Task[None] | None = None
        if file is not None:
            self._load(file)

    def seen(self, point_id: str, scanned: bool) -> None:
        self.views[point_id] += 1
        if scanned:
            self.scans[point_id] += 1
        self._dirty = True

    def view(self, registry: PointRegistry) -> dict[str, Any]:
        """``GET /api/points/stats``: every point of the registry, counted or not."""
        return {
            "since": self.since,
            "points": {point.id: {"views": self.views[point.id], "scans": self.scans[point.id]} for point in registry},
        }

    def save(self) -> None:
        """Write the counts (atomically: a crash mid-write leaves the last good file)."""
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
