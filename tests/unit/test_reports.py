"""Reports over a seeded month of call records: every figure of every grouping against the records, counted
again here in plain Python; local days and hours, daylight saving, and the requests a page may send."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from central.reports import Grouping, ReportBook, ReportInputError, ReportRequest, parse_request
from central.reports.period import buckets
from central.reports.sample import sample_records, write_records
from central.switchboard.model import CallRecord

ZONE = ZoneInfo("Asia/Shanghai")
FIRST, LAST = date(2026, 10, 1), date(2026, 10, 31)
TARGET_S, SHORT_S = 15.0, 5.0


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ReportBook, list[CallRecord]]]:
    """October 2026 at 60 calls a day, plus the days around it (which no report of October may count)."""
    records = list(sample_records(date(2026, 9, 30), 33, 60, ZONE, seed=7))
    records.append(replace(records[5], call_id="handed-on", transfers=1, arrived_at=records[100].arrived_at))
    path = tmp_path_factory.mktemp("reports") / "calls.sqlite3"
    assert write_records(path, records) == len(records)
    yield (
        ReportBook(path, ZONE, TARGET_S, SHORT_S, clock=lambda: datetime(2026, 11, 3, 9, tzinfo=ZONE).timestamp()),
        records,
    )


def expected(records: list[CallRecord], key: Callable[[CallRecord], str]) -> dict[str, dict[str, float | int | None]]:
    """The wallboard's definitions, written out again, per key."""
    groups: dict[str, list[CallRecord]] = defaultdict(list)
    for record in records:
        groups[key(record)].append(record)
    figures = {}
    for label, calls in groups.items():
        answered = [c for c in calls if c.outcome == "answered"]
        abandoned = [c for c in calls if c.outcome == "abandoned" and c.wait_s >= SHORT_S]
        failed = [c for c in calls if c.outcome == "failed"]
        offered = len(answered) + len(abandoned) + len(failed)
        handled = [c.talk_s + c.wrap_s for c in answered if c.talk_s is not None and c.wrap_s is not None]
        disposed = [c.resolved_first_contact for c in answered if c.resolved_first_contact is not None]
        ratings = [c.rating for c in calls if c.rating is not None]
        figures[label] = {
            "offered": offered,
            "answered": len(answered),
            "abandoned": len(abandoned),
            "short_abandoned": sum(1 for c in calls if c.outcome == "abandoned" and c.wait_s < SHORT_S),
            "failed": len(failed),
            "service_level": sum(1 for c in answered if c.wait_s <= TARGET_S) / offered if offered else None,
            "asa_s": sum(c.wait_s for c in answered) / len(answered) if answered else None,
            "aht_s": sum(handled) / len(handled) if handled else None,
            "transfers": sum(c.transfers for c in calls),
            "fcr": sum(disposed) / len(disposed) if disposed else None,
            "average_rating": sum(ratings) / len(ratings) if ratings else None,
            "ratings": len(ratings),
        }
    return figures


def local(record: CallRecord, pattern: str) -> str:
    return datetime.fromtimestamp(record.arrived_at, ZONE).strftime(pattern)


def in_range(records: list[CallRecord], first: date, last: date) -> list[CallRecord]:
    return [r for r in records if first <= datetime.fromtimestamp(r.arrived_at, ZONE).date() <= last]


def assert_rows_match(report_rows: list[dict[str, object]], wanted: dict[str, dict[str, float | int | None]]) -> None:
    shown = {row["label"]: row for row in report_rows}
    assert len(shown) == len(report_rows), "a label twice"
    assert set(wanted) <= set(shown), f"rows missing: {set(wanted) - set(shown)}"
    for label in set(shown) - set(wanted):  # a day or hour without calls
        assert shown[label]["offered"] == shown[label]["ratings"] == 0, label
    for label, figures in wanted.items():
        for name, value in figures.items():
            if value is None:
                assert shown[label][name] is None, (label, name)
            else:
                assert shown[label][name] == pytest.approx(value, rel=1e-9), (label, name)


KEYS: dict[Grouping, Callable[[CallRecord], str]] = {
    Grouping.SKILL: lambda r: r.skill,
    Grouping.CATEGORY: lambda r: r.category or "",
    Grouping.AGENT: lambda r: r.agent_id or "",
}


@pytest.mark.parametrize("grouping", list(KEYS))
def test_a_month_by_skill_category_and_agent_matches_the_records(month, grouping: Grouping) -> None:
    book, records = month
    report = book.report(ReportRequest(FIRST, LAST, grouping)).as_dict()
    october = in_range(records, FIRST, LAST)
    assert_rows_match(report["rows"], expected(october, KEYS[grouping]))
    assert_rows_match([{**report["total"], "label": "all"}], expected(october, lambda _: "all"))
    assert [row["label"] for row in report["rows"]] == sorted(row["label"] for row in report["rows"])


def test_a_month_by_day_has_every_local_day_in_order_and_matches_the_records(month) -> None:
    book, records = month
    report = book.report(ReportRequest(FIRST, LAST, Grouping.DAY)).as_dict()
    assert [row["label"] for row in report["rows"]] == [f"2026-10-{day:02d}" for day in range(1, 32)]
    assert_rows_match(report["rows"], expected(in_range(records, FIRST, LAST), lambda r: local(r, "%Y-%m-%d")))
    assert report["total"]["transfers"] == 1  # the one call passed on once


def test_a_day_by_hour_has_24_local_hours_and_matches_the_records(month) -> None:
    book, records = month
    day = date(2026, 10, 1)
    report = book.report(ReportRequest(day, day, Grouping.HOUR)).as_dict()
    assert [row["label"] for row in report["rows"]] == [f"2026-10-01 {hour:02d}:00" for hour in range(24)]
    assert_rows_match(report["rows"], expected(in_range(records, day, day), lambda r: local(r, "%Y-%m-%d %H:00")))


