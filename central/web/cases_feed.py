"""The case desk's live stream: a ``changed`` event (the case's number) whenever a case changes, after
which a page fetches its listing again (each viewer's listing is their own), and a ``snapshot`` event
first and whenever the stream has been idle, so the page can tell a live stream from a dead one."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

from bus.messages.base import utc_now
from central.cases.model import Case
from central.web.sse import EventQueue, sse

MAX_QUEUED = 50
IDLE_S = 10.0


class CaseFeed:
    def __init__(self, idle_s: float = IDLE_S) -> None:
        self.idle_s = idle_s
        self._streams: set[EventQueue] = set()
        self.closed = False

    @property
    def stream_count(self) -> int:
        return len(self._streams)

    def snapshot_event(self) -> bytes:
        return sse("snapshot", {"now": utc_now().isoformat()})

    def changed(self, case: Case) -> None:
        event = sse("changed", {"number": case.number, "now": utc_now().isoformat()})
        for queue in self._streams:
            if queue.qsize() >= MAX_QUEUED:
                # far behind: one snapshot makes the page fetch everything again
                while not queue.empty():
                    queue.get_nowait()
                queue.put_nowait(self.snapshot_event())
            else:
                queue.put_nowait(event)

    @contextlib.contextmanager
    def stream(self) -> Iterator[EventQueue]:
        queue: EventQueue = asyncio.Queue()
        queue.put_nowait(self.snapshot_event())
        self._streams.add(queue)
        try:
            yield queue
        finally:
            self._streams.discard(queue)

    def close(self) -> None:
        self.closed = True
        for queue in self._streams:
            queue.put_nowait(None)
