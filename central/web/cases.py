"""The case desk for staff: ``/cases`` (the page), ``GET /api/cases`` (my cases, my department's, overdue
first), ``POST /api/cases`` (open one, from an agent's session, with the call it came from),
``POST /api/cases/{number}/take|assign|notes|status``, the live ``/api/cases/events``,
``GET /api/cases/overdue`` (a count, for the wallboard) and ``GET /api/cases/figures`` (JSON or CSV).

Agents and above may use the desk; changes are guarded as every other change by a person is: a JSON body
only, and a foreign ``Origin`` refused. An agent may change their own cases and their department's;
a supervisor any case.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from typing import Any

from aiohttp import web

from bus.messages.base import utc_now
from central.accounts import AGENT_ID, Role
from central.cases.desk import Actor, CaseDesk, UnknownCase
from central.cases.figures import CSV_COLUMNS, Tally, case_figures
from central.cases.model import CaseRefused, Status
from central.web.access import DISPLAY, Viewer, require
from central.web.agent import DESK_KEY, same_origin
from central.web.cases_feed import CaseFeed
from central.web.cases_views import category_view, staff_view
from central.web.pages import add_page
from central.web.sse import stream_events

log = logging.getLogger(__name__)

CASES_KEY = web.AppKey("case_desk", CaseDesk)
CASE_FEED_KEY = web.AppKey("case_feed", CaseFeed)
MAX_BODY_BYTES = 16 * 1024
STAFF = (Role.AGENT.value, Role.SUPERVISOR.value)
RECENT_FIGURES_S = 90 * 86400


def add_case_routes(app: web.Application, desk: CaseDesk) -> None:
    feed = CaseFeed()
    app[CASES_KEY] = desk
    app[CASE_FEED_KEY] = feed
    desk.add_listener(feed.changed)
    add_page(app, "/cases", "cases.html")
    app.router.add_get("/api/cases", listing)
    app.router.add_post("/api/cases", open_case)
    app.router.add_get("/api/cases/events", events)
    app.router.add_get("/api/cases/overdue", overdue)
    app.router.add_get("/api/cases/figures", figures)
    app.router.add_post("/api/cases/{number}/{action}", change)
    from central.web.cases_report import add_case_report_routes  # it imports this module's CASES_KEY

    add_case_report_routes(app)
    app.on_shutdown.append(_end_streams)


def _actor(request: web.Request, who: Viewer) -> Actor:
    account = request.app[DESK_KEY].account(who.name)
    department = account.department if account is not None else ""
    return Actor(who.name, department, supervisor=Role.SUPERVISOR.value in who.roles)


async def _body(request: web.Request) -> dict[str, Any]:
    if not same_origin(request, required=False):
        raise web.HTTPForbidden(text="cross-origin request refused")
    if request.content_type != "application/json":
        raise web.HTTPUnsupportedMediaType(text="send JSON")
    if request.content_length is None or request.content_length > MAX_BODY_BYTES:
        raise web.HTTPRequestEntityTooLarge(max_size=MAX_BODY_BYTES, actual_size=request.content_length or 0)
    try:
        body = json.loads(await request.read())
    except (ValueError, RecursionError):  # JSON nested deeper than Python's decoder goes is bad JSON too
        raise web.HTTPBadRequest(text='{"error": "bad_json"}', content_type="application/json") from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text='{"error": "bad_json"}', content_type="application/json")
    return body


def _refused(error: CaseRefused) -> web.Response:
    status = 409 if error.reason in ("transition_not_allowed", "already_rated", "not_closed", "case_closed") else 400
    if error.reason == "not_your_case":
        status = 403
    return web.json_response({"error": error.reason, "message": str(error)}, status=status)


async def listing(request: web.Request) -> web.StreamResponse:
    """``{"me", "mine": [...], "department": [...], "categories", "now"}``: every unfinished case the viewer
    owns, and those of their department (all of them for a supervisor), overdue first, then soonest due."""
    who = require(request, *STAFF)
    actor = _actor(request, who)
    desk = request.app[CASES_KEY]
    now = desk.now()
    cases = sorted(desk.unfinished(), key=lambda case: (not case.overdue(now), case.due_at))
    mine = [staff_view(case, now) for case in cases if case.owner == actor.agent_id]
    theirs = [
        staff_view(case, now)
        for case in cases
        if case.owner != actor.agent_id
        and (actor.supervisor or (actor.department and case.department == actor.department))
    ]
    return web.json_response(
        {
            "me": {"id": actor.agent_id, "department": actor.department, "supervisor": actor.supervisor},
            "mine": mine,
            "department": theirs,
            "categories": [category_view(category) for category in desk.categories.values()],
            "statuses": [status.value for status in Status],
            "now": utc_now().isoformat(),
        }
    )


async def open_case(request: web.Request) -> web.StreamResponse:
    """``POST /api/cases`` with ``{"category", "summary", "call_id"?, "phone"?}``: 201 and the case."""
    who = require(request, *STAFF)
    body = await _body(request)
    call_id = body.get("call_id")
    if call_id is not None and (not isinstance(call_id, str) or not AGENT_ID.fullmatch(call_id)):
        return web.json_response({"error": "bad_call_id"}, status=400)
    category = body.get("category")
    desk = request.app[CASES_KEY]
    try:
        case = desk.open(_actor(request, who), str(category), body.get("summary"), call_id, body.get("phone"))  # type: ignore[arg-type]
    except CaseRefused as error:
        return _refused(error)
    view = staff_view(case, desk.now())
    view["passenger_url"] = f"/c/{case.token}"
    return web.json_response(view, status=201)


async def change(request: web.Request) -> web.StreamResponse:
    """``take`` ({}), ``assign`` ({"owner"}), ``notes`` ({"text", "public"}), ``status`` ({"status", "note"?})."""
    who = require(request, *STAFF)
    body = await _body(request)
    desk = request.app[CASES_KEY]
    try:
        number = int(request.match_info["number"])
    except ValueError:
        return web.json_response({"error": "unknown_case"}, status=404)
    actor = _actor(request, who)
    action = request.match_info["action"]
    try:
        if action == "take":
            case = desk.take(actor, number)
        elif action == "assign":
            owner = body.get("owner")
            if not isinstance(owner, str) or not AGENT_ID.fullmatch(owner):
                return web.json_response({"error": "bad_owner"}, status=400)
            if request.app[DESK_KEY].account(owner) is None:
                return web.json_response({"error": "unknown_owner"}, status=400)
            case = desk.reassign(actor, number, owner)
        elif action == "notes":
            case = desk.note(actor, number, body.get("text"), body.get("public") is True)  # type: ignore[arg-type]
        elif action == "status":
            try:
                status = Status(str(body.get("status")))
            except ValueError:
                return web.json_response({"error": "bad_status"}, status=400)
            note = body.get("note")
            case = desk.set_status(actor, number, status, note if isinstance(note, str) else None)
        else:
            raise web.HTTPNotFound()
    except UnknownCase:
        return web.json_response({"error": "unknown_case"}, status=404)
    except CaseRefused as error:
        return _refused(error)
    return web.json_response(staff_view(case, desk.now()))


async def events(request: web.Request) -> web.StreamResponse:
    require(request, *STAFF)
    feed = request.app[CASE_FEED_KEY]
    return await stream_events(request, feed, "cases", feed.idle_s, feed.snapshot_event)


async def overdue(request: web.Request) -> web.StreamResponse:
    """``{"overdue": n}``: no case's details, so the wall displays may show it too."""
    require(request, *STAFF, DISPLAY)
    return web.json_response({"overdue": request.app[CASES_KEY].overdue_count(), "now": utc_now().isoformat()})


