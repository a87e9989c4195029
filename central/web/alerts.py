"""The alert list for the facilities page: ``GET /api/alerts``, ``POST /api/alerts/{id}/ack``, and every
raise, clear and acknowledgement as an ``alert`` event on the page's live stream (``/api/fleet/events``).

Acknowledging is a change made by a person, so it is guarded as the sign-in is against other sites: the
session cookie is SameSite=Strict, a foreign ``Origin`` is refused, and only a JSON body is taken (a
form on another site cannot send one without the browser asking central first).
"""

from __future__ import annotations

import re

from aiohttp import web

from bus.messages.base import utc_now
from central.accounts import Role
from central.alerts.book import AlertBook, AlertView, BookChange, UnknownAlert
from central.web.access import require
from central.web.agent import same_origin
from central.web.live import FEED_KEY, FleetFeed

ALERT_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")
BOOK_KEY = web.AppKey("alert_book", AlertBook)


def add_alert_routes(app: web.Application, book: AlertBook) -> None:
    app[BOOK_KEY] = book
    app.router.add_get("/api/alerts", alert_list)
    app.router.add_post("/api/alerts/{id}/ack", acknowledge)
    feed = app[FEED_KEY]
    book.add_listener(lambda change, view: _announce(feed, change, view))


def _announce(feed: FleetFeed, change: BookChange, view: AlertView) -> None:
    feed.broadcast("alert", {"change": change.value, "alert": view, "now": utc_now().isoformat()})


async def alert_list(request: web.Request) -> web.StreamResponse:
    """``GET /api/alerts``: ``{"active": [...], "cleared": [...], "now"}``, for the facilities role."""
    require(request, Role.FACILITIES.value)
    listing = request.app[BOOK_KEY].listing()
    return web.json_response({**listing, "now": utc_now().isoformat()})


async def acknowledge(request: web.Request) -> web.StreamResponse:
    """``POST /api/alerts/{id}/ack`` with a JSON body (``{}``): the alert, now with who acknowledged it."""
    who = require(request, Role.FACILITIES.value)
    if not same_origin(request, required=False):
        raise web.HTTPForbidden(text="cross-origin request refused")
    if request.content_type != "application/json":
        raise web.HTTPUnsupportedMediaType(text="send JSON")
    alert_id = request.match_info["id"]
    if not ALERT_ID.fullmatch(alert_id):
        return web.json_response({"error": "bad_alert_id"}, status=400)
    try:
        view = request.app[BOOK_KEY].acknowledge(alert_id, who.name)
    except UnknownAlert:
        return web.json_response({"error": "unknown_alert"}, status=404)
    return web.json_response(view)
