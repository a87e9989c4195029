"""The reports' APIs: who may read them, the 400s that say what to change, and the CSV a spreadsheet opens
safely (escaped, and names that look like formulas kept as text)."""

from __future__ import annotations

import csv
import io
import json
import re
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp.test_utils import TestClient, TestServer

import central.accounts
from bus.topics import Topics
from central.accounts import AgentAccounts, Role
from central.fleet import FleetState
from central.reports import ReportBook
from central.reports.export import COLUMNS
from central.reports.sample import sample_records, write_records
from central.switchboard import MemoryCallStore, Switchboard, SwitchboardSettings
from central.web.agent import AgentDesk
from central.web.app import HANDLER_CANCELLATION, create_app
from central.web.live import FleetFeed
from central.web.pages import STATIC_DIR

ZONE = ZoneInfo("Asia/Shanghai")
PASSWORD = "correct horse battery"
ACCOUNTS = {"chen": [Role.AGENT], "fang": [Role.FACILITIES], "sun": [Role.SUPERVISOR], "root": [Role.ADMIN]}
QUERY = "from=2026-10-01&to=2026-10-07&by=agent"
# names a spreadsheet would run as formulas, and one that needs quoting
HOSTILE_AGENTS = ('=HYPERLINK("http://evil.example","x")', "+1+2", "-3", "@SUM(A1)", 'Lee, "Jo"')


@pytest.fixture(autouse=True)
def cheap_scrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(central.accounts, "SCRYPT_N", 2**8)


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[tuple[TestServer, AgentAccounts]]:
    accounts = AgentAccounts(tmp_path / "agents.sqlite3")
    for agent_id, roles in ACCOUNTS.items():
        accounts.add(agent_id, agent_id.title(), ["zh"] if Role.AGENT in roles else [], PASSWORD, roles)
    display_token = accounts.add_display("ops-room-1")
    records = list(sample_records(date(2026, 10, 1), 7, 40, ZONE, agents=HOSTILE_AGENTS))
    write_records(tmp_path / "calls.sqlite3", [replace(r, category=None) for r in records])
    now = datetime(2026, 11, 3, 9, tzinfo=ZONE).timestamp()
    book = ReportBook(tmp_path / "calls.sqlite3", ZONE, 15.0, 5.0, clock=lambda: now)
    switchboard = Switchboard(SwitchboardSettings(), time.time, MemoryCallStore())
    fleet = FleetFeed(FleetState(Topics("airport/HAK"), 120.0), "HAK", lambda: "online")
    app = create_app(fleet, AgentDesk(switchboard, accounts), reports=book)
    server = TestServer(app, handler_cancellation=HANDLER_CANCELLATION)
    await server.start_server()
    yield server, display_token
    await server.close()
    accounts.close()


async def test_a_wall_display_does_not_read_reports(server) -> None:
    browser: TestClient[Any, Any] = TestClient(server[0])
    await browser.start_server()
    try:
        opened = await browser.get(f"/wallboard/display?token={server[1]}", allow_redirects=False)
        assert opened.status == 303 and "wall_display=" in opened.headers["Set-Cookie"]
        async with browser.get(f"/api/reports?{QUERY}") as answer:
            assert answer.status == 403
    finally:
        await browser.close()


async def signed_in(server: TestServer, who: str | None) -> TestClient[Any, Any]:
    browser: TestClient[Any, Any] = TestClient(server)
    await browser.start_server()
    if who is not None:
        answer = await browser.post("/api/agent/login", json={"agent_id": who, "password": PASSWORD})
        assert answer.status == 200
    return browser


@pytest.mark.parametrize(("who", "status"), [(None, 401), ("chen", 403), ("fang", 403), ("sun", 200), ("root", 200)])
async def test_only_supervisors_and_admins_read_reports(server, who: str | None, status: int) -> None:
    browser = await signed_in(server[0], who)
    try:
        for path in ("/api/reports", "/api/reports.csv"):
            async with browser.get(f"{path}?{QUERY}") as answer:
                assert answer.status == status, (who, path)
        async with browser.get("/reports") as page:
            assert page.status == 200  # the page carries no data
    finally:
        await browser.close()


async def test_a_bad_request_is_a_400_that_says_what_to_change(server) -> None:
    browser = await signed_in(server[0], "sun")
    try:
        for query, says in [
            ("from=2026-10-07&to=2026-10-01&by=day", "is after to"),
            ("from=2026-10-01&to=2026-10-07&by=fortnight", "not a grouping"),
            ("from=2026-10-01&to=2099-10-07&by=day", "in the future"),
            ("from=2026-10-01&to=2026-13-01&by=day", "not a day of the calendar"),
        ]:
            async with browser.get(f"/api/reports?{query}") as answer:
                assert answer.status == 400, query
                body = await answer.json()
                assert body["error"] == "bad_request" and says in body["detail"], body
            async with browser.get(f"/api/reports.csv?{query}") as answer:
                assert answer.status == 400
    finally:
        await browser.close()


async def test_the_csv_is_the_json_report_escaped_and_safe_in_a_spreadsheet(server) -> None:
    browser = await signed_in(server[0], "sun")
    try:
        report = await (await browser.get(f"/api/reports?{QUERY}")).json()
        async with browser.get(f"/api/reports.csv?{QUERY}") as answer:
            assert answer.status == 200
            assert answer.headers["Content-Type"].startswith("text/csv")
            assert 'filename="calls-by-agent-2026-10-01-to-2026-10-07.csv"' in answer.headers["Content-Disposition"]
            text = await answer.text()
    finally:
        await browser.close()
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0] == ["agent", *COLUMNS]
    labels = [line[0] for line in lines[1:]]
    assert labels == [
        "",
        "'+1+2",
        "'-3",
        '\'=HYPERLINK("http://evil.example","x")',
        "'@SUM(A1)",
        'Lee, "Jo"',
        "total",
    ]
    for line, row in zip(lines[1:], [*report["rows"], report["total"]], strict=True):
        assert int(line[1]) == row["offered"] and int(line[2]) == row["answered"]
        level = line[1 + COLUMNS.index("service_level")]
        assert (
            (level == "")
            if row["service_level"] is None
            else float(level) == pytest.approx(row["service_level"], abs=1e-4)
        )
    assert all(not cell.startswith(("=", "+", "-", "@")) for line in lines for cell in line)


def test_the_page_texts_exist_in_english_and_chinese_with_the_same_keys() -> None:
    source = (STATIC_DIR / "reports-text.js").read_text()
    catalogues = json.loads(source[source.index("{") : source.rindex("}") + 1])
    assert set(catalogues) == {"en", "zh-CN"}
    assert catalogues["en"].keys() == catalogues["zh-CN"].keys()
    named = set(re.findall(r'data-t="([a-z_.]+)"', (STATIC_DIR / "reports.html").read_text()))
    script = (STATIC_DIR / "reports.js").read_text()
    named |= set(re.findall(r'\bt\("([a-z_.]+)"', script))
    named |= {f"by.{by}.head" for by in ("day", "hour", "skill", "category", "agent")}  # t(`by.${by}.head`)
    named |= {f"col.{field}" for field in ("answered", "abandoned", "failed")}  # t(`col.${field}`)
    assert named and named <= catalogues["en"].keys(), f"missing: {named - catalogues['en'].keys()}"
