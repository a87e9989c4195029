"""Supervisor monitoring, server side: who may monitor, what a monitoring relays between the supervisor's
wallboard and the agent's console, and how it ends; against a real switchboard in memory and real sockets."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

import central.accounts
from bus.messages.call import CallContext, CallHangup, CallRequest
from bus.topics import Topics
from central.accounts import AgentAccounts, Role
from central.fleet import FleetState
from central.switchboard import MemoryCallStore, Switchboard, SwitchboardSettings
from central.web.agent import AgentDesk
from central.web.app import create_app
from central.web.live import FleetFeed
from central.web.monitor import MonitorDesk
from central.web.monitor_messages import BadMonitorMessage, MonitorMode, Start, parse_agent, parse_supervisor
from central.web.monitor_settings import MonitorSection
from central.web.wallboard import WallboardFeed
from tests.peers.agent_console import Caller, QuietConsole
from tests.peers.clock import T0, FakeClock
from tests.peers.json_socket import JsonSocket

PASSWORD = "correct horse battery"
TIMEOUT_S = 5.0
SDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
TRACKS = {"0": "passenger_video", "1": "passenger_audio", "2": "agent_video", "3": "agent_audio", "4": "whisper"}


@pytest.fixture(autouse=True)
def cheap_scrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(central.accounts, "SCRYPT_N", 2**8)


class Peer(JsonSocket):
    """One signed-in browser's socket: what it was sent, in order, and its HTTP session."""

    def __init__(self, http: aiohttp.ClientSession, ws: aiohttp.ClientWebSocketResponse) -> None:
        super().__init__(ws)
        self.http = http


class Rig:
    def __init__(self, tmp_path: Path, settings: MonitorSection | None = None) -> None:
        self.switchboard = Switchboard(SwitchboardSettings(), FakeClock(T0), MemoryCallStore())
        self.accounts = AgentAccounts(tmp_path / "agents.sqlite3")
        self.accounts.add("chen", "Chen Li", ["zh", "en"], PASSWORD)
        self.accounts.add("wang", "Wang Fang", ["zh"], PASSWORD)
        self.accounts.add("sun", "Sun Min", [], PASSWORD, roles=[Role.SUPERVISOR])
        self.accounts.add("boss", "Admin", [], PASSWORD, roles=[Role.ADMIN])
        self.desk = AgentDesk(switchboard=self.switchboard, accounts=self.accounts)
        self.monitor = MonitorDesk(self.switchboard, settings)
        self.monitor.start()
        fleet = FleetFeed(FleetState(Topics("airport/HAK"), 120.0), "HAK", lambda: "online")
        wallboard = WallboardFeed(self.switchboard, "HAK")
        self.server = TestServer(create_app(fleet, self.desk, wallboard, monitor=self.monitor), host="127.0.0.1")
        self._sessions: list[aiohttp.ClientSession] = []

    @property
    def base(self) -> str:
        return str(self.server.make_url("")).rstrip("/")

    async def signed_in(self, who: str) -> aiohttp.ClientSession:
        http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        self._sessions.append(http)
        response = await http.post(f"{self.base}/api/agent/login", json={"agent_id": who, "password": PASSWORD})
        assert response.status == 200
        return http

    async def socket(self, who: str | None, path: str) -> Peer:
        if who is None:
            http = aiohttp.ClientSession()
            self._sessions.append(http)
        else:
            http = await self.signed_in(who)
        ws = await http.ws_connect(f"{self.base}{path}", headers={"Origin": self.base})
        return Peer(http, ws)

    async def relay(self, agent: str = "chen") -> Peer:
        return await self.socket(agent, "/api/agent/monitor/ws")

    async def supervisor(self, who: str = "sun") -> Peer:
        return await self.socket(who, "/api/monitor/ws")

    def connected_call(self, agent: str = "chen", call_id: str = "call-1", caller_id: str = "kiosk-1") -> Caller:
        """A call the agent has answered (the console's side is not what these tests are about)."""
        self.switchboard.agent_sign_in(agent, agent, ["zh"], QuietConsole())
        self.switchboard.agent_presence(agent, True)
        caller = Caller(caller_id)
        context = CallContext(screen="home", location="T1 Hall B", language="zh-CN")
        self.switchboard.request(caller, CallRequest(call=call_id, language="zh-CN", context=context))
        self.switchboard.agent_accept(agent, call_id)
        return caller

    async def until(self, condition: Any) -> None:
        async with asyncio.timeout(TIMEOUT_S):
            while not condition():
                await asyncio.sleep(0)

    async def __aenter__(self) -> Rig:
        await self.server.start_server()
        return self

    async def __aexit__(self, *exc: object) -> None:
        for http in self._sessions:
            await http.close()
        await self.server.close()
        self.accounts.close()


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[Rig]:
    async with Rig(tmp_path) as rig:
        yield rig


