"""Who sees what on central's pages: the fleet needs the facilities role, the wallboard the supervisor
role or a wall display's token, an admin sees both; the pages themselves carry no data."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

import central.accounts
from bus.topics import Topics
from central.accounts import AgentAccounts, Role
from central.fleet import FleetState
from central.switchboard import MemoryCallStore, Switchboard, SwitchboardSettings
from central.web.agent import AgentDesk
from central.web.app import HANDLER_CANCELLATION, create_app
from central.web.live import FleetFeed
from central.web.wallboard import WallboardFeed

PASSWORD = "correct horse battery"
ACCOUNTS = {
    "chen": [Role.AGENT],
    "fang": [Role.FACILITIES],
    "sun": [Role.SUPERVISOR],
    "root": [Role.ADMIN],
}
DATA = ("/api/fleet", "/api/fleet/events", "/api/wallboard", "/api/wallboard/events")
SEES = {
    None: set(),
    "chen": set(),
    "fang": {"/api/fleet", "/api/fleet/events"},
    "sun": {"/api/wallboard", "/api/wallboard/events"},
    "root": set(DATA),
    "display": {"/api/wallboard", "/api/wallboard/events"},
}


@pytest.fixture(autouse=True)
def cheap_scrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(central.accounts, "SCRYPT_N", 2**8)


class Site:
    def __init__(self, tmp_path: Path) -> None:
        self.accounts = AgentAccounts(tmp_path / "agents.sqlite3")
        for agent_id, roles in ACCOUNTS.items():
            self.accounts.add(agent_id, agent_id.title(), ["zh"] if Role.AGENT in roles else [], PASSWORD, roles)
        self.display_token = self.accounts.add_display("ops-room-1")
        switchboard = Switchboard(SwitchboardSettings(), time.time, MemoryCallStore())
        fleet = FleetFeed(FleetState(Topics("airport/HAK"), 120.0), "HAK", lambda: "online")
        self.wallboard = WallboardFeed(switchboard, "HAK", interval_s=0.01)
        self.wallboard.start()
        app = create_app(fleet, AgentDesk(switchboard, self.accounts), self.wallboard)
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


async def status(browser: TestClient[Any, Any], path: str) -> int:
    async with browser.get(path) as response:
        return response.status


@pytest.mark.parametrize("who", list(SEES))
async def test_each_role_sees_its_own_data_and_nothing_else(site: Site, who: str | None) -> None:
    async with site.browser() as browser:
        if who == "display":
            opened = await browser.get(f"/wallboard/display?token={site.display_token}", allow_redirects=False)
            assert opened.status == 303 and opened.headers["Location"] == "/wallboard"
            assert "HttpOnly" in opened.headers["Set-Cookie"]
        elif who is not None:
            answer = await browser.post("/api/agent/login", json={"agent_id": who, "password": PASSWORD})
            assert answer.status == 200
        for path in DATA:
            expected = 200 if path in SEES[who] else 401 if who is None else 403
            assert await status(browser, path) == expected, (who, path)
        for page in ("/facilities", "/wallboard", "/signin", "/agent"):
            assert await status(browser, page) == 200, page  # pages carry no data


async def test_whoami_names_the_viewer_and_their_roles(site: Site) -> None:
    async with site.browser() as browser:
        assert await status(browser, "/api/whoami") == 401
        await browser.post("/api/agent/login", json={"agent_id": "root", "password": PASSWORD})
        who = await (await browser.get("/api/whoami")).json()
        assert who == {"name": "root", "roles": sorted(role.value for role in Role)}


async def test_a_removed_display_is_signed_out_and_a_wrong_token_opens_nothing(site: Site) -> None:
    async with site.browser() as browser:
        wrong = await browser.get("/wallboard/display?token=not-a-token", allow_redirects=False)
        assert wrong.status == 401 and "Set-Cookie" not in wrong.headers
        await browser.get(f"/wallboard/display?token={site.display_token}", allow_redirects=False)
        assert await status(browser, "/api/wallboard") == 200
        site.accounts.remove_display("ops-room-1")
        assert await status(browser, "/api/wallboard") == 401


def test_display_tokens_are_kept_as_digests_only(tmp_path: Path) -> None:
    accounts = AgentAccounts(tmp_path / "agents.sqlite3")
    try:
        token = accounts.add_display("gate-hall")
        assert accounts.display_of(token) == "gate-hall"
        assert accounts.display_of(token + "x") is None and accounts.display_of(None) is None
    finally:
        accounts.close()
    raw = b"".join(path.read_bytes() for path in tmp_path.iterdir())
    assert token.encode() not in raw
