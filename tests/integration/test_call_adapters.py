"""The switchboard's adapters in the real ``central`` process: devices call over a real Mosquitto, an agent
answers over the console socket, and the queue topics, timers and Last Wills do what docs/calls.md says.

The helpers here (central with agent accounts, a device on the bus, a console over a WebSocket) are shared
with the agent console's tests.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from pydantic import BaseModel

from bus.codec import encode
from bus.link import Publication
from bus.messages.call import CallContext, CallHangup, CallRequest, SdpOffer
from bus.messages.device import DeviceKind, DeviceStatus, OfflineReason
from bus.topics import TopicKind, Topics
from config.sections import BusSection
from tests.peers.inbox import Inbox
from tests.peers.mosquitto import Mosquitto
from tests.peers.net import free_port
from tests.peers.programs import ROOT, RunningProgram, running

SITE = "HAK"
TOPICS = Topics(f"airport/{SITE}")
PASSWORD = "correct horse battery"
AGENTS = (("chen", "Chen Li", "zh,en"),)
WAIT_S = 15.0
SDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"


# --- central with agent accounts -------------------------------------------------------------------------


@dataclass
class CentralUnderTest:
    program: RunningProgram
    base_url: str
    env: dict[str, str]

    @property
    def log_lines(self) -> list[str]:
        return list(self.program.stderr)

    async def wallboard(self) -> dict[str, Any]:
        async with aiohttp.ClientSession() as http, http.get(f"{self.base_url}/api/wallboard") as response:
            data: dict[str, Any] = await response.json()
            return data


def central_env(mosquitto: Mosquitto, state_dir: Path, **calls: object) -> dict[str, str]:
    env = {
        "CENTRAL_BUS__URL": mosquitto.url,
        "CENTRAL_BUS__SITE": SITE,
        "CENTRAL_BUS__RECONNECT_MAX_S": "2",
        "CENTRAL_HTTP__HOST": "127.0.0.1",
        "CENTRAL_HTTP__PORT": str(free_port()),
        "CENTRAL_APP__STATE_DIR": str(state_dir),
    }
    env.update({f"CENTRAL_CALLS__{name.upper()}": str(value) for name, value in calls.items()})
    return env


def add_agents(env: Mapping[str, str], agents: tuple[tuple[str, str, str], ...]) -> None:
    for agent_id, name, skills in agents:
        command = [sys.executable, "-m", "central", "agent", "add", agent_id, "--name", name, "--skills", skills]
        subprocess.run(
            [*command, "--password-stdin"],
            input=PASSWORD + "\n",
            env={**os.environ, **env},
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        )


@contextmanager
def central_running(
    mosquitto: Mosquitto, state_dir: Path, agents: tuple[tuple[str, str, str], ...] = AGENTS, **calls: object
) -> Iterator[CentralUnderTest]:
    """The real ``central`` with the given agent accounts; stopped (and reaped) afterwards."""
    env = central_env(mosquitto, state_dir, **calls)
    add_agents(env, agents)
    with running("central", env) as program:
        line = program.wait_for_line("central: agent console at ")
        base_url = line.split(" at ", 1)[1].strip().removesuffix("/agent")
        program.wait_for_line("central: wallboard at ")
        yield CentralUnderTest(program, base_url, env)


# --- a device on the bus, and an observer of the retained queue topics ----------------------------------


class BusDevice:
    """Publishes a device's ``call/out`` (as its own MQTT client, so the device's real connection can be
    another process) and keeps what arrives on its ``call/in``."""

    def __init__(self, broker_url: str, device_id: str) -> None:
        self.device_id = device_id
        self.inbox = Inbox(
            BusSection(url=broker_url, site=SITE), TOPICS.device(device_id, TopicKind.CALL_IN), f"test-{device_id}"
        )

    async def __aenter__(self) -> BusDevice:
        await self.inbox.__aenter__()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.inbox.__aexit__(*exc)

    def publish(self, kind: TopicKind, payload: bytes, retain: bool = False) -> None:
        sent = self.inbox.link.publish(Publication(TOPICS.device(self.device_id, kind), payload, 1, retain))
        assert sent, "the test's link is down"

    def send(self, message: BaseModel) -> None:
        self.publish(TopicKind.CALL_OUT, encode(message))

    def request(self, call_id: str, language: str = "zh", location: str = "T1 Hall B, gate 12") -> None:
        context = CallContext(screen="flight_detail", flight="HU7181", location=location, language=language)
        self.send(CallRequest(call=call_id, language=language, context=context))

    async def expect(self, message_type: str, **fields: Any) -> dict[str, Any]:
        """The first ``call/in`` message of this type (old or new) whose fields have these values."""

        def match(_topic: str, body: Any) -> bool:
            return (
                isinstance(body, dict)
                and body.get("type") == message_type
                and all(body.get(key) == value for key, value in fields.items())
            )

        found: dict[str, Any] = await self.inbox.wait_for(match, WAIT_S)
        return found

    def received(self, message_type: str) -> list[dict[str, Any]]:
        return [body for _, body in self.inbox.messages if isinstance(body, dict) and body.get("type") == message_type]


@asynccontextmanager
async def bus_observer(broker_url: str) -> AsyncIterator[Inbox]:
    async with Inbox(BusSection(url=broker_url, site=SITE), f"{TOPICS.root}/#", "test-observer") as inbox:
        yield inbox


def retained_queue(check: Callable[[dict[str, Any]], bool]) -> Callable[[str, Any], bool]:
    return lambda topic, body: topic == TOPICS.site(TopicKind.QUEUE) and isinstance(body, dict) and check(body)


def from_now_on(inbox: Inbox, match: Callable[[str, Any], bool]) -> Callable[[str, Any], bool]:
    """``match``, but only for messages that arrive after this call (Inbox.wait_for also looks at old ones)."""
    seen = {id(body) for _, body in inbox.messages}
    return lambda topic, body: id(body) not in seen and match(topic, body)


# --- an agent console over a WebSocket -------------------------------------------------------------------


class SocketConsole:
    """An agent signed in over HTTP whose console socket is open; keeps every event."""

    def __init__(self, http: aiohttp.ClientSession, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.http = http
        self.ws = ws
        self.events: list[dict[str, Any]] = []

    async def next(self, event_type: str, **fields: Any) -> dict[str, Any]:
        """The first event (old or new) of this type with these field values."""
        for event in self.events:
            if event["type"] == event_type and all(event.get(k) == v for k, v in fields.items()):
                return event
        async with asyncio.timeout(WAIT_S):
            while True:
                message = await self.ws.receive()
                if message.type is not aiohttp.WSMsgType.TEXT:
                    raise AssertionError(f"console socket ended ({self.ws.close_code}) before {event_type}")
                event = json.loads(message.data)
                self.events.append(event)
                if event["type"] == event_type and all(event.get(k) == v for k, v in fields.items()):
                    return event

    async def send(self, message: Any) -> None:
        await self.ws.send_str(message if isinstance(message, str) else json.dumps(message))


async def sign_in(http: aiohttp.ClientSession, base_url: str, agent_id: str, password: str) -> aiohttp.ClientResponse:
    return await http.post(f"{base_url}/api/agent/login", json={"agent_id": agent_id, "password": password})


@asynccontextmanager
async def console(base_url: str, agent_id: str = "chen", available: bool = True) -> AsyncIterator[SocketConsole]:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        response = await sign_in(http, base_url, agent_id, PASSWORD)
        assert response.status == 200, await response.text()
        async with http.ws_connect(f"{base_url}/api/agent/ws", headers={"Origin": base_url}) as ws:
            agent = SocketConsole(http, ws)
            await agent.next("state", state="away")
            if available:
                await agent.send({"type": "presence", "available": True})
                await agent.next("state", state="available")
            yield agent


# --- tests -----------------------------------------------------------------------------------------------


async def test_a_call_from_request_to_wrap_up_through_the_bus_and_the_console(mosquitto: Mosquitto, tmp_path: Path):
    with central_running(mosquitto, tmp_path / "central", wrap_up_s=1) as central:
        async with (
            bus_observer(mosquitto.url) as observer,
            BusDevice(mosquitto.url, "kiosk-t1-01") as kiosk,
            BusDevice(mosquitto.url, "kiosk-t1-02") as second,
            console(central.base_url) as agent,
        ):
            kiosk.request("call-a")
            assert (await kiosk.expect("queued", call="call-a"))["position"] == 1
            ring = await agent.next("ring", call="call-a")
            assert (ring["caller"], ring["location"], ring["skill"]) == ("kiosk-t1-01", "T1 Hall B, gate 12", "zh")

            await agent.send({"type": "accept", "call": "call-a"})
            connect = await kiosk.expect("connect", call="call-a")
            assert connect["agent"] == {"id": "chen", "name": "Chen Li"}
            assert connect["ice_servers"] == []

            kiosk.send(SdpOffer(call="call-a", sdp=SDP))
            assert (await agent.next("offer", call="call-a"))["sdp"] == SDP
            await agent.send({"type": "answer", "call": "call-a", "sdp": SDP + "a=answer\r\n"})
            assert (await kiosk.expect("answer", call="call-a"))["sdp"].endswith("a=answer\r\n")

            # the only agent is busy: the next caller waits, with an expected wait of about one handle time
            waiting_one = from_now_on(observer, retained_queue(lambda b: b["skills"]["zh"]["waiting"] == 1))
            second.request("call-b")
            queued = await second.expect("queued", call="call-b")
            assert queued["position"] == 1
            assert 170 <= queued["eta_s"] <= 180
            summary = await observer.wait_for(waiting_one, WAIT_S)
            assert summary["service_hours"] == "06:00–24:00"
            assert summary["agents_staffed"] == 1

            await agent.send({"type": "hangup", "call": "call-a"})
            assert (await kiosk.expect("ended", call="call-a"))["reason"] == "agent"
            await agent.next("wrap_up", call="call-a")
            await agent.send({"type": "disposition", "call": "call-a", "resolved": True, "category": "flight_info"})
            await agent.next("disposition_saved", call="call-a")

            # wrap-up ends by the timer (1 s): the agent is available again and the waiting call rings
            await agent.next("ring", call="call-b")
            today = (await central.wallboard())["today"]
            assert (today["offered"], today["answered"], today["fcr"]) == (1, 1, 1.0)


async def test_an_unanswered_ring_times_out_back_to_the_head_of_the_queue(mosquitto: Mosquitto, tmp_path: Path):
    with central_running(mosquitto, tmp_path / "central", ring_timeout_s=1) as central:
        async with (
            BusDevice(mosquitto.url, "kiosk-t1-03") as kiosk,
            console(central.base_url) as agent,
        ):
            kiosk.request("call-c")
            await agent.next("ring", call="call-c")

            cancelled = await agent.next("ring_cancelled", call="call-c")

            assert cancelled["reason"] == "timeout"
            await agent.next("state", state="away")
            snapshot = await central.wallboard()
            assert snapshot["skills"]["zh"]["waiting"] == 1
            assert [a["id"] for a in snapshot["agents"]["away"]] == ["chen"]


async def test_a_device_killed_while_waiting_is_abandoned_through_its_last_will(mosquitto: Mosquitto, tmp_path: Path):
    with central_running(mosquitto, tmp_path / "central", short_abandon_s=0) as central:
        device_args = [mosquitto.url, "kiosk-doomed", str(tmp_path / "device")]
        with running("tests.integration.device_process", {}, device_args) as device:
            await asyncio.to_thread(device.wait_for_line, "connected")
            async with (
                bus_observer(mosquitto.url) as observer,
                BusDevice(mosquitto.url, "kiosk-doomed") as kiosk,
            ):
                kiosk.request("call-d")
                assert (await kiosk.expect("queued", call="call-d"))["position"] == 1
                await observer.wait_for(retained_queue(lambda b: b["skills"]["zh"]["waiting"] == 1), WAIT_S)
                emptied = from_now_on(observer, retained_queue(lambda b: b["skills"]["zh"]["waiting"] == 0))

                device.process.send_signal(signal.SIGKILL)
                device.process.wait(10)

                await observer.wait_for(emptied, WAIT_S)
                today = (await central.wallboard())["today"]
                assert (today["offered"], today["abandoned"], today["answered"]) == (1, 1, 0)
                assert kiosk.received("ended") == []  # nobody is left to tell


async def test_a_clean_shutdown_status_ends_the_devices_call_too(mosquitto: Mosquitto, tmp_path: Path):
    with central_running(mosquitto, tmp_path / "central", short_abandon_s=0) as central:
        async with bus_observer(mosquitto.url) as observer, BusDevice(mosquitto.url, "kiosk-t1-04") as kiosk:
            kiosk.request("call-e")
            await kiosk.expect("queued", call="call-e")
            await observer.wait_for(retained_queue(lambda b: b["skills"]["zh"]["waiting"] == 1), WAIT_S)
            emptied = from_now_on(observer, retained_queue(lambda b: b["skills"]["zh"]["waiting"] == 0))

            status = DeviceStatus(online=False, kind=DeviceKind.KIOSK, reason=OfflineReason.SHUTDOWN)
            kiosk.publish(TopicKind.DEVICE_STATUS, encode(status), retain=True)

            await observer.wait_for(emptied, WAIT_S)
            assert (await central.wallboard())["today"]["abandoned"] == 1


async def test_malformed_signalling_is_logged_once_fails_the_named_call_and_central_carries_on(
    mosquitto: Mosquitto, tmp_path: Path
):
    with central_running(mosquitto, tmp_path / "central") as central:
        async with (
            BusDevice(mosquitto.url, "kiosk-broken") as broken,
            BusDevice(mosquitto.url, "kiosk-fine") as fine,
        ):
            broken.request("call-f")
            await broken.expect("queued", call="call-f")

            broken.publish(TopicKind.CALL_OUT, b'{"v": 1, "type": "offer", "call": "call-f"}')  # no sdp
            assert (await broken.expect("ended", call="call-f"))["reason"] == "failed"
            broken.publish(TopicKind.CALL_OUT, b"{this is not json")
            broken.publish(TopicKind.CALL_OUT, b'{"v": 1, "type": "offer", "call": "' + b"x" * 200_000 + b'"}')
            broken.send(CallHangup(call="call-f"))  # a valid message that follows: refused, no longer its call

            fine.request("call-g")
            assert (await fine.expect("queued", call="call-g"))["position"] == 1

    mentions = [line for line in central.log_lines if "kiosk-broken" in line and "dropped malformed" in line]
    assert len(mentions) == 1, mentions
    assert "WARNING" in mentions[0]
    assert "Traceback" not in "\n".join(central.log_lines)
    assert len(broken.received("ended")) == 1


async def test_sigterm_during_a_call_tells_the_device_and_exits_cleanly(mosquitto: Mosquitto, tmp_path: Path):
    with central_running(mosquitto, tmp_path / "central") as central:
        async with BusDevice(mosquitto.url, "kiosk-t1-05") as kiosk, console(central.base_url) as agent:
            kiosk.request("call-h")
            await agent.next("ring", call="call-h")
            await agent.send({"type": "accept", "call": "call-h"})
            await kiosk.expect("connect", call="call-h")

            central.program.process.send_signal(signal.SIGTERM)

            ended = await kiosk.expect("ended", call="call-h")
            assert (ended["reason"], ended["requeue_offered"]) == ("agent_lost", True)
            assert await asyncio.to_thread(central.program.process.wait, 20) == 0
    assert "Traceback" not in "\n".join(central.log_lines)
