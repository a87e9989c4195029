"""The phone's video-help socket, /ws/phone, and its pages, against a real switchboard in memory: a call
from a phone, continue on your phone, and bad input (malformed JSON, floods, oversized frames, silence)
that drops the one phone and leaves everyone else's place as it was."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from bus.messages.call import Handover, HandoverRequest
from bus.topics import Topics
from central.fleet import FleetState
from central.switchboard import LivePhase, MemoryCallStore, Switchboard, SwitchboardSettings
from central.web.app import create_app
from central.web.live import FleetFeed
from central.web.phone import CLOSE_IDLE, PhoneDesk, PhoneLimits
from tests.peers.clock import T0, FakeClock
from tests.peers.switchboard import Caller, Console

TIMEOUT_S = 5.0
SDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"


class HeardDesk(PhoneDesk):
    """A phone desk that wakes :meth:`Rig.until` when it parks a call (the switchboard sees no change)."""

    heard: asyncio.Event | None = None

    def park(self, phone: Any, address: str) -> None:
        super().park(phone, address)
        if self.heard is not None:
            self.heard.set()


class Rig:
    def __init__(self, limits: PhoneLimits) -> None:
        self.clock = FakeClock(T0)
        self.switchboard = Switchboard(SwitchboardSettings(), self.clock, MemoryCallStore())
        self.desk = HeardDesk(self.switchboard, limits)
        fleet = FleetFeed(FleetState(Topics("airport/HAK"), 120.0), "HAK", lambda: "online")
        self.app = create_app(fleet, phones=self.desk)
        self.client: TestClient[Any, Any] | None = None
        self.changed = asyncio.Event()
        self.switchboard.add_listener(self.changed.set)
        self.desk.heard = self.changed

    async def until(self, condition: Callable[[], bool]) -> None:
        """Wait until ``condition`` holds, looking again whenever the switchboard changes."""
        async with asyncio.timeout(TIMEOUT_S):
            while not condition():
                self.changed.clear()
                await self.changed.wait()

    @property
    def http(self) -> TestClient[Any, Any]:
        assert self.client is not None
        return self.client

    async def phone(self, point: str = "T1-B12") -> aiohttp.ClientWebSocketResponse:
        host = f"{self.http.host}:{self.http.port}"
        return await self.http.ws_connect(f"/ws/phone?point={point}", headers={"Origin": f"http://{host}"})

    def kiosk_waiting(self, caller_id: str) -> tuple[Caller, str]:
        caller = Caller(caller_id)
        call_id = f"{caller_id}-call"
        from bus.messages.call import CallRequest

        self.switchboard.request(caller, CallRequest(call=call_id, language="zh-CN"))
        return caller, call_id


class HeardConsole(Console):
    """A console that wakes :meth:`Rig.until` whenever it hears something."""

    def __init__(self, rig: Rig) -> None:
        super().__init__()
        self._rig = rig

    def send(self, event: Any) -> None:
        super().send(event)
        self._rig.changed.set()


def fast_limits(**changes: Any) -> PhoneLimits:
    values: dict[str, Any] = {"idle_s": 5.0, "offer_s": 5.0, "burst": 20, "per_s": 2.0, "grace_s": 0.2}
    values.update(changes)
    return PhoneLimits(**values)


@pytest.fixture
async def make_rig() -> AsyncIterator[Callable[..., Any]]:
    rigs: list[Rig] = []

    async def make(**limits: Any) -> Rig:
        rig = Rig(fast_limits(**limits))
        rig.client = TestClient(TestServer(rig.app))
        await rig.client.start_server()
        rigs.append(rig)
        return rig

    yield make
    for rig in rigs:
        assert rig.client is not None
        await rig.client.close()


async def receive(ws: aiohttp.ClientWebSocketResponse, kind: str) -> dict[str, Any]:
    """The next message of ``type`` ``kind`` (others before it are skipped)."""
    async with asyncio.timeout(TIMEOUT_S):
        while True:
            message = await ws.receive()
            assert message.type is aiohttp.WSMsgType.TEXT, (message.type, message.data)
            data = json.loads(message.data)
            if data["type"] == kind:
                return dict(data)


async def closed(ws: aiohttp.ClientWebSocketResponse) -> int | None:
    """Read until the server closes the socket; its close code."""
    async with asyncio.timeout(TIMEOUT_S):
        while True:
            message = await ws.receive()
            if message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING):
                return ws.close_code


async def test_a_phone_calls_is_queued_connects_offers_and_rates(make_rig):
    rig = await make_rig()
    ws = await rig.phone()
    await ws.send_json({"type": "call", "language": "en"})
    queued = await receive(ws, "queued")
    assert queued["position"] == 1
    call_id = queued["call"]
    live = rig.switchboard.live_calls()[0]
    assert live.caller_id.startswith("phone-") and live.call_id == call_id
    console = HeardConsole(rig)
    rig.switchboard.agent_sign_in("chen", "Chen", ["en"], console)
    rig.switchboard.agent_presence("chen", True)
    ring = console.last("ring")
    assert (ring["caller_kind"], ring["location"]) == ("phone", "Info point T1-B12")
    rig.switchboard.agent_accept("chen", call_id)
    connect = await receive(ws, "connect")
    assert connect["agent"]["id"] == "chen"
    await ws.send_json({"type": "offer", "sdp": SDP})
    await rig.until(lambda: "offer" in console.types())
    rig.switchboard.agent_sdp("chen", call_id, "answer", SDP)
    assert (await receive(ws, "answer"))["sdp"] == SDP
    rig.switchboard.agent_hangup("chen", call_id)
    assert (await receive(ws, "ended"))["reason"] == "agent"
    await ws.send_json({"type": "rating", "stars": 4, "answered": True})
    await receive(ws, "rated")
    assert rig.switchboard.kpis_today().ratings == 1
    await ws.close()


async def test_a_phone_takes_over_a_kiosks_waiting_call_at_its_place(make_rig):
    rig = await make_rig()
    rig.kiosk_waiting("kiosk-1")
    kiosk, call_id = rig.kiosk_waiting("kiosk-2")
    rig.switchboard.handover_request("kiosk-2", HandoverRequest(call=call_id))
    token = kiosk.last.token if isinstance(kiosk.last, Handover) else ""
    page = await rig.http.get(f"/h/{token}")
    assert page.status == 200 and "text/html" in page.headers["Content-Type"]
    ws = await rig.phone(point="")
    await ws.send_json({"type": "take_over", "token": token})
    assert (await receive(ws, "queued"))["position"] == 2
    assert kiosk.ended()[-1].reason == "handed_over"
    used = await rig.http.get(f"/h/{token}")
    assert used.status == 410  # still the page, which says the link was used
    other = await rig.phone(point="")
    await other.send_json({"type": "take_over", "token": token})
    assert (await receive(other, "error"))["reason"] == "unknown_token"
    await ws.close()
    await rig.until(lambda: len(rig.switchboard.live_calls()) == 1)
    await other.close()


async def test_pages_for_unknown_points_and_tokens_are_friendly_not_errors(make_rig):
    rig = await make_rig()
    good = await rig.http.get("/p/T1-B12/call")
    assert good.status == 200
    bad = await rig.http.get("/p/%3Cscript%3E/call")
    assert bad.status == 404 and "<!doctype html>" in (await bad.text()).lower()
    gone = await rig.http.get("/h/not-a-token")
    assert gone.status == 410 and "<!doctype html>" in (await gone.text()).lower()
    assert gone.headers["Content-Security-Policy"].startswith("default-src 'self'")


async def test_malformed_messages_are_answered_then_the_phone_is_dropped_and_the_queue_keeps_its_order(make_rig):
    rig = await make_rig(max_bad=3)
    rig.kiosk_waiting("kiosk-1")
    ws = await rig.phone()
    await ws.send_json({"type": "call", "language": "zh-CN"})
    await receive(ws, "queued")
    kiosk, _ = rig.kiosk_waiting("kiosk-3")
    await ws.send_str("{not json")
    assert (await receive(ws, "error"))["reason"] == "not_json"
    await ws.send_json({"type": "call", "language": "<script>"})
    assert (await receive(ws, "error"))["reason"].startswith("invalid")
    await ws.send_json([1, 2])
    assert await closed(ws) == aiohttp.WSCloseCode.POLICY_VIOLATION
    await rig.until(lambda: len(rig.switchboard.live_calls()) == 2)
    rig.switchboard.tick()  # central's timer tells waiting callers of their moves
    assert kiosk.queued()[-1][0] == 2  # moved up by the one call that left, and nothing else
    assert rig.switchboard.live_calls()[0].phase is LivePhase.WAITING


async def test_a_flooding_phone_is_dropped(make_rig):
    rig = await make_rig(burst=5, per_s=1.0)
    kiosk, _ = rig.kiosk_waiting("kiosk-1")
    ws = await rig.phone()
    await ws.send_json({"type": "call", "language": "en"})
    for _ in range(20):
        await ws.send_json({"type": "cancel_nothing"})
    assert await closed(ws) == aiohttp.WSCloseCode.POLICY_VIOLATION
    await rig.until(lambda: len(rig.switchboard.live_calls()) == 1)
    assert kiosk.queued() == [(1, None)]


async def test_an_oversized_frame_closes_the_socket_unread(make_rig):
    rig = await make_rig(max_frame_bytes=4096)
    ws = await rig.phone()
    await ws.send_json({"type": "call", "language": "en"})
    await receive(ws, "queued")
    await ws.send_json({"type": "offer", "sdp": "x" * 10_000})
    assert await closed(ws) == aiohttp.WSCloseCode.MESSAGE_TOO_BIG
    await rig.until(lambda: rig.switchboard.live_calls() == [])


async def test_a_silent_phone_is_closed_and_one_that_never_offers_fails_its_call(make_rig):
    rig = await make_rig(idle_s=0.3, offer_s=0.3)
    silent = await rig.phone()
    assert await closed(silent) == CLOSE_IDLE
    ws = await rig.phone()
    await ws.send_json({"type": "call", "language": "en"})
    queued = await receive(ws, "queued")
    console = Console()
    rig.switchboard.agent_sign_in("chen", "Chen", ["en"], console)
    rig.switchboard.agent_presence("chen", True)
    rig.switchboard.agent_accept("chen", queued["call"])
    await receive(ws, "connect")
    assert (await receive(ws, "ended"))["reason"] == "failed"
    assert console.last("ended")["reason"] == "failed"
    assert await closed(ws) == CLOSE_IDLE  # nothing to rate after a failed call: closed after idle_s


async def test_a_foreign_origin_and_too_many_sockets_from_one_address_are_refused(make_rig):
    rig = await make_rig(max_per_address=2)
    with pytest.raises(aiohttp.WSServerHandshakeError) as foreign:
        await rig.http.ws_connect("/ws/phone", headers={"Origin": "https://evil.example"})
    assert foreign.value.status == 403
    first, second = await rig.phone(), await rig.phone()
    with pytest.raises(aiohttp.WSServerHandshakeError) as third:
        await rig.phone()
    assert third.value.status == 429
    await first.close()
    await second.close()


async def test_a_phone_cannot_act_on_a_call_it_does_not_have(make_rig):
    rig = await make_rig()
    rig.kiosk_waiting("kiosk-1")
    ws = await rig.phone()
    for message in ({"type": "cancel"}, {"type": "offer", "sdp": SDP}, {"type": "rating", "stars": 5}):
        await ws.send_json(message)
        assert (await receive(ws, "error"))["reason"] in ("no_call", "nothing_to_rate")
    assert len(rig.switchboard.live_calls()) == 1
    await ws.close()


async def test_a_waiting_phone_whose_socket_drops_comes_back_in_the_same_place(make_rig):
    rig = await make_rig(grace_s=5.0)
    rig.kiosk_waiting("kiosk-1")
    ws = await rig.phone()
    token = (await receive(ws, "session"))["resume"]
    await ws.send_json({"type": "call", "language": "zh-CN"})
    call_id = (await receive(ws, "queued"))["call"]
    await ws.close()  # the phone locked, or changed network
    await rig.until(lambda: len(rig.desk.parked) == 1)
    kiosk, _ = rig.kiosk_waiting("kiosk-3")
    assert kiosk.queued() == [(3, None)]  # the parked call keeps its place
    back = await rig.phone()
    await back.send_json({"type": "resume", "token": token})
    queued = await receive(back, "queued")
    assert (queued["call"], queued["position"]) == (call_id, 2)
    assert (await receive(back, "resumed"))["call"] == call_id
    assert rig.desk.parked == {}
    again = await rig.phone()
    await again.send_json({"type": "resume", "token": token})
    assert (await receive(again, "error"))["reason"] == "unknown_resume"  # once only
    await again.close()
    await back.send_json({"type": "cancel"})
    assert (await receive(back, "ended"))["reason"] == "caller"
    await back.close()


async def test_a_dropped_phone_that_does_not_come_back_leaves_the_queue(make_rig):
    rig = await make_rig(grace_s=0.2)
    ws = await rig.phone()
    await ws.send_json({"type": "call", "language": "en"})
    await receive(ws, "queued")
    await ws.close()
    await rig.until(lambda: rig.switchboard.live_calls() == [])
    assert rig.desk.parked == {} and not rig.desk.open_by_address


def test_the_agent_reads_an_info_points_name_where_the_registry_knows_it():
    names = {"T1-GATE-1": "T1 出发 1 号登机口 · T1 Departures, Gate 1"}
    desk = PhoneDesk(Switchboard(SwitchboardSettings(), FakeClock(T0), MemoryCallStore()), point_names=names.get)
    assert desk.place("T1-GATE-1") == "Info point T1-GATE-1: T1 出发 1 号登机口 · T1 Departures, Gate 1"
    assert desk.place("T1-B12") == "Info point T1-B12", "a point the registry does not know keeps its id"
    assert desk.place("") == "Phone"
