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
from typing import Any

from aiohttp import web

from bus.messages.base import utc_now
from central.accounts import Role
from central.calls.coalesce import Coalescer
from central.switchboard.console.wallboard import WallboardSnapshot
from central.switchboard.console.wire import as_json
from central.switchboard.switchboard import Switchboard
from central.web.access import DISPLAY, require
from central.web.pages import add_page
from central.web.sse import EventQueue, replace_queued, sse, stream_events

log = logging.getLogger(__name__)

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
        self._streams: set[EventQueue] = set()
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
        view = self.switchboard.wallboard_view()
        return as_json(WallboardSnapshot(**dict(view), site=self.site, now=utc_now()))

    def event(self) -> bytes:
        return sse("snapshot", self.snapshot())

    @contextlib.contextmanager
    def stream(self) -> Iterator[EventQueue]:
        """The latest snapshot for one page, replaced as changes come; None means "end"."""
        queue: EventQueue = asyncio.Queue()
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
            replace_queued(queue, None)

    def _flush(self) -> None:
        if not self._streams:
            return
        event = self.event()
        for queue in self._streams:
            replace_queued(queue, event)


WALLBOARD_KEY = web.AppKey("wallboard_feed", WallboardFeed)


def add_wallboard_routes(app: web.Application, feed: WallboardFeed) -> None:
    """``/wallboard``, ``/api/wallboard`` and ``/api/wallboard/events``."""
    app[WALLBOARD_KEY] = feed
    add_page(app, "/wallboard", "wallboard.html")
    app.router.add_get("/api/wallboard", wallboard_snapshot)
    app.router.add_get("/api/wallboard/events", wallboard_events)
    app.on_shutdown.append(_end_streams)


async def wallboard_snapshot(request: web.Request) -> web.StreamResponse:
    require(request, Role.SUPERVISOR.value, DISPLAY)
    return web.json_response(request.app[WALLBOARD_KEY].snapshot())


async def wallboard_events(request: web.Request) -> web.StreamResponse:
    """``GET /api/wallboard/events``: ``snapshot`` events, the first at once."""
    require(request, Role.SUPERVISOR.value, DISPLAY)
    feed = request.app[WALLBOARD_KEY]
    return await stream_events(request, feed, "wallboard", feed.refresh_s, feed.event)


async def _end_streams(app: web.Application) -> None:
    app[WALLBOARD_KEY].close()
