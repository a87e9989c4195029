"""Knowledge-base pushes on the supervisors' reports page: ``GET /api/reports/kb?from=…&to=…`` (JSON) and
``GET /api/reports/kb.csv`` (the same as a download), for the pushes over those local days (see
:mod:`central.web.period_report`)."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from central.reports.cases import CaseRange
from central.reports.kb import kb_report, kb_report_csv
from central.web.kb import KB_KEY
from central.web.period_report import add_period_report


def add_kb_report_routes(app: web.Application) -> None:
    add_period_report(app, "kb", lambda request: request.app[KB_KEY].now(), _report, kb_report_csv, "kb-pushes")


def _report(request: web.Request, asked: CaseRange, zone: ZoneInfo) -> dict[str, Any]:
    kb = request.app[KB_KEY]
    return kb_report(kb.store.pushes_between(*asked.span(zone)), asked)
