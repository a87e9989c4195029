"""One shape for the reports page's extra tables over local days: ``GET /api/reports/{name}?from=…&to=…``
(JSON) and ``GET /api/reports/{name}.csv`` (the same as a download), in the site's time zone as the call
reports count. For supervisors (and admins); bad input is a 400 whose ``detail`` says what to change. Each
table (cases, knowledge-base pushes) says only how its report is made and written as CSV."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from central.accounts import Role
from central.reports.cases import CaseRange, parse_case_range
from central.reports.period import ReportInputError
from central.web.access import require
from central.web.reports import REPORTS_KEY

Build = Callable[[web.Request, CaseRange, ZoneInfo], dict[str, Any]]
"""A table's report for the request's app, over the days asked, in the site's zone."""


def add_period_report(
    app: web.Application,
    name: str,
    now: Callable[[web.Request], float],
    build: Build,
    to_csv: Callable[[dict[str, Any]], str],
    file_name: str,
) -> None:
    """Routes for the table ``name``; ``file_name`` starts the CSV download's name (the days follow)."""

    def report(request: web.Request) -> dict[str, Any]:
        require(request, Role.SUPERVISOR.value)
        book = request.app.get(REPORTS_KEY)
        zone = book.zone if book is not None else ZoneInfo("UTC")
        try:
            asked = parse_case_range(request.query, datetime.fromtimestamp(now(request), zone).date())
        except ReportInputError as exc:
            raise web.HTTPBadRequest(
                text=json.dumps({"error": "bad_request", "detail": str(exc)}), content_type="application/json"
            ) from None
        made = build(request, asked, zone)
        made["time_zone"] = zone.key
        return made

    async def as_json(request: web.Request) -> web.StreamResponse:
        return web.json_response(report(request))

    async def as_csv(request: web.Request) -> web.StreamResponse:
        made = report(request)
        return web.Response(
            body=to_csv(made).encode(),
            content_type="text/csv",
            charset="utf-8",
            headers={"Content-Disposition": f'attachment; filename="{file_name}-{made["first"]}-{made["last"]}.csv"'},
        )

    app.router.add_get(f"/api/reports/{name}", as_json)
    app.router.add_get(f"/api/reports/{name}.csv", as_csv)
