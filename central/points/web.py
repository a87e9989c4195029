"""The info points on ``central``: the phone page ``/p/{id}`` (and its map image), ``GET /api/points/{id}``
for kiosks that scan a point's QR, a flight search for the page, and the points' counts for staff.

The page is one small HTML file with the point written into it as JSON (one round trip fewer on a slow
phone connection); the JSON is escaped so that nothing in the registry can end the script element, and the
page's script puts every text in with ``textContent``. An id that is not a point, however odd, gets the
same friendly page in both languages with status 404.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from aiohttp import web

from bus.messages.flights import Direction, Flight, FlightBoard
from central.accounts import Role
from central.points.counts import PointCounts
from central.points.registry import InfoPoint, PointRegistry
from central.web.access import DISPLAY, require
from central.web.pages import STATIC_DIR
from central.web.policy import Handler
from device.flights.search import FlightIndex

PAGE = STATIC_DIR / "point.html"
MISSING_PAGE = STATIC_DIR / "point-missing.html"
DATA_MARK = "{{POINT_JSON}}"
SCAN_QUERY = ("s", "q")  # the QR carries ?s=q: a load with it is a scan, any other load a view
SEARCH_LIMIT = 8
MAX_QUERY_CHARS = 40
# a search that finds this few flights was a passenger looking for one of them: it counts as demand for it
SEARCH_DEMAND_MAX_RESULTS = 3


class FlightFinder:
    """Both boards as the point page searches them, indexed again only when a board's revision moves."""

    def __init__(self, boards: Callable[[], list[FlightBoard]]) -> None:
        self._boards = boards
        self._index = FlightIndex([])
        self._revisions: tuple[int, ...] = ()

    def search(self, query: str) -> list[Flight]:
        boards = self._boards()
        revisions = tuple(board.revision for board in boards)
        if revisions != self._revisions:
            self._index = FlightIndex(flight for board in boards for flight in board.flights)
            self._revisions = revisions
        return self._index.search(query, SEARCH_LIMIT)

    def tz(self) -> str:
        boards = self._boards()
        return boards[0].tz if boards else ""


def point_json(point: InfoPoint, public_url: str) -> dict[str, Any]:
    """The point as ``GET /api/points/{id}`` gives it (docs/points.md)."""
    return {
        "id": point.id,
        "name": {"zh": point.name.zh, "en": point.name.en},
        "terminal": point.terminal,
        "area": point.area,
        "floor": point.floor,
        "services": [{"zh": service.zh, "en": service.en} for service in point.services],
        "map": f"{public_url}/p/{point.id}/map" if point.map is not None else None,
    }


