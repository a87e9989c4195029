"""Knowledge-base pushes on the supervisors' reports page: ``GET /api/reports/kb?from=…&to=…`` (JSON) and
``GET /api/reports/kb.csv`` (the same as a download), for the pushes over those local days (the site's time
zone, as the call reports count). For supervisors (and admins); bad input is a 400 whose ``detail`` says
what to change."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from central.accounts import Role
from central.reports.cases import parse_case_range
from central.reports.kb import kb_report, kb_report_csv
from central.reports.period import ReportInputError
from central.web.access import require
from central.web.kb import KB_KEY
from central.web.reports import REPORTS_KEY


def add_kb_report_routes(app: web.Application) -> None:
    app.router.add_get("/api/reports/kb", report_json)
    app.router.add_get("/api/reports/kb.csv", report_csv_file)


def _zone(request: web.Request) -> ZoneInfo:
    book = request.app.get(REPORTS_KEY)
    return book.zone if book is not None else ZoneInfo("UTC")


def _report(request: web.Request) -> dict[str, Any]:
    require(request, Role.SUPERVISOR.value)
    kb = request.app[KB_KEY]
    zone = _zone(request)
    now = kb.now()
    try:
        asked = parse_case_range(request.query, datetime.fromtimestamp(now, zone).date())
    except ReportInputError as exc:
        raise web.HTTPBadRequest(
            text=json.dumps({"error": "bad_request", "detail": str(exc)}), content_type="application/json"
        ) from None
    report = kb_report(kb.store.pushes_between(*asked.span(zone)), asked)
    report["time_zone"] = zone.key
    return report


async def report_json(request: web.Request) -> web.StreamResponse:
    return web.json_response(_report(request))


async def report_csv_file(request: web.Request) -> web.StreamResponse:
    report = _report(request)
    name = f"kb-pushes-{report['first']}-{report['last']}.csv"
    return web.Response(
        body=kb_report_csv(report).encode(),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