async def figures(request: web.Request) -> web.StreamResponse:
    """The cases opened in the last 90 days (or ``?days=``): in all and per category and department;
    ``?format=csv`` for a spreadsheet. For supervisors."""
    require(request, Role.SUPERVISOR.value)
    desk = request.app[CASES_KEY]
    now = desk.now()
    try:
        days = float(request.query.get("days", RECENT_FIGURES_S / 86400))
    except ValueError:
        return web.json_response({"error": "bad_days"}, status=400)
    if not 0 < days <= 3660:
        return web.json_response({"error": "bad_days"}, status=400)
    counted = case_figures(desk.store.opened_between(now - days * 86400, now + 1), now)
    groups = sorted(counted.by_group.items())
    if request.query.get("format") == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for (category, department), tally in [*groups, (("all", "all"), counted.total)]:
            writer.writerow(_csv_row(category, department, tally))
        return web.Response(
            text=out.getvalue(),
            content_type="text/csv",
            headers={"Content-Disposition": 'attachment; filename="cases.csv"'},
        )
    return web.json_response(
        {
            "days": days,
            "total": counted.total.as_json(),
            "groups": [
                {"category": category, "department": department, **tally.as_json()}
                for (category, department), tally in groups
            ],
            "now": utc_now().isoformat(),
        }
    )


def _csv_row(category: str, department: str, tally: Tally) -> list[str]:
    values = tally.as_json()
    row = [category, department]
    for column in CSV_COLUMNS[2:]:
        value = values[column]
        row.append("" if value is None else f"{value:.4g}" if isinstance(value, float) else str(value))
    return row


async def _end_streams(app: web.Application) -> None:
    app[CASE_FEED_KEY].close()
