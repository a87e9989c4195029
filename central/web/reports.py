"""The supervisors' reports: ``/reports`` (the page), ``GET /api/reports`` (JSON) and ``GET /api/reports.csv``.

Both APIs take ``from`` and ``to`` (local days, YYYY-MM-DD, both included) and ``by`` (day, hour, skill,
category or agent); bad input is a 400 whose JSON ``detail`` says what to change. They need the supervisor
role (an admin has every role); a wall display gets 403: it shows today, not the archive.
"""

from __future__ import annotations

import asyncio
import json
import logging

from aiohttp import web

from central.accounts import Role
from central.reports import Report, ReportBook, ReportInputError
from central.reports.export import file_name, report_csv
from central.web.access import require
from central.web.pages import add_page

log = logging.getLogger(__name__)

REPORTS_KEY = web.AppKey("report_book", ReportBook)


def add_report_routes(app: web.Application, book: ReportBook) -> None:
    """``/reports``, ``/api/reports`` and ``/api/reports.csv``."""
    app[REPORTS_KEY] = book
    add_page(app, "/reports", "reports.html")
    app.router.add_get("/api/reports", report_json)
    app.router.add_get("/api/reports.csv", report_csv_file)


async def _report(request: web.Request) -> Report:
    who = require(request, Role.SUPERVISOR.value)
    book = request.app[REPORTS_KEY]
    try:
        asked = book.parse(request.query)
    except ReportInputError as exc:
        raise web.HTTPBadRequest(
            text=json.dumps({"error": "bad_request", "detail": str(exc)}),
            content_type="application/json",
        ) from None
    started = asyncio.get_running_loop().time()
    report = await asyncio.to_thread(book.report, asked)
    took_s = asyncio.get_running_loop().time() - started
    log.info("report by %s, %s to %s, for %s: %.2f s", report.grouping, report.first, report.last, who.name, took_s)
    return report


async def report_json(request: web.Request) -> web.StreamResponse:
    """``GET /api/reports?from=…&to=…&by=…``: the rows and their total (see :class:`Report`)."""
    return web.json_response((await _report(request)).as_dict())


async def report_csv_file(request: web.Request) -> web.StreamResponse:
    """``GET /api/reports.csv?from=…&to=…&by=…``: the same report as a CSV download."""
    report = await _report(request)
    return web.Response(
        body=report_csv(report).encode(),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{file_name(report)}"'},
    )