async def started(rig: Rig, mode: str = "silent") -> tuple[Peer, Peer, str]:
    """Chen on call-1 with the relay open, Sun monitoring it: (relay, supervisor, monitor id)."""
    rig.connected_call()
    relay = await rig.relay()
    await rig.until(lambda: "chen" in rig.monitor.relays)
    watcher = await rig.supervisor()
    await watcher.send({"type": "start", "call": "call-1", "mode": mode})
    monitoring = await watcher.next("monitoring")
    start = await relay.next("start")
    assert (start["monitor"], start["call"], start["mode"]) == (monitoring["monitor"], "call-1", mode)
    return relay, watcher, str(monitoring["monitor"])


# --- who may ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "status"), [(None, 401), ("chen", 403)])
async def test_only_a_supervisor_may_open_the_monitor_socket(rig: Rig, who: str | None, status: int) -> None:
    http = await rig.signed_in(who) if who else aiohttp.ClientSession()
    try:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await http.ws_connect(f"{rig.base}/api/monitor/ws", headers={"Origin": rig.base})
        assert refused.value.status == status
    finally:
        if who is None:
            await http.close()


async def test_the_monitor_socket_is_refused_from_a_foreign_page(rig: Rig) -> None:
    http = await rig.signed_in("sun")
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await http.ws_connect(f"{rig.base}/api/monitor/ws", headers={"Origin": "http://evil.example"})
    assert refused.value.status == 403


async def test_an_admin_may_monitor_and_the_settings_say_who_may(rig: Rig) -> None:
    rig.connected_call()
    relay = await rig.relay()
    await rig.until(lambda: "chen" in rig.monitor.relays)
    boss = await rig.supervisor("boss")
    await boss.send({"type": "start", "call": "call-1"})
    answer = await boss.next()
    assert answer["type"] == "monitoring", answer
    agent_http = await rig.signed_in("chen")
    url = f"{rig.base}/api/monitor/settings"
    assert await (await agent_http.get(url)).json() == {"enabled": True, "allowed": False}
    assert await (await boss.http.get(url)).json() == {"enabled": True, "allowed": True}
    assert (await relay.next("start"))["call"] == "call-1"


async def test_the_relay_socket_needs_an_agent_session(rig: Rig) -> None:
    nobody = await rig.socket(None, "/api/agent/monitor/ws")
    assert await nobody.closed() == 4401
    supervisor_only = await rig.socket("sun", "/api/agent/monitor/ws")
    assert await supervisor_only.closed() == 4401
    assert rig.monitor.relays == {}


# --- a monitoring, start to end ------------------------------------------------------------------------


