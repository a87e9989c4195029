"""Reports read from the call records' SQLite file (or PostgreSQL database), each on a read-only connection of its own.

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
from operator import add
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from central.reports.figures import Figures, Report, Sums
from central.reports.period import Bucket, ReportRequest, buckets, parse_request, span
from central.reports.query import fold, parameters, statement

# PostgreSQL's default isolation gives each statement its own snapshot: one for the whole report instead
_PG_BEGIN = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"


class ReportStoreError(RuntimeError):
    """The records' database cannot be reached for a report."""


class ReportBook:
    """The reports of one site: its records file, time zone and service-level definitions."""

    def __init__(
        self,
        path: Path | str,
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

    def _values(self, start: float, end: float, label: str = "") -> dict[str, Any]:
        return parameters(start, end, self.service_level_s, self.short_abandon_s, label)

    def _bucket(self, db: Any, sql: str, bucket: Bucket) -> Sums:
        """One row over time; a bucket without calls gets no result rows from SQL, and is all zeros."""
        rows = db.execute(sql, self._values(bucket.start, bucket.end, bucket.label))
        return reduce(add, (sums for _, sums in fold(rows)), Sums())

    def parse(self, query: Mapping[str, str]) -> ReportRequest:
        """The request in a page's query (``from``, ``to``, ``by``); :class:`ReportInputError` when it is bad."""
        return parse_request(query, self.today())

    def report(self, request: ReportRequest) -> Report:
        sql = statement(request.grouping)
        db: Any
        if isinstance(self.path, str):  # [store] url names a PostgreSQL database (central.records.postgres)
            from central.records.postgres import connect, named_parameters

            db, sql, begin = connect(self.path, ReportStoreError, tries=1), named_parameters(sql), _PG_BEGIN
        else:
            uri = f"{self.path.resolve().as_uri()}?mode=ro"
            db, begin = sqlite3.connect(uri, uri=True, isolation_level=None), "BEGIN"
        with closing(db):
            # one read transaction: every bucket's statement sees the same records
            db.execute(begin)
            if request.grouping.over_time:
                # by position, not by label: the hour repeated when daylight saving ends is two rows
                labelled = [(bucket.label, self._bucket(db, sql, bucket)) for bucket in buckets(request, self.zone)]
            else:
                labelled = fold(db.execute(sql, self._values(*span(request, self.zone))))
            db.execute("COMMIT")
        total = reduce(add, (sums for _, sums in labelled), Sums())
        return Report(
            first=request.first.isoformat(),
            last=request.last.isoformat(),
            grouping=request.grouping.value,
            time_zone=self.zone.key,
            service_level_s=self.service_level_s,
            rows=tuple(Figures.of(label, sums) for label, sums in labelled),
            total=Figures.of("", total),
        )
