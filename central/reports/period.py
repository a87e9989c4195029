"""What a report is asked for: a range of local days and a grouping; and the time buckets of the range.

Days and hours are the airport's local ones (the site's time zone), so a bucket's length follows daylight
saving: the day it starts is 23 hours long, its hours one fewer. Bad input raises
:class:`ReportInputError` with a message fit to show the supervisor.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

EARLIEST_DAY = date(2000, 1, 1)
"""Nothing before this: a typo like 0026 should be an error, not a scan of nothing."""
MAX_DAYS = 366
"""The longest range of any report: a year, leap or not."""
MAX_HOUR_DAYS = 31
"""The longest range of an hourly report: a month (744 rows are already more than anyone reads)."""

_DAY_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")


class ReportInputError(ValueError):
    """A report request that cannot be answered; the message says why, in the supervisor's words."""


class Grouping(StrEnum):
    """What a report's rows are."""

    DAY = "day"
    HOUR = "hour"
    SKILL = "skill"
    CATEGORY = "category"
    AGENT = "agent"

    @property
    def over_time(self) -> bool:
        return self in (Grouping.DAY, Grouping.HOUR)


@dataclass(frozen=True, slots=True)
class ReportRequest:
    """A report: local days ``first`` to ``last`` (both included), rows by ``grouping``."""

    first: date
    last: date
    grouping: Grouping


@dataclass(frozen=True, slots=True)
class Bucket:
    """One row of a report over time: its label and the epoch seconds it covers, ``start <= t < end``."""

    label: str
    start: float
    end: float


def parse_day(name: str, text: str | None) -> date:
    if not text:
        raise ReportInputError(f"{name}: a date is required (YYYY-MM-DD)")
    if not _DAY_PATTERN.fullmatch(text):
        raise ReportInputError(f"{name}: {text[:20]!r} is not a date; use YYYY-MM-DD")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ReportInputError(f"{name}: {text!r} is not a day of the calendar") from None


def parse_request(query: Mapping[str, str], today: date) -> ReportRequest:
    """``from``, ``to`` (local days, YYYY-MM-DD, both included) and ``by`` (a :class:`Grouping`)."""
    by = query.get("by", "")
    try:
        grouping = Grouping(by)
    except ValueError:
        choices = ", ".join(grouping.value for grouping in Grouping)
        raise ReportInputError(f"by: {by[:20]!r} is not a grouping; use one of {choices}") from None
    first = parse_day("from", query.get("from"))
    last = parse_day("to", query.get("to"))
    if first > last:
        raise ReportInputError(f"from ({first}) is after to ({last}); swap them")
    if first < EARLIEST_DAY:
        raise ReportInputError(f"from: {first} is too early; the records start in {EARLIEST_DAY.year} at the earliest")
    if last > today:
        raise ReportInputError(f"to: {last} is in the future; the latest day with records is today, {today}")
    days = (last - first).days + 1
    longest = MAX_HOUR_DAYS if grouping is Grouping.HOUR else MAX_DAYS
    if days > longest:
        raise ReportInputError(f"{days} days is too long a range by {grouping.value}; at most {longest}")
    return ReportRequest(first, last, grouping)


def local_midnight(day: date, zone: ZoneInfo, days_later: int = 0) -> float:
    """Epoch seconds of the local midnight that starts ``day`` (or the day ``days_later`` after it)."""
    return datetime.combine(day + timedelta(days=days_later), time(), tzinfo=zone).timestamp()


def span(request: ReportRequest, zone: ZoneInfo) -> tuple[float, float]:
    """The epoch seconds the request covers: from the first day's local midnight to the one after the last."""
    return local_midnight(request.first, zone), local_midnight(request.last, zone, 1)


def buckets(request: ReportRequest, zone: ZoneInfo) -> list[Bucket]:
    """The rows of a report over time, in order; empty for the other groupings."""
    if request.grouping is Grouping.DAY:
        days = [request.first + timedelta(days=n) for n in range((request.last - request.first).days + 1)]
        return [Bucket(day.isoformat(), local_midnight(day, zone), local_midnight(day, zone, 1)) for day in days]
    if request.grouping is Grouping.HOUR:
        start, end = span(request, zone)
        rows: list[Bucket] = []
        # steps of 3600 s from local midnight are the local hours, whatever the zone's offset; labelled in local
        # time, the hour repeated when daylight saving ends shows twice and the skipped one not at all
        at = start
        while at < end:
            local = datetime.fromtimestamp(at, zone)
            rows.append(Bucket(local.strftime("%Y-%m-%d %H:%M"), at, min(at + 3600, end)))
            at += 3600
        return rows
    return []
