"""Cases a passenger starts without a call, and what they add to one: no sign-in, so every post is checked
hard and rate-limited.

- ``GET /api/feedback/categories``: the categories a passenger may choose (id, en, zh; no departments).
- ``POST /api/feedback`` with ``{"source": "kiosk"|"point", "from": id, "category", "text", "contact"?}``:
  a case in the category's department; 201 ``{"number", "passenger_url"}``. At most the configured posts
  a minute per kiosk or point, and per client address; oversized or hostile text refused (see
  :mod:`central.cases.feedback`); the contact is a phone number, validated, kept with the case only.
- ``POST /api/c/{token}/callback`` with ``{"phone"}``: the kiosk's "call me back" after an agent opened the
  case in a call. The token (192 random bits, on the kiosk's screen only) is what entitles the post; the
  answer never holds the number.

The kiosk posts over HTTP rather than as a bus event on purpose: device events are kept on the facilities
page and in the kiosk's log, and a phone number must be stored with its case only.
"""

from __future__ import annotations

import json
import re
from typing import Any

from aiohttp import web

from central.cases.desk import UnknownCase
from central.cases.feedback import checked_feedback
from central.cases.limit import PostLimit
from central.cases.model import CaseRefused
from central.web.agent import same_origin
from central.web.cases import CASES_KEY
from central.web.policy import POLICY_KEY

TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
MAX_FEEDBACK_BYTES = 8 * 1024  # a thousand characters of Chinese are 3 kB in JSON
MAX_CALLBACK_BYTES = 256
PLACE_LIMIT_KEY = web.AppKey("feedback_place_limit", PostLimit)
ADDRESS_LIMIT_KEY = web.AppKey("feedback_address_limit", PostLimit)
TOO_MANY = {"Retry-After": "60"}


def add_feedback_routes(app: web.Application, per_minute: int) -> None:
    app[PLACE_LIMIT_KEY] = PostLimit(per_minute)
    app[ADDRESS_LIMIT_KEY] = PostLimit(per_minute)
    app.router.add_get("/api/feedback/categories", categories)
    app.router.add_post("/api/feedback", leave_feedback)
    app.router.add_post("/api/c/{token}/callback", callback)


def _error(reason: str, status: int = 400) -> web.Response:
    return web.json_response({"error": reason}, status=status, headers=TOO_MANY if status == 429 else None)


async def _json_body(request: web.Request, limit: int) -> dict[str, Any] | web.Response:
    if not same_origin(request, required=False):
        return _error("cross_origin", 403)
    if request.content_type != "application/json":
        return _error("send_json", 415)
    if request.content_length is None or request.content_length > limit:
        return _error("too_large", 413)
    try:
        body = json.loads(await request.read())
    except ValueError:
        return _error("bad_json")
    return body if isinstance(body, dict) else _error("bad_json")


def _admitted(request: web.Request) -> bool:
    address = request.app[POLICY_KEY].client_address(request)
    return request.app[ADDRESS_LIMIT_KEY].admit(address)


async def categories(request: web.Request) -> web.StreamResponse:
    desk = request.app[CASES_KEY]
    shown = [{"id": c.id, "en": c.en, "zh": c.zh} for c in desk.categories.values()]
    return web.json_response({"categories": shown})


async def leave_feedback(request: web.Request) -> web.StreamResponse:
    if not _admitted(request):
        return _error("too_many", 429)
    body = await _json_body(request, MAX_FEEDBACK_BYTES)
    if isinstance(body, web.Response):
        return body
    desk = request.app[CASES_KEY]
    try:
        feedback = checked_feedback(body)
        if not request.app[PLACE_LIMIT_KEY].admit(f"{feedback.source.value}:{feedback.place}"):
            return _error("too_many", 429)
        case = desk.open_feedback(feedback)
    except CaseRefused as error:
        return _error(error.reason)
    return web.json_response({"number": case.number, "passenger_url": f"/c/{case.token}"}, status=201)


async def callback(request: web.Request) -> web.StreamResponse:
    if not _admitted(request):
        return _error("too_many", 429)
    body = await _json_body(request, MAX_CALLBACK_BYTES)
    if isinstance(body, web.Response):
        return body
    token = request.match_info["token"]
    try:
        if not TOKEN.fullmatch(token):
            raise UnknownCase(token)
        case = request.app[CASES_KEY].add_callback(token, body.get("phone"))
    except UnknownCase:
        return _error("unknown_case", 404)
    except CaseRefused as error:
        return _error(error.reason, 409 if error.reason == "case_closed" else 400)
    return web.json_response({"number": case.number, "callback": True})