def test_the_counts_agree_with_plain_sql_over_the_same_local_days(month) -> None:
    book, _ = month
    report = book.report(ReportRequest(FIRST, LAST, Grouping.SKILL))
    start = datetime(2026, 10, 1, tzinfo=ZONE).timestamp()
    end = datetime(2026, 11, 1, tzinfo=ZONE).timestamp()
    with closing(sqlite3.connect(book.path)) as db:
        rows = db.execute(
            "SELECT skill, outcome, COUNT(*) FROM calls WHERE arrived_at >= ? AND arrived_at < ? "
            "AND NOT (outcome = 'abandoned' AND wait_s < 5) GROUP BY skill, outcome",
            (start, end),
        ).fetchall()
    counted: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for skill, outcome, count in rows:
        counted[skill][outcome] = count
    for row in report.rows:
        by_outcome = counted[row.label]
        assert row.answered == by_outcome["answered"] and row.abandoned == by_outcome["abandoned"]
        assert row.offered == by_outcome["answered"] + by_outcome["abandoned"] + by_outcome["failed"]


def test_a_range_without_calls_is_rows_of_zeros_and_no_ratios(tmp_path: Path) -> None:
    path = tmp_path / "calls.sqlite3"
    write_records(path, [])
    book = ReportBook(path, ZONE, TARGET_S, SHORT_S)
    report = book.report(ReportRequest(FIRST, date(2026, 10, 3), Grouping.DAY))
    assert [row.offered for row in report.rows] == [0, 0, 0]
    assert report.total.service_level is None and report.total.asa_s is None and report.total.fcr is None
    assert book.report(ReportRequest(FIRST, LAST, Grouping.AGENT)).rows == ()


def test_hours_follow_daylight_saving() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    spring = buckets(ReportRequest(date(2026, 3, 29), date(2026, 3, 29), Grouping.HOUR), berlin)
    autumn = buckets(ReportRequest(date(2026, 10, 25), date(2026, 10, 25), Grouping.HOUR), berlin)
    assert len(spring) == 23 and "2026-03-29 02:00" not in [b.label for b in spring]
    assert len(autumn) == 25 and [b.label for b in autumn].count("2026-10-25 02:00") == 2
    days = buckets(ReportRequest(date(2026, 3, 28), date(2026, 3, 30), Grouping.DAY), berlin)
    assert [round(b.end - b.start) for b in days] == [86400, 82800, 86400]


TODAY = date(2026, 11, 3)


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ({"from": "2026-10-01", "to": "2026-10-31", "by": "week"}, "'week' is not a grouping; use one of day, hour"),
        ({"from": "2026-10-31", "to": "2026-10-01", "by": "day"}, "from (2026-10-31) is after to (2026-10-01)"),
        ({"from": "2026-10-01", "to": "2026-11-04", "by": "day"}, "to: 2026-11-04 is in the future"),
        ({"from": "1999-12-31", "to": "2000-01-01", "by": "day"}, "from: 1999-12-31 is too early"),
        (
            {"from": "2025-01-01", "to": "2026-10-31", "by": "skill"},
            "669 days is too long a range by skill",
        ),
        ({"from": "2026-09-01", "to": "2026-10-31", "by": "hour"}, "61 days is too long a range by hour; at most 31"),
        ({"from": "2026-02-30", "to": "2026-10-31", "by": "day"}, "from: '2026-02-30' is not a day of the calendar"),
        ({"from": "01/10/2026", "to": "2026-10-31", "by": "day"}, "from: '01/10/2026' is not a date; use YYYY-MM-DD"),
        ({"to": "2026-10-31", "by": "day"}, "from: a date is required"),
        ({"from": "2026-10-01", "to": "2026-10-31"}, "by: '' is not a grouping"),
    ],
)
def test_bad_requests_say_what_to_change(query: dict[str, str], says: str) -> None:
    with pytest.raises(ReportInputError) as raised:
        parse_request(query, TODAY)
    assert says in str(raised.value)


def test_the_longest_ranges_allowed_are_a_year_and_for_hours_a_month() -> None:
    assert parse_request({"from": "2025-11-03", "to": "2026-11-03", "by": "agent"}, TODAY).grouping is Grouping.AGENT
    assert parse_request({"from": "2026-10-04", "to": "2026-11-03", "by": "hour"}, TODAY).first == date(2026, 10, 4)


def test_the_hour_repeated_when_daylight_saving_ends_is_two_rows_of_its_own_calls(tmp_path: Path) -> None:
    berlin = ZoneInfo("Europe/Berlin")
    path = tmp_path / "calls.sqlite3"
    records = list(sample_records(date(2026, 10, 25), 1, 200, berlin, seed=5))
    write_records(path, records)
    report = ReportBook(path, berlin, TARGET_S, SHORT_S).report(
        ReportRequest(date(2026, 10, 25), date(2026, 10, 25), Grouping.HOUR)
    )
    labels = [row.label for row in report.rows]
    assert len(labels) == 25 and labels[2] == labels[3] == "2026-10-25 02:00"
    first_two = datetime(2026, 10, 25, 0, 0, tzinfo=berlin).timestamp() + 2 * 3600  # 02:00 summer time
    for row, start in ((report.rows[2], first_two), (report.rows[3], first_two + 3600)):
        mine = [r for r in records if start <= r.arrived_at < start + 3600]
        assert row.answered == sum(1 for r in mine if r.outcome == "answered")
    assert report.total.answered == sum(1 for r in records if r.outcome == "answered")
