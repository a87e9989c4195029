"""Reports read from the call records' SQLite file, each on a read-only connection of its own.

A report over a year reads a few hundred thousand rows: the web handler runs it in a worker thread
(:meth:`ReportBook.report` is plain blocking code), on its own connection, so the event loop and the
switchboard's writes carry on (WAL lets one writer and many readers work at once).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Mapping
from contextlib import closing
from datetime import date, datetime
from functools import reduce
from pathlib import Path
from zoneinfo import ZoneInfo

from central.reports.figures import Figures, Report, Sums
from central.reports.period import ReportRequest, buckets, parse_request, span
from central.reports.query import fold, parameters, statement


class ReportBook:
    """The reports of one site: its records file, time zone and service-level definitions."""

    def __init__(
        self,
        path: Path,
        zone: ZoneInfo,
        service_level_s: float,
        short_abandon_s: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = path
        self.zone = zone
        self.service_level_s = service_level_s
        self.short_abandon_s = short_abandon_s
        self._clock = clock

    def today(self) -> date:
        return datetime.fromtimestamp(self._clock(), self.zone).date()

    def parse(self, query: Mapping[str, str]) -> ReportRequest:
        """The request in a page's query (``from``, ``to``, ``by``); :class:`ReportInputError` when it is bad."""
        return parse_request(query, self.today())

    def report(self, request: ReportRequest) -> Report:
        rows_of = buckets(request, self.zone)
        start, end = span(request, self.zone)
        sql = statement(request.grouping, len(rows_of))
        values = parameters(rows_of, start, end, self.service_level_s, self.short_abandon_s)
        uri = f"{self.path.resolve().as_uri()}?mode=ro"
        with closing(sqlite3.connect(uri, uri=True)) as db:
            rows = db.execute(sql, values).fetchall()
        labelled = fold(rows)
        total = reduce(lambda a, b: a + b, (sums for _, sums in labelled), Sums())
        return Report(
            first=request.first.isoformat(),
            last=request.last.isoformat(),
            grouping=request.grouping.value,
            time_zone=self.zone.key,
            service_level_s=self.service_level_s,
            rows=tuple(Figures.of(label, sums) for label, sums in labelled),
            total=Figures.of("", total),
        )
