"""The supervisors' wallboard: ``/wallboard``, ``GET /api/wallboard`` and the live ``/api/wallboard/events``.

Every event is a whole snapshot (the figures are few): one when a page connects, one after every change
(coalesced to a couple a second), and one every few seconds anyway, so waits and times in state move on
and a dead stream is noticed. A page that is slow to read only ever gets the latest snapshot.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from aiohttp import web

from bus.messages.base import utc_now
from central.calls.coalesce import Coalescer
from central.switchboard.switchboard import Switchboard
from central.web.live import RECONNECT_MS, sse

log = logging.getLogger(__name__)

WALLBOARD_PAGE = Path(__file__).parent / "static" / "wallboard.html"
FLUSH_INTERVAL_S = 0.5
REFRESH_S = 5.0


class WallboardFeed:
    """Fans the switchboard's wallboard view out to every open wallboard."""

    def __init__(
        self, switchboard: Switchboard, site: str, interval_s: float = FLUSH_INTERVAL_S, refresh_s: float = REFRESH_S
    ) -> None:
        self.switchboard = switchboard
        self.site = site
        self.refresh_s = refresh_s
        self._coalescer = Coalescer(self._flush, interval_s)
        self._streams: set[asyncio.Queue[bytes | None]] = set()
        self.closed = False

    def start(self) -> None:
        self.switchboard.add_listener(self.changed)

    def changed(self) -> None:
        if self._streams:
            self._coalescer.poke()

    @property
    def stream_count(self) -> int:
        return len(self._streams)

    def snapshot(self) -> dict[str, Any]:
        return {"site": self.site, "now": utc_now().isoformat(), **self.switchboard.wallboard()}

    def event(self) -> bytes:
        return sse("snapshot", self.snapshot())

    @contextlib.contextmanager
    def stream(self) -> Iterator[asyncio.Queue[bytes | None]]:
        """The latest snapshot for one page, replaced as changes come; None means "end"."""
        queue: asyncio.Queue[bytes | None] = asyncio.Queue()
        queue.put_nowait(self.event())
        self._streams.add(queue)
        try:
            yield queue
        finally:
            self._streams.discard(queue)

    def close(self) -> None:
        self.closed = True
        self._coalescer.close()
        for queue in self._streams:
            _replace(queue, None)

    def _flush(self) -> None:
        if not self._streams:
            return
        event = self.event()
        for queue in self._streams:
            _replace(queue, event)


def _replace(queue: asyncio.Queue[bytes | None], item: bytes | None) -> None:
    while not queue.empty():
        queue.get_nowait()
    queue.put_nowait(item)


WALLBOARD_KEY = web.AppKey("wallboard_feed", WallboardFeed)


def add_wallboard_routes(app: web.Application, feed: WallboardFeed) -> None:
    """``/wallboard``, ``/api/wallboard`` and ``/api/wallboard/events``."""
    app[WALLBOARD_KEY] = feed
    app.router.add_get("/wallboard", wallboard_page)
    app.router.add_get("/api/wallboard", wallboard_snapshot)
    app.router.add_get("/api/wallboard/events", wallboard_events)
    app.on_shutdown.append(_end_streams)


async def wallboard_page(_request: web.Request) -> web.StreamResponse:
    return web.FileResponse(WALLBOARD_PAGE)


async def wallboard_snapshot(request: web.Request) -> web.StreamResponse:
    return web.json_response(request.app[WALLBOARD_KEY].snapshot())


async def wallboard_events(request: web.Request) -> web.StreamResponse:
    """``GET /api/wallboard/events``: ``snapshot`` events, the first at once."""
    feed = request.app[WALLBOARD_KEY]
    if feed.closed:
        raise web.HTTPServiceUnavailable(text="central is shutting down")
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/event-stream; charset=utf-8",
            "Cache-Control": "no-cache, no-store",
            "X-Accel-Buffering": "no",
        }
    )
    with feed.stream() as queue:
        await response.prepare(request)
        try:
            await response.write(f"retry: {RECONNECT_MS}\n\n".encode())
            while True:
                try:
                    event = await asyncio.wait_for(queue.get(), feed.refresh_s)
                except TimeoutError:
                    event = feed.event()
                if event is None:
                    break
                await response.write(event)
        except ConnectionResetError:
            pass
    return response


async def _end_streams(app: web.Application) -> None:
    app[WALLBOARD_KEY].close()
