"""Follow-up cases on the supervisors' reports page: ``GET /api/reports/cases?from=…&to=…`` (JSON) and
``GET /api/reports/cases.csv`` (the same as a download), for the cases opened over those local days (see
:mod:`central.web.period_report`)."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from central.reports.cases import CaseRange, case_report, case_report_csv
from central.web.cases import CASES_KEY
from central.web.period_report import add_period_report


def add_case_report_routes(app: web.Application) -> None:
    add_period_report(app, "cases", lambda request: request.app[CASES_KEY].now(), _report, case_report_csv, "cases")


def _report(request: web.Request, asked: CaseRange, zone: ZoneInfo) -> dict[str, Any]:
    desk = request.app[CASES_KEY]
    report = case_report(desk.store.opened_between(*asked.span(zone)), asked, desk.now())
    report["categories"] = {c.id: {"en": c.en, "zh": c.zh} for c in desk.categories.values()}  # names to show
    return report
