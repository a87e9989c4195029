"""The info points on central: the phone page, the kiosks' JSON, the flight search, the friendly page for
ids that are not points, the counts staff see, and hostile registry text that stays text."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from PIL import Image

import central.accounts
from bus.messages.flights import Direction, Flight, FlightBoard
from bus.topics import Topics
from central.accounts import AgentAccounts, Role
from central.fleet import FleetState
from central.points.registry import load_registry
from central.points.web import FlightFinder, PointPages
from central.switchboard import MemoryCallStore, Switchboard, SwitchboardSettings
from central.web.agent import AgentDesk
from central.web.app import HANDLER_CANCELLATION, create_app
from central.web.live import FleetFeed

PASSWORD = "correct horse battery"
HOSTILE = "</script><img src=x onerror=alert(1)>&amp;"
REGISTRY = f"""
[[point]]
id = "T1-GATE-1"
name = {{ zh = "1号登机口", en = "Gate 1" }}
terminal = "T1"
area = "Gates 1–6"
floor = "2"
services = [{{ zh = "母婴室", en = "Baby care room" }}]
map = "gate1.png"

[[point]]
id = "evil"
name = {{ zh = "恶意", en = {json.dumps(HOSTILE)} }}
terminal = "T2"
area = {json.dumps(HOSTILE)}
floor = "1"
"""
T0 = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def flight(number: str, other: str, minutes: int, **extra: Any) -> Flight:
    return Flight(
        id=f"{number}-20261130-D",
        number=number,
        direction=Direction.DEPARTURES,
        other_airport=other,
        scheduled=T0 + timedelta(minutes=minutes),
        **extra,
    )


BOARD = FlightBoard(
    direction=Direction.DEPARTURES,
    revision=3,
    tz="Asia/Shanghai",
    flights=[
        flight("HU7181", "PEK", 90, city_en="Beijing", city_zh="北京", gate="12"),
        flight("CZ6753", "CAN", 60, city_en="Guangzhou", city_zh="广州"),
        flight("HU7281", "SHA", 30, city_en="Shanghai", city_zh="上海"),
    ],
)


@pytest.fixture(autouse=True)
def cheap_scrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(central.accounts, "SCRYPT_N", 2**8)


class Site:
    def __init__(self, tmp_path: Path) -> None:
        Image.new("RGB", (40, 30), "white").save(tmp_path / "gate1.png")
        (tmp_path / "points.toml").write_text(REGISTRY, encoding="utf-8")
        self.accounts = AgentAccounts(tmp_path / "agents.sqlite3")
        for name, roles in {"fang": [Role.FACILITIES], "sun": [Role.SUPERVISOR], "chen": [Role.AGENT]}.items():
            self.accounts.add(name, name.title(), ["zh"] if Role.AGENT in roles else [], PASSWORD, roles)
        self.demand: list[str] = []
        self.surges: list[dict[str, object]] = []
        by_id = {f.id: f for f in BOARD.flights}
        self.points = PointPages(
            load_registry(tmp_path / "points.toml"),
            "https://help.hak.example",
            FlightFinder(lambda: [BOARD]),
            demand=self.demand.append,
            demand_view=lambda: {"window_s": 600.0, "alerts": [dict(surge) for surge in self.surges]},
            flight_of=by_id.get,
        )
        switchboard = Switchboard(SwitchboardSettings(), time.time, MemoryCallStore())
        fleet = FleetFeed(FleetState(Topics("airport/HAK"), 120.0), "HAK", lambda: "online")
        app = create_app(fleet, AgentDesk(switchboard, self.accounts), points=self.points)

        async def flight_page(_request: web.Request) -> web.StreamResponse:
            return web.Response(text="the flight page answers any well-formed id, as central's does")

        app.router.add_get("/flight/{id}", flight_page)
        self.server = TestServer(app, handler_cancellation=HANDLER_CANCELLATION)

    def browser(self) -> TestClient[Any, Any]:
        return TestClient(self.server)


@pytest.fixture
async def site(tmp_path: Path) -> AsyncIterator[Site]:
    site = Site(tmp_path)
    await site.server.start_server()
    yield site
    await site.server.close()
    site.accounts.close()


async def raw_get(port: int | None, path: str) -> tuple[int, str]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
    await writer.drain()
    answer = (await reader.read()).decode("utf-8", "replace")
    writer.close()
    await writer.wait_closed()
    head, _, body = answer.partition("\r\n\r\n")
    return int(head.split()[1]), body


def embedded_point(html: str) -> Any:
    found = re.search(r'<script type="application/json" id="point-data">(.*?)</script>', html, re.S)
    assert found is not None
    return json.loads(found.group(1))


async def test_the_api_gives_a_point_exactly_as_kiosks_expect(site: Site) -> None:
    async with site.browser() as browser, browser.get("/api/points/T1-GATE-1") as response:
        assert response.status == 200
        assert await response.json() == {
            "id": "T1-GATE-1",
            "name": {"zh": "1号登机口", "en": "Gate 1"},
            "terminal": "T1",
            "area": "Gates 1–6",
            "floor": "2",
            "services": [{"zh": "母婴室", "en": "Baby care room"}],
            "map": "https://help.hak.example/p/T1-GATE-1/map",
        }


async def test_the_page_carries_its_point_and_its_map_is_served(site: Site) -> None:
    async with site.browser() as browser:
        async with browser.get("/p/T1-GATE-1?s=q") as response:
            assert response.status == 200
            page = await response.text()
        assert embedded_point(page)["name"] == {"zh": "1号登机口", "en": "Gate 1"}
        assert embedded_point(page)["map"] == "/p/T1-GATE-1/map"
        async with browser.get("/p/T1-GATE-1/map") as response:
            assert response.status == 200
            assert response.content_type == "image/png"


async def test_hostile_registry_text_cannot_end_the_script_element(site: Site) -> None:
    async with site.browser() as browser, browser.get("/p/evil") as response:
        page = await response.text()
    assert "</script><img" not in page
    assert page.count("</script>") == 2  # the page's own two script elements, nothing more
    assert embedded_point(page)["area"] == HOSTILE  # and the text itself arrives whole, as text


@pytest.mark.parametrize(
    "path",
    [
        "/p/nope",
        "/p/../../etc/passwd",
        "/p/..%2F..%2Fetc",
        "/p/" + "a" * 5000,
        "/p/%00%1b%0a",
        "/p/a/b/c",
        "/p/nope/map",
    ],
)
async def test_an_id_that_is_not_a_point_gets_the_friendly_page(site: Site, path: str) -> None:
    status, page = await raw_get(site.server.port, path)  # as sent, with no client tidying the path first
    assert status == 404
    assert "找不到此信息点" in page and "Info point not found" in page
    assert "Traceback" not in page


async def test_the_api_for_an_unknown_point_is_a_plain_404(site: Site) -> None:
    async with site.browser() as browser, browser.get("/api/points/nope") as response:
        assert response.status == 404


async def test_flights_are_found_by_number_city_or_pinyin_and_count_as_demand(site: Site) -> None:
    async with site.browser() as browser:
        async with browser.get("/api/points/T1-GATE-1/flights", params={"q": "7181"}) as response:
            answer = await response.json()
        assert [row["number"] for row in answer["flights"]] == ["HU7181"]
        assert answer["flights"][0]["gate"] == "12" and answer["tz"] == "Asia/Shanghai"
        async with browser.get("/api/points/T1-GATE-1/flights", params={"q": "beijing"}) as response:
            assert [row["number"] for row in (await response.json())["flights"]] == ["HU7181"]
        async with browser.get("/api/points/T1-GATE-1/flights", params={"q": "HU"}) as response:
            assert {row["number"] for row in (await response.json())["flights"]} == {"HU7181", "HU7281"}
        async with browser.get("/api/points/T1-GATE-1/flights", params={"q": "<script>"}) as response:
            assert (await response.json())["flights"] == []
    assert site.demand.count("flight:HU7181") == 3  # 7181, beijing, and HU (two results: both count)
    assert site.demand.count("flight:HU7281") == 1


async def test_a_flight_page_opened_counts_as_demand_only_for_a_flight_on_the_boards(site: Site) -> None:
    async with site.browser() as browser:
        for path in ("/flight/made-up", "/flight/HU7181-20261130-D", "/flight/HU7181-20261130-D"):
            async with browser.get(path) as response:
                assert response.status == 200
    assert site.demand == ["flight:HU7181", "flight:HU7181"]


async def test_views_and_scans_are_counted_per_point_and_shown_only_to_staff(site: Site) -> None:
    async with site.browser() as anyone:
        for path in ("/p/T1-GATE-1?s=q", "/p/T1-GATE-1?s=q", "/p/T1-GATE-1", "/p/evil", "/p/nope?s=q"):
            async with anyone.get(path):
                pass
        async with anyone.head("/p/T1-GATE-1?s=q") as response:
            assert response.status == 200  # answered, not counted
        async with anyone.get("/api/points/stats") as response:
            assert response.status == 401
        assert site.demand.count("point:T1-GATE-1") == 3
        for name, allowed in (("chen", False), ("fang", True), ("sun", True)):
            anyone.session.cookie_jar.clear()
            async with anyone.post("/api/agent/login", json={"agent_id": name, "password": PASSWORD}) as response:
                assert response.status == 200
            async with anyone.get("/api/points/stats") as response:
                assert response.status == (200 if allowed else 403), name
                if allowed:
                    stats = (await response.json())["points"]
                    assert stats["T1-GATE-1"] == {"views": 3, "scans": 2}
                    assert stats["evil"] == {"views": 1, "scans": 0}
                    assert "nope" not in stats


async def test_current_demand_names_points_and_is_for_staff_only(site: Site) -> None:
    site.surges += [
        {"id": "demand_surge:point:T1-GATE-1", "topic": "point:T1-GATE-1", "recent": 30, "usual": 2.0},
        {"id": "demand_surge:flight:HU7181", "topic": "flight:HU7181", "recent": 12, "usual": 0.0},
    ]
    async with site.browser() as anyone:
        async with anyone.get("/api/demand") as response:
            assert response.status == 401
        async with anyone.post("/api/agent/login", json={"agent_id": "sun", "password": PASSWORD}) as response:
            assert response.status == 200
        async with anyone.get("/api/demand") as response:
            view = await response.json()
    assert view["window_s"] == 600.0
    assert view["alerts"][0]["name"] == {"zh": "1号登机口", "en": "Gate 1"}
    assert "name" not in view["alerts"][1]
