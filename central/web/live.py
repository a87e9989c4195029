"""The live fleet feed: Server-Sent Events at ``/api/fleet/events``.

A page gets the full snapshot when it connects, then one event per changed device. Changes are gathered
for :data:`FLUSH_S` and written to every open stream together, each serialised once. A stream that falls
too far behind is closed; the browser's EventSource reconnects and starts again from a fresh snapshot.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterator, Sequence
from typing import TypedDict

from aiohttp import web

from bus.messages.base import utc_now
from central.accounts import Role
from central.fleet import DeviceView, FleetCounts, FleetState
from central.web.access import require
from central.web.sse import EventQueue, replace_queued, sse, stream_events

log = logging.getLogger(__name__)

KEEPALIVE_S = 15.0
MAX_BACKLOG_EVENTS = 2000
FLUSH_S = 0.25
"""How long device changes are gathered before they go to the pages, as one write per page: with 2,000
devices reporting every 5 s a write per change was 400 writes a second per page, the largest part of
central's CPU after the bus (bench.fleet); a device that changed twice meanwhile is sent once."""


class PageSnapshot(TypedDict):
    """``GET /api/fleet`` and the first event of every stream."""

    site: str
    bus: str
    bus_risks: list[str]
    """Why central's own broker connection is unsafe (anonymous, plaintext); empty when it is not."""
    now: str
    stale_after_s: float
    counts: FleetCounts
    devices: list[DeviceView]


class FleetFeed:
    """Fans fleet changes out to every open event stream of the facilities page."""

    def __init__(
        self,
        fleet: FleetState,
        site: str,
        bus_state: Callable[[], str],
        keepalive_s: float = KEEPALIVE_S,
        bus_risks: Sequence[str] = (),
        flush_s: float = FLUSH_S,
    ) -> None:
        self.fleet = fleet
        self.site = site
        self.bus_state = bus_state
        self.bus_risks = list(bus_risks)
        self.keepalive_s = keepalive_s
        self.flush_s = flush_s
        self._streams: set[EventQueue] = set()
        self._closed = False
        self._changed: dict[str, DeviceView | None] = {}
        self._flush_timer: asyncio.TimerHandle | None = None
        fleet.add_listener(self._device_changed)

    @property
    def stream_count(self) -> int:
        return len(self._streams)

    def snapshot(self) -> PageSnapshot:
        fleet = self.fleet.snapshot()
        return PageSnapshot(
            site=self.site,
            bus=self.bus_state(),
            bus_risks=self.bus_risks,
            now=fleet["now"],
            stale_after_s=fleet["stale_after_s"],
            counts=fleet["counts"],
            devices=fleet["devices"],
        )

    def bus_changed(self, state: str) -> None:
        """Tell every page that central's own broker connection changed state."""
        self._broadcast(sse("bus", {"bus": state, "now": utc_now().isoformat()}))

    def broadcast(self, event: str, data: object) -> None:
        """Send one more kind of event to every open page (alerts, commands' replies, devices' events, uploads)."""
        if self._streams:
            self._broadcast(sse(event, data))

    def broadcast_each(self, event: str, items: Sequence[object]) -> None:
        """Several events of one kind to every open page, written together (one write per page, not per item)."""
        if self._streams and items:
            self._broadcast(b"".join(sse(event, data) for data in items))

    def close(self) -> None:
        """End every stream (on shutdown); later connections are refused."""
        self._closed = True
        if self._flush_timer is not None:
            self._flush_timer.cancel()
            self._flush_timer = None
        for queue in self._streams:
            replace_queued(queue, None)

    @contextlib.contextmanager
    def stream(self) -> Iterator[EventQueue]:
        """A queue of encoded events for one page, starting with the snapshot; None means "end"."""
        queue: EventQueue = asyncio.Queue(MAX_BACKLOG_EVENTS + 1)
        queue.put_nowait(sse("snapshot", self.snapshot()))
        self._streams.add(queue)
        try:
            yield queue
        finally:
            self._streams.discard(queue)

    @property
    def closed(self) -> bool:
        return self._closed

    def _device_changed(self, device_id: str, view: DeviceView | None) -> None:
        if not self._streams:
            return
        self._changed[device_id] = view  # the latest view wins
        if self._flush_timer is None:
            try:
                self._flush_timer = asyncio.get_running_loop().call_later(self.flush_s, self._flush)
            except RuntimeError:  # no loop (a change made outside one): nothing to wait on
                self._flush()

    def _flush(self) -> None:
        self._flush_timer = None
        changed, self._changed = self._changed, {}
        if not self._streams or not changed:
            return
        now = utc_now().isoformat()
        self._broadcast(
            b"".join(
                sse("removed", {"id": device_id, "now": now})
                if view is None
                else sse("device", {"device": view, "now": now})
                for device_id, view in changed.items()
            )
        )

    def _broadcast(self, event: bytes) -> None:
        for queue in self._streams:
            if queue.qsize() >= MAX_BACKLOG_EVENTS:
                log.info("closing a facilities event stream that fell %d events behind", MAX_BACKLOG_EVENTS)
                replace_queued(queue, None)
            else:
                queue.put_nowait(event)


FEED_KEY = web.AppKey("fleet_feed", FleetFeed)


async def fleet_events(request: web.Request) -> web.StreamResponse:
    """``GET /api/fleet/events``: the snapshot, then ``device``, ``removed``, ``bus`` and ``ping`` events."""
    require(request, Role.FACILITIES.value)
    feed = request.app[FEED_KEY]
    # a named event rather than a comment when idle, so the page can tell a live stream from a dead one
    return await stream_events(request, feed, "facilities", feed.keepalive_s, _ping)


def _ping() -> bytes:
    return sse("ping", {"now": utc_now().isoformat()})