async def test_offer_and_answer_pass_between_the_two_browsers_and_whisper_is_switched(rig: Rig) -> None:
    relay, watcher, monitor = await started(rig)

    await relay.send({"type": "offer", "monitor": monitor, "sdp": SDP, "tracks": TRACKS})
    offer = await watcher.next("offer")
    assert (offer["sdp"], offer["tracks"]) == (SDP, TRACKS)
    await watcher.send({"type": "answer", "monitor": monitor, "sdp": SDP + "a=x\r\n"})
    assert (await relay.next("answer"))["sdp"] == SDP + "a=x\r\n"

    await watcher.send({"type": "mode", "monitor": monitor, "mode": "whisper"})
    assert (await relay.next("mode"))["mode"] == "whisper"
    assert (await watcher.next("mode"))["mode"] == "whisper"
    assert rig.monitor.monitorings[monitor].mode is MonitorMode.WHISPER


@pytest.mark.parametrize("shown", [False, True])
async def test_the_agent_is_told_to_show_the_monitored_mark_only_when_the_setting_says_so(
    tmp_path: Path, shown: bool
) -> None:
    settings = MonitorSection(show_agent_indicator=True) if shown else MonitorSection()
    async with Rig(tmp_path, settings) as rig:
        rig.connected_call()
        relay = await rig.relay()
        await rig.until(lambda: "chen" in rig.monitor.relays)
        watcher = await rig.supervisor()
        await watcher.send({"type": "start", "call": "call-1"})
        assert (await relay.next("start"))["indicator"] is shown


async def test_the_monitoring_ends_for_both_when_the_call_ends(rig: Rig) -> None:
    relay, watcher, monitor = await started(rig)
    rig.switchboard.caller_hangup("kiosk-1", CallHangup(call="call-1"))

    ended = await watcher.next("ended")
    assert ended == {"type": "ended", "monitor": monitor, "call": "call-1", "reason": "call_ended"}
    assert (await relay.next("stop"))["reason"] == "call_ended"
    assert rig.monitor.monitorings == {}


async def test_a_supervisor_who_stops_or_leaves_stops_the_agents_relay(rig: Rig) -> None:
    relay, watcher, monitor = await started(rig)
    await watcher.send({"type": "stop", "monitor": monitor})
    assert (await relay.next("stop"))["reason"] == "supervisor"
    assert (await watcher.next("ended"))["reason"] == "supervisor"

    await watcher.send({"type": "start", "call": "call-1"})
    again = (await watcher.next("monitoring"))["monitor"]
    assert (await relay.next("start"))["monitor"] == again
    await watcher.ws.close()
    assert (await relay.next("stop"))["reason"] == "supervisor"


async def test_an_agent_whose_console_goes_away_ends_the_monitoring(rig: Rig) -> None:
    relay, watcher, _ = await started(rig)
    await relay.ws.close()
    assert (await watcher.next("ended"))["reason"] == "agent_lost"


# --- what is refused -----------------------------------------------------------------------------------


async def test_a_call_that_ended_or_is_not_answered_or_whose_agent_is_away_gets_a_clear_answer(rig: Rig) -> None:
    watcher = await rig.supervisor()
    await watcher.send({"type": "start", "call": "call-9"})
    assert (await watcher.next("error"))["reason"] == "call_ended"

    rig.connected_call()
    await watcher.send({"type": "start", "call": "call-1"})
    assert (await watcher.next("error"))["reason"] == "agent_unreachable"  # no console relay open

    rig.switchboard.request(Caller("kiosk-2"), CallRequest(call="call-2", language="zh-CN"))
    await watcher.send({"type": "start", "call": "call-2"})
    assert (await watcher.next("error"))["reason"] == "call_not_answered"

    rig.switchboard.caller_hangup("kiosk-1", CallHangup(call="call-1"))
    await watcher.send({"type": "start", "call": "call-1"})
    assert (await watcher.next("error"))["reason"] == "call_ended"
    assert rig.monitor.monitorings == {}


async def test_one_supervisor_per_call_and_one_call_per_page(rig: Rig) -> None:
    relay, watcher, _ = await started(rig)
    rival = await rig.supervisor("boss")
    await rival.send({"type": "start", "call": "call-1"})
    assert (await rival.next("error"))["reason"] == "already_monitored"
    await watcher.send({"type": "start", "call": "call-1"})
    assert (await watcher.next("error"))["reason"] == "already_monitoring"
    del relay


