"""Deadlines by key (one per agent: its ring timeout or its wrap-up end), earliest first."""

from __future__ import annotations

import heapq
import itertools

_COMPACT_SLACK = 64


class Deadlines:
    """Setting a key again replaces its deadline; cancelled and replaced entries are dropped lazily."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, str]] = []
        self._live: dict[str, tuple[float, int]] = {}
        self._order = itertools.count()

    def __len__(self) -> int:
        return len(self._live)

    def set(self, key: str, at: float) -> None:
        entry = (at, next(self._order))
        self._live[key] = entry
        heapq.heappush(self._heap, (*entry, key))
        if len(self._heap) > 2 * len(self._live) + _COMPACT_SLACK:
            self._heap = [(*entry, k) for k, entry in self._live.items()]
            heapq.heapify(self._heap)

    def cancel(self, key: str) -> None:
        self._live.pop(key, None)

    def next(self) -> float | None:
        """The earliest deadline, or None when nothing is pending."""
        self._drop_stale()
        return self._heap[0][0] if self._heap else None

    def pop_due(self, now: float) -> str | None:
        """The key of the earliest deadline at or before ``now`` (forgotten), or None."""
        self._drop_stale()
        if not self._heap or self._heap[0][0] > now:
            return None
        key = heapq.heappop(self._heap)[2]
        del self._live[key]
        return key

    def _drop_stale(self) -> None:
        heap = self._heap
        while heap and self._live.get(heap[0][2]) != heap[0][:2]:
            heapq.heappop(heap)
