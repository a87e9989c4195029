"""A session is only as good as the account behind it: a removed account or a changed password ends every
session and console opened with the old one, at once; a new sign-in can end the others."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

import central.accounts
from bus.topics import Topics
from central.accounts import AgentAccounts, Role
from central.fleet import FleetState
from central.switchboard import AgentState, MemoryCallStore, Switchboard, SwitchboardSettings
from central.web.agent import AgentDesk
from central.web.app import HANDLER_CANCELLATION, create_app
from central.web.live import FleetFeed

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def cheap_scrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(central.accounts, "SCRYPT_N", 2**8)


class Site:
    def __init__(self, tmp_path: Path, account_check_s: float) -> None:
        self.accounts = AgentAccounts(tmp_path / "agents.sqlite3")
        self.accounts.add("chen", "Chen Li", ["zh"], PASSWORD)
        self.accounts.add("fang", "Fang Wu", [], PASSWORD, roles=[Role.FACILITIES])
        self.switchboard = Switchboard(SwitchboardSettings(), time.time, MemoryCallStore())
        fleet = FleetFeed(FleetState(Topics("airport/HAK"), 120.0), "HAK", lambda: "online")
        desk = AgentDesk(self.switchboard, self.accounts, account_check_s=account_check_s)
        self.app = create_app(fleet, desk)
        self.server = TestServer(self.app, handler_cancellation=HANDLER_CANCELLATION)

    def client(self) -> TestClient[Any, Any]:
        return TestClient(self.server)  # each client has its own cookie jar: another browser

    @property
    def origin(self) -> str:
        return f"http://{self.server.host}:{self.server.port}"

    async def sign_in(self, client: TestClient[Any, Any], agent_id: str = "chen", **extra: object) -> int:
        body = {"agent_id": agent_id, "password": PASSWORD, **extra}
        response = await client.post("/api/agent/login", json=body)
        return response.status

    def agent_state(self, agent_id: str) -> AgentState | None:
        views = {view.agent_id: view.state for view in self.switchboard.agents()}
        return views.get(agent_id)


async def serving(tmp_path: Path, account_check_s: float) -> AsyncIterator[Site]:
    site = Site(tmp_path, account_check_s)
    await site.server.start_server()
    yield site
    await site.server.close()
    site.accounts.close()


@pytest.fixture
async def site(tmp_path: Path) -> AsyncIterator[Site]:
    async for serving_site in serving(tmp_path, account_check_s=3600.0):  # only messages are checked
        yield serving_site


@pytest.fixture
async def watched_site(tmp_path: Path) -> AsyncIterator[Site]:
    async for serving_site in serving(tmp_path, account_check_s=0.05):
        yield serving_site


async def test_a_password_change_ends_the_sessions_opened_with_the_old_one(site: Site) -> None:
    async with site.client() as browser:
        assert await site.sign_in(browser) == 200
        assert (await browser.get("/api/agent/session")).status == 200
        site.accounts.set_password("chen", "a brand new password")
        assert (await browser.get("/api/agent/session")).status == 401
        assert (await browser.get("/api/agent/maps")).status == 401


async def test_a_removed_agent_is_out_at_once(site: Site) -> None:
    async with site.client() as browser:
        assert await site.sign_in(browser) == 200
        site.accounts.remove("chen")
        assert (await browser.get("/api/agent/session")).status == 401


async def test_an_open_console_of_a_removed_agent_cannot_go_available(site: Site) -> None:
    async with site.client() as browser:
        assert await site.sign_in(browser) == 200
        ws = await browser.ws_connect("/api/agent/ws", headers={"Origin": site.origin})
        await ws.receive_json(timeout=5)  # signed_in
        site.accounts.remove("chen")
        await ws.send_str(json.dumps({"type": "presence", "available": True}))
        while (message := await ws.receive(timeout=5)).type is aiohttp.WSMsgType.TEXT:
            assert json.loads(message.data).get("type") != "presence"
        assert ws.close_code == 4401
        assert site.agent_state("chen") in (None, AgentState.OFFLINE, AgentState.AWAY)


async def test_an_idle_console_is_closed_when_its_password_changes(watched_site: Site) -> None:
    async with watched_site.client() as browser:
        assert await watched_site.sign_in(browser) == 200
        ws = await browser.ws_connect("/api/agent/ws", headers={"Origin": watched_site.origin})
        await ws.receive_json(timeout=5)
        watched_site.accounts.set_password("chen", "a brand new password")
        while (await ws.receive(timeout=5)).type is aiohttp.WSMsgType.TEXT:
            pass
        assert ws.close_code == 4401
        assert (await browser.get("/api/agent/session")).status == 401


async def test_signing_in_can_end_the_other_sessions(site: Site) -> None:
    async with site.client() as desk, site.client() as laptop, site.client() as phone:
        assert await site.sign_in(desk) == 200
        assert await site.sign_in(laptop) == 200
        assert await site.sign_in(phone, end_other_sessions=True) == 200
        assert (await desk.get("/api/agent/session")).status == 401
        assert (await laptop.get("/api/agent/session")).status == 401
        assert (await phone.get("/api/agent/session")).status == 200


async def test_an_account_without_the_agent_role_cannot_answer_calls(site: Site) -> None:
    async with site.client() as browser:
        assert await site.sign_in(browser, "fang") == 200
        ws = await browser.ws_connect("/api/agent/ws", headers={"Origin": site.origin})
        assert (await ws.receive(timeout=5)).type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
        assert ws.close_code == 4401
        assert site.agent_state("fang") is None


def test_accounts_from_before_roles_become_agents_with_their_passwords(tmp_path: Path) -> None:
    path = tmp_path / "agents.sqlite3"
    stored = central.accounts.hash_password(PASSWORD)
    with sqlite3.connect(path) as db:
        db.executescript(central.accounts._SCHEMA_V1 + "PRAGMA user_version = 1;")
        db.execute("INSERT INTO agents VALUES ('chen', 'Chen Li', ?, ?, 0, 0)", (json.dumps(["zh"]), stored))
    accounts = AgentAccounts(path)
    try:
        account = accounts.verify("chen", PASSWORD)
        assert account is not None and account.roles == (Role.AGENT,) and account.credential_version == 1
    finally:
        accounts.close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (3,)  # v3 added the department
