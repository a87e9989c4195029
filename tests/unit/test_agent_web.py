"""The agent console's HTTP and WebSocket side, and the wallboard's, against a real switchboard in memory."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

import central.accounts
from bus.messages.call import CallContext, CallRequest, Connect, Ended, SdpAnswer, SdpOffer
from bus.topics import Topics
from central.accounts import AgentAccounts, Role
from central.fleet import FleetState
from central.switchboard import AgentState, CallerMessage, MemoryCallStore, Switchboard, SwitchboardSettings
from central.switchboard.console.messages import MAX_MESSAGE_BYTES, BadConsoleMessage, parse
from central.web.agent import SESSION_COOKIE, AgentDesk
from central.web.agent_sessions import AgentSessions, LoginThrottle
from central.web.app import create_app
from central.web.live import FleetFeed
from central.web.wallboard import WallboardFeed
from tests.peers.clock import T0, FakeClock
from tests.peers.json_socket import JsonSocket as Console

PASSWORD = "correct horse battery"
TIMEOUT_S = 5.0
SDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"


class Caller:
    def __init__(self, caller_id: str, changed: Callable[[], None]) -> None:
        self.caller_id = caller_id
        self.kind = "device"
        self.messages: list[CallerMessage] = []
        self._changed = changed

    def send(self, message: CallerMessage) -> None:
        self.messages.append(message)
        self._changed()


@pytest.fixture(autouse=True)
def cheap_scrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    # one real hash costs about 0.1 s; these tests are about the web side, not the hash
    monkeypatch.setattr(central.accounts, "SCRYPT_N", 2**8)


class Rig:
    """The app with a switchboard, accounts, and fake clocks for the switchboard and the sessions."""

    def __init__(self, tmp_path: Path) -> None:
        self.clock = FakeClock(T0)
        self.session_clock = FakeClock(1000.0)
        self.switchboard = Switchboard(SwitchboardSettings(), self.clock, MemoryCallStore())
        self.accounts = AgentAccounts(tmp_path / "agents.sqlite3")
        self.accounts.add("chen", "Chen Li", ["zh", "en"], PASSWORD)
        self.accounts.add("wang", "Wang Fang", ["zh"], PASSWORD)
        self.accounts.add("sun", "Sun Min", [], PASSWORD, roles=[Role.SUPERVISOR])
        self.desk = AgentDesk(
            switchboard=self.switchboard,
            accounts=self.accounts,
            sessions=AgentSessions(clock=self.session_clock),
            throttle=LoginThrottle(clock=self.session_clock),
        )
        fleet = FleetFeed(FleetState(Topics("airport/HAK"), 120.0), "HAK", lambda: "online")
        self.wallboard = WallboardFeed(self.switchboard, "HAK", interval_s=0.01)
        self.wallboard.start()
        self.app = create_app(fleet, self.desk, self.wallboard)
        self.client: TestClient[Any, Any] | None = None
        self.changed = asyncio.Event()
        self.switchboard.add_listener(self.changed.set)

    async def until(self, condition: Callable[[], bool]) -> None:
        """Wait until ``condition`` holds, looking again whenever the switchboard or a caller hears something."""
        async with asyncio.timeout(TIMEOUT_S):
            while not condition():
                self.changed.clear()
                await self.changed.wait()

    async def __aenter__(self) -> TestClient[Any, Any]:
        self.client = TestClient(TestServer(self.app))
        await self.client.start_server()
        return self.client

    async def __aexit__(self, *exc: object) -> None:
        assert self.client is not None
        await self.client.close()
        self.accounts.close()

    def origin(self) -> str:
        assert self.client is not None
        return f"http://{self.client.host}:{self.client.port}"

    def call(self, caller_id: str = "kiosk-1", call_id: str = "call-1", language: str = "zh") -> Caller:
        caller = Caller(caller_id, self.changed.set)
        context = CallContext(screen="flight_detail", flight="HU7181", location="T1 Hall B", language="zh-CN")
        self.switchboard.request(caller, CallRequest(call=call_id, language=language, context=context))
        return caller


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[Rig]:
    yield Rig(tmp_path)


async def login(
    client: TestClient[Any, Any], agent_id: str = "chen", password: str = PASSWORD
) -> aiohttp.ClientResponse:
    return await client.post("/api/agent/login", json={"agent_id": agent_id, "password": password})


async def open_console(rig: Rig, client: TestClient[Any, Any], origin: str | None = None) -> Console:
    ws = await client.ws_connect("/api/agent/ws", headers={"Origin": origin or rig.origin()})
    return Console(ws)


async def signed_in_console(rig: Rig, client: TestClient[Any, Any]) -> Console:
    assert (await login(client)).status == 200
    console = await open_console(rig, client)
    assert (await console.next("signed_in"))["agent"] == "chen"
    assert (await console.next("state"))["state"] == "away"
    return console


# --- sign-in -----------------------------------------------------------------------------------------


async def test_a_good_password_opens_a_session_in_a_strict_http_only_cookie(rig: Rig) -> None:
    async with rig as client:
        response = await login(client)

        assert response.status == 200
        body = await response.json()
        assert (body["agent"], body["name"], body["skills"]) == ("chen", "Chen Li", ["zh", "en"])
        cookie = response.headers["Set-Cookie"]
        assert cookie.startswith(f"{SESSION_COOKIE}=")
        assert "HttpOnly" in cookie
        assert "SameSite=Strict" in cookie
        assert "Path=/" in cookie
        assert "Secure" not in cookie  # served over plain http here; over https it is Secure
        assert PASSWORD not in cookie
        session = await client.get("/api/agent/session")
        assert session.status == 200
        assert (await session.json())["agent"] == "chen"


async def test_a_wrong_password_and_an_unknown_agent_get_the_same_answer(
    rig: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    async with rig as client:
        wrong = await login(client, "chen", "not the password")
        unknown = await login(client, "nobody", "not the password")

        assert wrong.status == unknown.status == 401
        assert await wrong.json() == await unknown.json()
        assert "Set-Cookie" not in wrong.headers
        assert (await client.get("/api/agent/session")).status == 401
    assert "login failed for agent chen" in caplog.text
    assert "not the password" not in caplog.text


async def test_five_failures_slow_down_that_agent_from_that_address_only(rig: Rig) -> None:
    async with rig as client:
        for _ in range(5):
            assert (await login(client, "chen", "guess guess guess")).status == 401

        locked = await login(client, "chen", PASSWORD)  # even the right password, for a while
        assert locked.status == 429
        assert locked.headers["Retry-After"] == "2"
        # another agent at the same desk is not locked out by someone guessing chen's password
        assert (await login(client, "wang", PASSWORD)).status == 200

        rig.session_clock.now += 2
        assert (await login(client, "chen", PASSWORD)).status == 200


async def test_sign_in_refuses_other_origins_and_anything_but_json(rig: Rig) -> None:
    async with rig as client:
        foreign = await client.post(
            "/api/agent/login",
            json={"agent_id": "chen", "password": PASSWORD},
            headers={"Origin": "http://evil.example"},
        )
        assert foreign.status == 403
        form = await client.post("/api/agent/login", data={"agent_id": "chen", "password": PASSWORD})
        assert form.status == 415
        bad = await client.post("/api/agent/login", json={"agent_id": 7, "password": PASSWORD})
        assert bad.status == 400
        assert (await client.get("/api/agent/session")).status == 401


async def test_sign_out_ends_the_session_and_signs_the_console_out(rig: Rig) -> None:
    async with rig as client:
        console = await signed_in_console(rig, client)

        response = await client.post("/api/agent/logout", headers={"Origin": rig.origin()})

        assert response.status == 200
        assert (await console.next("signed_out"))["reason"] == "signed_out"
        assert await console.closed() == 4000
        assert (await client.get("/api/agent/session")).status == 401
        assert rig.switchboard.agent_state("chen") is AgentState.OFFLINE


async def test_maps_need_a_session_and_are_empty_for_now(rig: Rig) -> None:
    async with rig as client:
        assert (await client.get("/api/agent/maps")).status == 401
        await login(client)
        response = await client.get("/api/agent/maps")
        assert (response.status, await response.json()) == (200, [])


async def test_pages_are_served_with_the_security_headers(rig: Rig) -> None:
    async with rig as client:
        for path, marker in (("/agent", b'id="signin-form"'), ("/wallboard", b'data-kpi="answered"')):
            response = await client.get(path)
            assert response.status == 200, path
            assert marker in await response.read()
            assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
            assert response.headers["Cache-Control"] == "no-cache"
        for page in ("agent.html", "wallboard.html"):
            for module in modules_of(page):
                response = await client.get(f"/static/{module}")
                assert response.status == 200, module
                assert response.content_type in ("text/javascript", "application/javascript"), module


def modules_of(page: str) -> set[str]:
    """The ES modules a page loads, following every ``import … from "./x.js"`` (no build step bundles them)."""
    static = Path(__file__).parents[2] / "central" / "web" / "static"
    html = (static / page).read_text(encoding="utf-8")
    # module scripts only: the CSP allows scripts from 'self', and modules keep each file's names its own
    assert "<script>" not in html and 'type="module"' in html
    todo = re.findall(r'<script type="module" src="/static/([\w.-]+\.js)"></script>', html)
    found: set[str] = set()
    while todo:
        module = todo.pop()
        if module in found:
            continue
        found.add(module)
        todo.extend(re.findall(r'from "\./([\w.-]+\.js)"', (static / module).read_text(encoding="utf-8")))
    return found


def test_the_agent_console_is_split_into_modules_that_all_load() -> None:
    modules = modules_of("agent.html")

    assert {"agent.js", "agent-socket.js", "agent-ring.js", "agent-signin.js", "agent-render.js"} <= modules
    assert {"agent-call.js", "agent-push.js", "common.js", "i18n.js"} <= modules


# --- the console socket --------------------------------------------------------------------------------


async def test_the_socket_is_closed_4401_without_a_session_and_nothing_it_sends_is_done(rig: Rig) -> None:
    rig.call()
    async with rig as client:
        console = await open_console(rig, client)
        await console.send({"type": "presence", "available": True})

        assert await console.closed() == 4401
        assert rig.switchboard.agent_state("chen") is AgentState.OFFLINE
        assert console.events == []


async def test_the_socket_is_refused_from_a_foreign_origin(rig: Rig) -> None:
    async with rig as client:
        await login(client)
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await client.ws_connect("/api/agent/ws", headers={"Origin": "http://evil.example"})
        assert refused.value.status == 403
        with pytest.raises(aiohttp.WSServerHandshakeError):
            await client.ws_connect("/api/agent/ws")  # no Origin at all: not from a page
        assert rig.switchboard.agent_state("chen") is AgentState.OFFLINE


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        ("this is not json", "message is not JSON"),
        ("[1, 2]", "message is not a JSON object"),
        ('{"type": "dance"}', "unknown message type"),
        ('{"call": "call-1"}', "unknown message type"),
        ('{"type": "accept"}', "call: Field required"),
        ('{"type": "presence", "available": "yes"}', "available: Input should be a valid boolean"),
        ('{"type": "accept", "call": "../../etc"}', "call: String should match pattern"),
        (json.dumps({"type": "answer", "call": "c", "sdp": "x" * MAX_MESSAGE_BYTES}), "exceeds"),
    ],
)
async def test_a_malformed_console_message_gets_an_error_and_the_socket_stays_open(
    rig: Rig, message: str, reason: str
) -> None:
    async with rig as client:
        console = await signed_in_console(rig, client)

        await console.send(message)

        error = await console.next("error")
        assert reason in error["reason"]
        await console.send({"type": "presence", "available": True})
        assert (await console.next("state"))["state"] == "available"


async def test_a_binary_frame_gets_an_error_too(rig: Rig) -> None:
    async with rig as client:
        console = await signed_in_console(rig, client)
        await console.ws.send_bytes(b"\x00\x01")
        assert (await console.next("error"))["reason"] == "binary messages are not accepted"


async def test_a_message_for_a_call_that_is_not_theirs_is_refused(rig: Rig) -> None:
    async with rig as client:
        chen = await signed_in_console(rig, client)
        await chen.send({"type": "presence", "available": True})
        rig.call()
        ring = await chen.next("ring")
        assert ring["call"] == "call-1"

        await chen.send({"type": "accept", "call": "someone-elses"})
        assert (await chen.next("error")) == {"type": "error", "reason": "not_ringing", "request": "accept"}
        await chen.send({"type": "hangup", "call": "someone-elses"})
        assert (await chen.next("error"))["reason"] == "not_your_call"
        await chen.send({"type": "answer", "call": "call-1", "sdp": SDP})
        assert (await chen.next("error"))["reason"] == "not_your_call"


async def test_a_whole_call_through_the_socket(rig: Rig) -> None:
    async with rig as client:
        console = await signed_in_console(rig, client)
        await console.send({"type": "presence", "available": True})
        caller = rig.call()

        ring = await console.next("ring")
        assert (ring["call"], ring["location"], ring["skill"], ring["timeout_s"]) == ("call-1", "T1 Hall B", "zh", 15.0)
        await console.send({"type": "accept", "call": "call-1"})
        connected = await console.next("connected")
        assert connected["context"]["flight"] == "HU7181"
        assert isinstance(caller.messages[-1], Connect)
        assert caller.messages[-1].agent.name == "Chen Li"

        rig.switchboard.caller_sdp("kiosk-1", SdpOffer(call="call-1", sdp=SDP))
        assert (await console.next("offer"))["sdp"] == SDP
        await console.send({"type": "answer", "call": "call-1", "sdp": SDP + "a=x\r\n"})
        await rig.until(lambda: isinstance(caller.messages[-1], SdpAnswer))

        rig.clock.now += 60
        await console.send({"type": "hangup", "call": "call-1"})
        assert (await console.next("ended"))["reason"] == "agent"
        wrap = await console.next("wrap_up")
        assert wrap["left_s"] == 30.0
        assert isinstance(caller.messages[-1], Ended)

        await console.send(
            {"type": "disposition", "call": "call-1", "resolved": True, "category": "flight_info", "note": "gate"}
        )
        assert (await console.next("disposition_saved"))["call"] == "call-1"
        await console.send({"type": "disposition", "call": "call-1", "resolved": True, "category": "flight_info"})
        assert (await console.next("error"))["reason"] == "already_recorded"
        assert rig.switchboard.kpis_today().answered == 1


async def test_a_console_that_vanishes_while_ringing_puts_the_call_back_at_the_head(rig: Rig) -> None:
    async with rig as client:
        console = await signed_in_console(rig, client)
        await console.send({"type": "presence", "available": True})
        rig.call()
        await console.next("ring")

        await console.ws.close()

        await rig.until(lambda: rig.switchboard.agent_state("chen") is AgentState.OFFLINE)
        state = rig.switchboard.caller_queue_state("kiosk-1")
        assert (state.call, state.position) == ("waiting", 1)


async def test_a_second_console_replaces_the_first_which_is_closed_4409(rig: Rig) -> None:
    async with rig as client:
        first = await signed_in_console(rig, client)
        second = await open_console(rig, client)
        assert (await second.next("signed_in"))["agent"] == "chen"

        assert (await first.next("signed_out"))["reason"] == "replaced"
        assert await first.closed() == 4409
        # the old socket closing does not sign out the new one
        await second.next("state")
        await second.send({"type": "presence", "available": True})
        assert (await second.next("state"))["state"] == "available"
        assert rig.switchboard.agent_state("chen") is AgentState.AVAILABLE


async def test_an_expired_session_ends_the_console(rig: Rig) -> None:
    async with rig as client:
        console = await signed_in_console(rig, client)

        rig.session_clock.now += 12 * 3600 + 1
        await console.send({"type": "presence", "available": True})

        assert (await console.next("error"))["reason"] == "session_expired"
        assert await console.closed() == 4401
        await rig.until(lambda: rig.switchboard.agent_state("chen") is AgentState.OFFLINE)


# --- the wallboard -------------------------------------------------------------------------------------


async def test_the_wallboard_json_and_its_stream_follow_the_switchboard(rig: Rig) -> None:
    async with rig as client:
        assert (await login(client, "sun")).status == 200  # the wallboard's data is for supervisors
        snapshot = await (await client.get("/api/wallboard")).json()
        assert snapshot["site"] == "HAK"
        assert snapshot["today"]["offered"] == 0
        assert snapshot["service_hours"] == "06:00–24:00"

        async with client.get("/api/wallboard/events") as stream:
            assert stream.headers["Content-Type"].startswith("text/event-stream")
            first = await _next_snapshot(stream)
            assert first["skills"]["zh"]["waiting"] == 0
            rig.call()
            changed = await _next_snapshot(stream)
            assert changed["skills"]["zh"]["waiting"] == 1


async def _next_snapshot(stream: aiohttp.ClientResponse) -> dict[str, Any]:
    async with asyncio.timeout(TIMEOUT_S):
        while True:
            line = (await stream.content.readline()).decode()
            if line.startswith("data: "):
                data: dict[str, Any] = json.loads(line.removeprefix("data: "))
                return data


# --- pure parts ----------------------------------------------------------------------------------------


def test_console_messages_parse_to_typed_requests() -> None:
    message = parse('{"type": "disposition", "call": "c-1", "resolved": false, "category": "baggage", "x": 1}')
    assert (message.type, message.call, message.resolved, message.note) == ("disposition", "c-1", False, "")
    with pytest.raises(BadConsoleMessage) as bad:
        parse('{"type": "disposition", "call": "c-1", "resolved": false, "category": "Baggage!"}')
    assert bad.value.request == "disposition"


def test_sessions_expire_and_keep_only_a_digest_of_the_token() -> None:
    clock = FakeClock(0.0)
    sessions = AgentSessions(ttl_s=10.0, clock=clock)
    token = sessions.open("chen")

    assert len(token) >= 40
    assert token not in repr(sessions.__dict__)
    assert sessions.get(token) is not None
    assert sessions.get(token + "x") is None
    clock.now = 10.0
    assert sessions.get(token) is None
    assert len(sessions) == 0
