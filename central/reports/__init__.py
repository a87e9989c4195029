"""Reports for supervisors: the call records' figures per day, hour, skill, category or agent over a range of
local days, computed in SQL (see docs/reports.md)."""

from __future__ import annotations

from central.reports.book import ReportBook
from central.reports.figures import Figures, Report
from central.reports.period import Grouping, ReportInputError, ReportRequest, parse_request

__all__ = ["Figures", "Grouping", "Report", "ReportBook", "ReportInputError", "ReportRequest", "parse_request"]
