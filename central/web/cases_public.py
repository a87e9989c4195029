"""The passenger's page of a case: ``/c/{token}`` (no sign-in; the token is 192 random bits), its data
``GET /api/c/{token}`` (status, category and public notes only) and ``POST /api/c/{token}/rating`` (once,
when the case is closed; rate-limited per client address); with them the feedback forms' posts and the
kiosk's callback number (:mod:`central.web.cases_feedback`).

An unknown token still gets the page, with 404: it says kindly that the link is not known.
"""

from __future__ import annotations

import json

from aiohttp import web

from central.cases.desk import UnknownCase
from central.cases.limit import PostLimit
from central.cases.model import CaseRefused
from central.web.agent import same_origin
from central.web.cases import CASES_KEY
from central.web.cases_feedback import TOKEN, add_feedback_routes
from central.web.cases_views import public_view
from central.web.pages import STATIC_DIR
from central.web.policy import POLICY_KEY

PAGE = STATIC_DIR / "case.html"
NO_STORE = {"Cache-Control": "no-store"}
MAX_RATING_BYTES = 1024


LIMIT_KEY = web.AppKey("case_post_limit", PostLimit)


def add_case_public_routes(app: web.Application, per_minute: int) -> None:
    app[LIMIT_KEY] = PostLimit(per_minute)
    app.router.add_get("/c/{token}", page)
    app.router.add_get("/api/c/{token}", case_data)
    app.router.add_post("/api/c/{token}/rating", rating)
    add_feedback_routes(app, per_minute)


def _known(request: web.Request) -> bool:
    token = request.match_info["token"]
    if not TOKEN.fullmatch(token):
        return False
    try:
        request.app[CASES_KEY].by_token(token)
    except UnknownCase:
        return False
    return True


async def page(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(PAGE, status=200 if _known(request) else 404, headers=NO_STORE)


async def case_data(request: web.Request) -> web.StreamResponse:
    token = request.match_info["token"]
    desk = request.app[CASES_KEY]
    try:
        if not TOKEN.fullmatch(token):
            raise UnknownCase(token)
        case = desk.by_token(token)
    except UnknownCase:
        return web.json_response({"error": "unknown_case"}, status=404, headers=NO_STORE)
    return web.json_response(public_view(case, desk.categories.get(case.category)), headers=NO_STORE)


async def rating(request: web.Request) -> web.StreamResponse:
    """``{"rating": 1-5, "resolved": true|false}``: once, for a closed case."""
    policy = request.app[POLICY_KEY]
    if not request.app[LIMIT_KEY].admit(policy.client_address(request)):
        return web.json_response({"error": "too_many"}, status=429, headers={"Retry-After": "60"})
    if not same_origin(request, required=False):
        raise web.HTTPForbidden(text="cross-origin request refused")
    if request.content_type != "application/json":
        raise web.HTTPUnsupportedMediaType(text="send JSON")
    if request.content_length is None or request.content_length > MAX_RATING_BYTES:
        return web.json_response({"error": "too_large"}, status=413)
    try:
        body = json.loads(await request.read())
    except (ValueError, RecursionError):  # JSON nested deeper than Python's decoder goes is bad JSON too
        return web.json_response({"error": "bad_json"}, status=400)
    token = request.match_info["token"]
    if not isinstance(body, dict) or not isinstance(body.get("resolved"), bool):
        return web.json_response({"error": "bad_rating"}, status=400)
    desk = request.app[CASES_KEY]
    try:
        if not TOKEN.fullmatch(token):
            raise UnknownCase(token)
        case = desk.rate(token, body.get("rating"), body["resolved"])  # type: ignore[arg-type]
    except UnknownCase:
        return web.json_response({"error": "unknown_case"}, status=404)
    except CaseRefused as error:
        return web.json_response({"error": error.reason}, status=409 if error.reason != "bad_rating" else 400)
    return web.json_response(public_view(case, desk.categories.get(case.category)), headers=NO_STORE)
