"""Central's pages under attack: concurrent password guessing, lock-outs from elsewhere, spoofed client
addresses, foreign Host names (DNS rebinding), cookies behind a TLS proxy, and event-stream floods."""

from __future__ import annotations

import asyncio
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
from central.web.policy import WebPolicy, web_policy

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def cheap_scrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    # these tests are about what reaches the hash, not the hash
    monkeypatch.setattr(central.accounts, "SCRYPT_N", 2**8)


class CountingAccounts(AgentAccounts):
    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.verified = 0

    def verify(self, agent_id: str, password: str) -> Any:
        self.verified += 1
        time.sleep(0.02)  # a password check takes a while: the guesses overlap
        return super().verify(agent_id, password)


@pytest.fixture
def accounts(tmp_path: Path) -> AsyncIterator[CountingAccounts]:
    accounts = CountingAccounts(tmp_path / "agents.sqlite3")
    accounts.add("chen", "Chen Li", ["zh"], PASSWORD)
    accounts.add("fang", "Fang Wu", [], PASSWORD, roles=[Role.FACILITIES])
    yield accounts
    accounts.close()


async def serve(accounts: AgentAccounts, policy: WebPolicy) -> TestClient[Any, Any]:
    switchboard = Switchboard(SwitchboardSettings(), time.time, MemoryCallStore())
    fleet = FleetFeed(FleetState(Topics("airport/HAK"), 120.0), "HAK", lambda: "online")
    app = create_app(fleet, AgentDesk(switchboard, accounts), None, policy=policy)
    client: TestClient[Any, Any] = TestClient(TestServer(app, handler_cancellation=HANDLER_CANCELLATION))
    await client.start_server()
    return client


def sign_in(client: TestClient[Any, Any], password: str, **headers: str) -> Any:
    return client.post("/api/agent/login", json={"agent_id": "chen", "password": password}, headers=headers)


async def test_forty_concurrent_guesses_and_the_right_password_do_not_sign_in(accounts: CountingAccounts) -> None:
    client = await serve(accounts, WebPolicy())
    try:
        answers = await asyncio.gather(
            *(sign_in(client, f"guess number {n}") for n in range(40)), sign_in(client, PASSWORD)
        )
        statuses = [answer.status for answer in answers]
        assert statuses[-1] == 429
        assert statuses.count(401) == 5 and statuses.count(200) == 0
        assert accounts.verified == 5
    finally:
        await client.close()


async def test_guesses_from_elsewhere_do_not_lock_the_agent_out(accounts: CountingAccounts) -> None:
    # behind a reverse proxy on loopback: the client address is the one it forwards
    client = await serve(accounts, web_policy("127.0.0.1", "", [], ["127.0.0.1"], 8, 500))
    try:
        for _ in range(6):
            await sign_in(client, "not it at all", **{"X-Forwarded-For": "198.51.100.7"})
        assert (await sign_in(client, PASSWORD, **{"X-Forwarded-For": "198.51.100.7"})).status == 429
        assert (await sign_in(client, PASSWORD, **{"X-Forwarded-For": "10.20.0.15"})).status == 200
    finally:
        await client.close()


async def test_a_forwarded_for_header_from_an_untrusted_peer_is_ignored(accounts: CountingAccounts) -> None:
    client = await serve(accounts, WebPolicy())  # no trusted proxies
    try:
        for n in range(6):  # a guesser who changes the header each time is still one address
            await sign_in(client, "not it at all", **{"X-Forwarded-For": f"203.0.113.{n}"})
        assert (await sign_in(client, PASSWORD, **{"X-Forwarded-For": "10.20.0.15"})).status == 429
    finally:
        await client.close()


async def test_a_foreign_host_name_gets_nothing(accounts: CountingAccounts) -> None:
    client = await serve(accounts, WebPolicy())
    try:
        rebound = await sign_in(client, PASSWORD, Host="evil.example", Origin="http://evil.example")
        assert rebound.status == 421 and "Set-Cookie" not in rebound.headers
        assert (await client.get("/api/fleet", headers={"Host": "evil.example"})).status == 421
        assert accounts.verified == 0
        assert (await client.get("/api/fleet", headers={"Host": "localhost:8080"})).status == 401  # ours: sign in
    finally:
        await client.close()


async def test_behind_a_tls_proxy_the_cookie_is_secure_and_hsts_is_sent(accounts: CountingAccounts) -> None:
    client = await serve(accounts, web_policy("127.0.0.1", "https://central.hak.example", [], [], 8, 500))
    try:
        answer = await sign_in(client, PASSWORD, Host="central.hak.example")
        assert answer.status == 200
        cookie = answer.headers["Set-Cookie"]
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
        assert answer.headers["Strict-Transport-Security"].startswith("max-age=")
    finally:
        await client.close()


def events(client: TestClient[Any, Any], address: str) -> Any:
    return client.get("/api/fleet/events", headers={"X-Forwarded-For": address})


async def until_admitted(client: TestClient[Any, Any], address: str) -> Any:
    async with asyncio.timeout(5):
        while True:
            answer = await events(client, address)
            if answer.status == 200:
                return answer
            answer.close()
            await asyncio.sleep(0.05)  # a fresh request each time; the server's side has no event to wait on


async def test_event_streams_are_capped_per_address_and_in_all(accounts: CountingAccounts) -> None:
    client = await serve(accounts, web_policy("127.0.0.1", "", [], ["127.0.0.1"], 3, 4))
    streams = []
    try:
        login = {"agent_id": "fang", "password": PASSWORD}
        assert (
            await client.post("/api/agent/login", json=login, headers={"X-Forwarded-For": "10.0.0.9"})
        ).status == 200
        for _ in range(3):
            stream = await events(client, "10.0.0.1")
            assert stream.status == 200
            streams.append(stream)
        assert (await events(client, "10.0.0.1")).status == 429  # that address holds its share
        streams.append(await events(client, "10.0.0.2"))
        assert streams[-1].status == 200
        assert (await events(client, "10.0.0.3")).status == 503  # everyone together hold the total
        streams.pop(0).close()
        # a closed stream frees its place as soon as the server sees the connection go
        streams.append(await until_admitted(client, "10.0.0.1"))
    finally:
        for stream in streams:
            stream.close()
        await client.close()
