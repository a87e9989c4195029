"""Follow-up cases in the reports: opened and finished per category and department, on time or late, the
average time to close and the passengers' ratings, over local days; the CSV holds the same figures; bad
ranges are refused with what to change."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest

import central.accounts
from central.cases import model
from central.cases.desk import Actor
from central.cases.model import Category, Status
from central.reports.cases import CaseRange, case_report, case_report_csv, parse_case_range
from central.reports.period import ReportInputError
from tests.peers.case_site import CaseSite

BAG = Category("damaged_bag", "baggage", 3600.0, "Damaged baggage", "行李损坏")
LOST = Category("lost_property", "lost_found", 7200.0, "Lost property", "遗失物品")
DAY = CaseRange(date(2026, 3, 1), date(2026, 3, 1))


def closed_after(number: int, category: Category, close_s: float, rating: int | None = None) -> model.Case:
    case = model.open_case(number, f"token-{number:020d}", category, "wu", "something", 1000.0)
    case = model.change_status(case, Status.CLOSED, "wu", 1000.0 + close_s)
    return model.rate(case, rating, True, 1000.0 + close_s + 1) if rating is not None else case


def test_the_figures_per_category_and_in_all() -> None:
    cases = [
        closed_after(1, BAG, 1800, rating=5),  # on time
        closed_after(2, BAG, 5400, rating=2),  # late
        model.open_case(3, "token-00000000000000000003", LOST, "wu", "umbrella", 1000.0),  # open, overdue at 9000
    ]
    report = case_report(cases, DAY, now=9000.0)
    bag, lost = report["rows"]
    assert (bag["category"], bag["department"], bag["opened"], bag["finished"]) == ("damaged_bag", "baggage", 2, 2)
    assert (bag["on_time"], bag["late"], bag["on_time_rate"], bag["mean_close_s"]) == (1, 1, 0.5, 3600.0)
    assert (bag["ratings"], bag["mean_rating"], bag["resolved_yes"]) == (2, 3.5, 2)
    assert (lost["opened"], lost["finished"], lost["overdue_open"], lost["on_time_rate"]) == (1, 0, 1, None)
    total = report["total"]
    assert (total["opened"], total["finished"], total["on_time"] + total["late"]) == (3, 2, total["finished"])
    lines = list(csv.reader(io.StringIO(case_report_csv(report))))
    assert lines[0][:4] == ["category", "department", "opened", "finished"]
    assert lines[1][:8] == ["damaged_bag", "baggage", "2", "2", "1", "1", "0", "0.5"]
    assert lines[2][7] == "" and lines[3][:2] == ["all", "all"]


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ({"from": "2026-03-02", "to": "2026-03-01"}, "swap"),
        ({"from": "2026-03-01", "to": "2026-04-01"}, "future"),
        ({"from": "yesterday", "to": "2026-03-01"}, "YYYY-MM-DD"),
        ({"from": "2024-01-01", "to": "2026-03-01"}, "too long"),
    ],
)
def test_bad_ranges_say_what_to_change(query: dict[str, str], says: str) -> None:
    with pytest.raises(ReportInputError, match=says):
        parse_case_range(query, date(2026, 3, 1))


@pytest.fixture(autouse=True)
def cheap_scrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(central.accounts, "SCRYPT_N", 2**8)


@pytest.fixture
async def site(tmp_path: Path) -> AsyncIterator[CaseSite]:
    site = CaseSite(tmp_path)
    await site.start()
    yield site
    await site.close()


async def test_supervisors_get_the_cases_report_and_its_csv(site: CaseSite) -> None:
    opened = site.cases.open(Actor("chen", "baggage"), "damaged_bag", "torn handle", "call-0001")
    site.cases.set_status(Actor("chen", "baggage"), opened.number, Status.CLOSED)
    site.cases.rate(opened.token, 4, True)
    today = time.strftime("%Y-%m-%d", time.gmtime())  # no report book here: UTC days
    boss, chen = await site.signed_in("boss"), await site.signed_in("chen")
    async with boss, chen:
        assert (await chen.get(f"/api/reports/cases?from={today}&to={today}")).status == 403
        answer = await (await boss.get(f"/api/reports/cases?from={today}&to={today}")).json()
        assert answer["time_zone"] == "UTC" and answer["total"]["opened"] == 1
        assert answer["categories"]["damaged_bag"] == {"en": "Damaged baggage", "zh": "行李损坏"}
        assert answer["rows"][0]["on_time"] == 1 and answer["rows"][0]["mean_rating"] == 4
        bad = await boss.get(f"/api/reports/cases?from={today}&to=2999-01-01")
        assert bad.status == 400 and "future" in (await bad.json())["detail"]
        download = await boss.get(f"/api/reports/cases.csv?from={today}&to={today}")
        assert download.headers["Content-Disposition"] == f'attachment; filename="cases-{today}-{today}.csv"'
        assert (await download.text()).splitlines()[1].startswith("damaged_bag,baggage,1,1,1,0,0,1")
