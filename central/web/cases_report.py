"""Follow-up cases on the supervisors' reports page: ``GET /api/reports/cases?from=…&to=…`` (JSON) and
``GET /api/reports/cases.csv`` (the same as a download), for the cases opened over those local days (the
site's time zone, as the call reports count). For supervisors; bad input is a 400 whose ``detail`` says
what to change."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from central.accounts import Role
from central.reports.cases import case_report, case_report_csv, parse_case_range
from central.reports.period import ReportInputError
from central.web.access import require
from central.web.cases import CASES_KEY
from central.web.reports import REPORTS_KEY


def add_case_report_routes(app: web.Application) -> None:
    app.router.add_get("/api/reports/cases", report_json)
    app.router.add_get("/api/reports/cases.csv", report_csv_file)


def _zone(request: web.Request) -> ZoneInfo:
    book = request.app.get(REPORTS_KEY)
    return book.zone if book is not None else ZoneInfo("UTC")


def _report(request: web.Request) -> dict[str, Any]:
    require(request, Role.SUPERVISOR.value)
    desk = request.app[CASES_KEY]
    zone = _zone(request)
    now = desk.now()
    try:
        asked = parse_case_range(request.query, datetime.fromtimestamp(now, zone).date())
    except ReportInputError as exc:
        raise web.HTTPBadRequest(
            text=json.dumps({"error": "bad_request", "detail": str(exc)}), content_type="application/json"
        ) from None
    report = case_report(desk.store.opened_between(*asked.span(zone)), asked, now)
    report["time_zone"] = zone.key
    report["categories"] = {c.id: {"en": c.en, "zh": c.zh} for c in desk.categories.values()}  # names to show
    return report


async def report_json(request: web.Request) -> web.StreamResponse:
    return web.json_response(_report(request))


async def report_csv_file(request: web.Request) -> web.StreamResponse:
    report = _report(request)
    name = f"cases-{report['first']}-{report['last']}.csv"
    return web.Response(
        body=case_report_csv(report).encode(),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
