"""The boards over HTTP: ``GET /api/flights?direction=dep|arr``, one flight at ``GET /api/flights/{id}`` and
its changes as Server-Sent Events at ``GET /api/flights/{id}/events``, and the phone page ``GET /flight/{id}``
(plain HTML and JavaScript in ``static/``, the QR codes on the kiosk point at it)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from aiohttp import web

from bus.messages.base import utc_now
from bus.messages.flights import Direction, Flight, FlightBoard, FlightUpdate
from central.feeds.health import FeedView
from central.flights.publisher import BoardPublisher
from central.web.pages import STATIC_DIR
from central.web.sse import EventQueue, replace_queued, sse, stream_events

FLIGHT_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
KEEPALIVE_S = 20.0
MAX_BACKLOG_EVENTS = 50
PAGE = STATIC_DIR / "flight.html"


class FlightPages:
    """Serves the boards and fans each flight's changes out to the pages that show it."""

    def __init__(self, publisher: BoardPublisher, feeds: Callable[[], list[FeedView]]) -> None:
        self._publisher = publisher
        self._feeds = feeds
        self._streams: dict[str, set[EventQueue]] = {}
        self.closed = False
        publisher.add_listener(self._published)

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get("/api/flights", self._board)
        app.router.add_get("/api/flights/{id}", self._flight)
        app.router.add_get("/api/flights/{id}/events", self._events)
        app.router.add_get("/flight/{id}", self._page)
        app.on_shutdown.append(self._close)

    def board_view(self, direction: Direction) -> dict[str, Any]:
        board = self._publisher.snapshot(direction)
        view: dict[str, Any] = json.loads(board.model_dump_json())
        view["feeds"] = self._feeds()
        return view

    async def _board(self, request: web.Request) -> web.StreamResponse:
        try:
            direction = Direction(request.query.get("direction", ""))
        except ValueError:
            raise web.HTTPBadRequest(text="direction must be dep or arr") from None
        return web.json_response(self.board_view(direction))

    async def _flight(self, request: web.Request) -> web.StreamResponse:
        flight = self._publisher.flight(_flight_id(request))
        if flight is None:
            raise web.HTTPNotFound(text="no such flight on the boards")
        return web.json_response(self._flight_view(flight))

    async def _page(self, request: web.Request) -> web.StreamResponse:
        _flight_id(request)
        return web.FileResponse(PAGE, headers={"Cache-Control": "no-cache"})

    async def _events(self, request: web.Request) -> web.StreamResponse:
        id_ = _flight_id(request)
        pages = self

        class OneFlight:
            closed = pages.closed

            @property
            def stream_count(self) -> int:
                return len(pages._streams.get(id_, ()))

            def stream(self) -> contextlib.AbstractContextManager[EventQueue]:
                return pages._stream(id_)

        return await stream_events(request, OneFlight(), "flight", KEEPALIVE_S, _ping)

    @contextlib.contextmanager
    def _stream(self, id_: str) -> Iterator[EventQueue]:
        queue: EventQueue = asyncio.Queue(MAX_BACKLOG_EVENTS + 1)
        flight = self._publisher.flight(id_)
        queue.put_nowait(sse("flight", self._flight_view(flight)) if flight else sse("gone", {"id": id_}))
        self._streams.setdefault(id_, set()).add(queue)
        try:
            yield queue
        finally:
            streams = self._streams.get(id_, set())
            streams.discard(queue)
            if not streams:
                self._streams.pop(id_, None)

    def _flight_view(self, flight: Flight) -> dict[str, Any]:
        board = self._publisher.snapshot(flight.direction)
        view: dict[str, Any] = json.loads(flight.model_dump_json())
        return {"flight": view, "tz": board.tz, "site": board.site, "revision": board.revision}

    def _published(self, _direction: Direction, update: FlightUpdate, _board: FlightBoard) -> None:
        if not self._streams:
            return
        for flight in update.changed:
            self._broadcast(flight.id, sse("flight", self._flight_view(flight)))
        for id_ in update.removed:
            self._broadcast(id_, sse("gone", {"id": id_}))

    def _broadcast(self, id_: str, event: bytes) -> None:
        for queue in self._streams.get(id_, ()):
            if queue.qsize() >= MAX_BACKLOG_EVENTS:
                replace_queued(queue, None)  # the page reconnects and starts from the flight as it is
            else:
                queue.put_nowait(event)

    async def _close(self, _app: web.Application) -> None:
        self.closed = True
        for streams in self._streams.values():
            for queue in streams:
                replace_queued(queue, None)


def _flight_id(request: web.Request) -> str:
    id_ = request.match_info["id"]
    if not FLIGHT_ID.match(id_):
        raise web.HTTPNotFound(text="no such flight")
    return id_


def _ping() -> bytes:
    return sse("ping", {"now": utc_now().isoformat()})