def script_safe_json(value: Any) -> str:
    """JSON that can sit inside ``<script type="application/json">``: no ``<``, ``>`` or ``&`` as such."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class PointPages:
    """Serves the points' pages and API and keeps their counts."""

    def __init__(
        self,
        registry: PointRegistry,
        public_url: str = "",
        finder: FlightFinder | None = None,
        demand: Callable[[str], None] | None = None,
        demand_view: Callable[[], dict[str, object]] | None = None,
        flight_of: Callable[[str], Flight | None] | None = None,
        counts: PointCounts | None = None,
    ) -> None:
        self.registry = registry
        self.public_url = public_url.rstrip("/")
        self.counts = counts or PointCounts()
        self._finder = finder
        self._demand = demand or (lambda _topic: None)
        self._demand_view = demand_view or (lambda: {"window_s": None, "alerts": []})
        self._flight_of = flight_of
        self._template = PAGE.read_text(encoding="utf-8")
        self._missing = MISSING_PAGE.read_bytes()

    def add_routes(self, app: web.Application) -> None:
        """``/p/{id}``, ``/p/{id}/map``, ``/api/points/stats``, ``/api/points/{id}``,
        ``/api/points/{id}/flights?q=``, ``/api/demand``; any other ``/p/…`` gets the friendly 404 page."""
        app.middlewares.append(self._friendly_not_found)
        app.router.add_get("/p/{id}", self._page)
        app.router.add_get("/p/{id}/map", self._map)
        app.router.add_get("/api/points/stats", self._stats)
        app.router.add_get("/api/points/{id}", self._api)
        app.router.add_get("/api/points/{id}/flights", self._flights)
        app.router.add_get("/api/demand", self._demand_alerts)
        app.on_response_prepare.append(self._count_flight_page)

    def _point(self, request: web.Request) -> InfoPoint:
        point = self.registry.get(request.match_info["id"])
        if point is None:
            raise web.HTTPNotFound(text="no such info point")
        return point

    async def _page(self, request: web.Request) -> web.StreamResponse:
        point = self._point(request)
        if request.method == "GET":  # a HEAD (a link checker, a preview) is nobody looking
            self.counts.seen(point.id, request.query.get(SCAN_QUERY[0]) == SCAN_QUERY[1])
            self._demand(f"point:{point.id}")
        body = self._template.replace(DATA_MARK, script_safe_json(point_json(point, "")))
        response = web.Response(text=body, content_type="text/html", headers={"Cache-Control": "no-cache"})
        response.enable_compression()
        return response

    async def _map(self, request: web.Request) -> web.StreamResponse:
        point = self._point(request)
        if point.map is None:
            raise web.HTTPNotFound(text="this info point has no map")
        return web.FileResponse(point.map, headers={"Cache-Control": "max-age=3600"})

    async def _api(self, request: web.Request) -> web.StreamResponse:
        return web.json_response(point_json(self._point(request), self.public_url))

    async def _flights(self, request: web.Request) -> web.StreamResponse:
        self._point(request)
        query = request.query.get("q", "")[:MAX_QUERY_CHARS]
        found = self._finder.search(query) if self._finder is not None and query.strip() else []
        if 0 < len(found) <= SEARCH_DEMAND_MAX_RESULTS:
            for flight in found:
                self._demand(f"flight:{flight.number}")
        tz = self._finder.tz() if self._finder is not None else ""
        response = web.json_response({"tz": tz, "flights": [_flight_row(flight) for flight in found]})
        response.enable_compression()
        return response

    async def _stats(self, request: web.Request) -> web.StreamResponse:
        require(request, Role.FACILITIES.value, Role.SUPERVISOR.value)
        return web.json_response(self.counts.view(self.registry))

    async def _demand_alerts(self, request: web.Request) -> web.StreamResponse:
        require(request, Role.FACILITIES.value, Role.SUPERVISOR.value, DISPLAY)
        view = self._demand_view()
        alerts = view.get("alerts")
        for alert in alerts if isinstance(alerts, list) else []:
            # a point by its name rather than its id: supervisors know "Gate 7", not "T1-GATE-7"
            topic = str(alert.get("topic", ""))
            point = self.registry.get(topic.removeprefix("point:")) if topic.startswith("point:") else None
            if point is not None:
                alert["name"] = {"zh": point.name.zh, "en": point.name.en}
        return web.json_response(view)

    async def _count_flight_page(self, request: web.Request, response: web.StreamResponse) -> None:
        """A flight's live page opened (``/flight/{id}``, from a kiosk's QR or a point page) is demand for
        that flight; only flights on the boards count, so made-up ids make no topics."""
        if self._flight_of is None or response.status != 200 or not request.path.startswith("/flight/"):
            return
        flight = self._flight_of(request.path.removeprefix("/flight/"))
        if flight is not None:
            self._demand(f"flight:{flight.number}")

    @web.middleware
    async def _friendly_not_found(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            return await handler(request)
        except web.HTTPNotFound:
            if not (request.path.startswith("/p/") or request.raw_path.startswith("/p/")):
                raise
        return web.Response(body=self._missing, status=404, content_type="text/html", charset="utf-8")


def _flight_row(flight: Flight) -> dict[str, Any]:
    """What the search list shows of a flight; the rest is on its own page."""
    return {
        "id": flight.id,
        "number": flight.number,
        "dep": flight.direction is Direction.DEPARTURES,
        "airport": flight.other_airport,
        "city_zh": flight.city_zh,
        "city_en": flight.city_en,
        "time": (flight.estimated or flight.scheduled).isoformat(),
        "status": flight.status.value,
        "gate": flight.gate,
    }