async def test_monitoring_switched_off_is_refused(tmp_path: Path) -> None:
    async with Rig(tmp_path, MonitorSection(enabled=False)) as off:
        off.connected_call()
        await off.relay()
        watcher = await off.supervisor()
        await watcher.send({"type": "start", "call": "call-1"})
        assert (await watcher.next("error"))["reason"] == "monitoring_off"


async def test_another_agent_cannot_answer_for_a_monitoring_nor_another_supervisor_steer_it(rig: Rig) -> None:
    relay, watcher, monitor = await started(rig)
    other = await rig.relay("wang")
    await other.send({"type": "offer", "monitor": monitor, "sdp": SDP, "tracks": TRACKS})
    assert (await other.next("error"))["reason"] == "unknown_monitor"
    rival = await rig.supervisor("boss")
    await rival.send({"type": "mode", "monitor": monitor, "mode": "whisper"})
    assert (await rival.next("error"))["reason"] == "unknown_monitor"
    await rival.send({"type": "stop", "monitor": monitor})
    assert (await rival.next("error"))["reason"] == "unknown_monitor"
    assert rig.monitor.monitorings[monitor].mode is MonitorMode.SILENT
    del relay, watcher


async def test_malformed_messages_are_refused_and_five_close_the_socket(rig: Rig) -> None:
    relay, watcher, monitor = await started(rig)
    bad = [
        "not json",
        json.dumps({"type": "start", "call": "call 1; drop"}),
        json.dumps({"type": "mode", "monitor": monitor, "mode": "barge"}),
        json.dumps({"type": "answer", "monitor": monitor, "sdp": "x" * (64 * 1024 + 1)}),
    ]
    reasons = []
    for text in bad:
        await watcher.send(text)
        reasons.append((await watcher.next("error"))["reason"])
    assert reasons == ["not_json", "invalid call", "invalid mode", "invalid sdp"]
    assert rig.monitor.monitorings[monitor].mode is MonitorMode.SILENT  # nothing bad was acted on
    await watcher.send({"type": "answer", "monitor": monitor, "sdp": SDP, "extra": 1})
    assert (await watcher.next("error"))["reason"] == "invalid extra"
    assert await watcher.closed() == 1008
    assert (await relay.next("stop"))["reason"] == "supervisor"


async def test_a_supervisor_whose_account_loses_the_role_is_cut_off_even_when_idle(rig: Rig) -> None:
    relay, watcher, _ = await started(rig)
    rig.accounts.remove("sun")
    rig.monitor.check_access()  # what the app does every few seconds

    assert (await watcher.next("error"))["reason"] == "session_expired"
    assert await watcher.closed() == 4401
    assert (await relay.next("stop"))["reason"] == "supervisor"
    assert rig.monitor.monitorings == {}


def test_messages_parse_to_typed_requests_and_name_what_is_wrong() -> None:
    assert parse_supervisor('{"type": "start", "call": "call-1"}') == Start(type="start", call="call-1")
    offer = parse_agent(json.dumps({"type": "offer", "monitor": "m-0123456789abcdef", "sdp": SDP, "tracks": TRACKS}))
    assert offer.type == "offer"
    cases = {
        '{"type": "barge", "call": "call-1"}': ("invalid message", "barge"),
        '{"type": "offer", "monitor": "m-1", "sdp": "v=0", "tracks": {"0": "x"}}': ("invalid monitor", "offer"),
        "[1, 2]": ("invalid message", None),
        "{" * 100_000: ("too_large", None),
    }
    for text, (reason, request) in cases.items():
        with pytest.raises(BadMonitorMessage) as bad:
            parse_agent(text) if '"offer"' in text else parse_supervisor(text)
        assert (bad.value.reason, bad.value.request) == (reason, request), text
