"""The call id a kiosk checks every signalling message against is never published where others can read it."""

from __future__ import annotations

import asyncio
import json

from bus.link import BusLink
from bus.messages.call import Agent, CallContext, CallRequest, Connect, Queued
from bus.messages.device import CallPhase
from bus.topics import TopicKind, Topics
from config.sections import BusSection
from hardware.camera import CameraOwner, SyntheticSource
from kiosk.calls import VideoHelpDesk
from tests.peers.inbox import Inbox
from tests.peers.mosquitto import Mosquitto
from tests.peers.wait import until
from video.session import CallSession, SessionPhase, new_call_id
from video.settings import VideoSection
from video.signalling import MemorySignallingPair


async def test_the_retained_device_queue_carries_no_call_id(mosquitto: Mosquitto) -> None:
    bus = BusSection(url=mosquitto.url)
    topics = Topics("airport/HAK")
    link = BusLink(bus, "kiosk-a")
    up = asyncio.Event()
    link.add_connected_listener(up.set)
    await link.start()
    try:
        await asyncio.wait_for(up.wait(), 10)
        desk = VideoHelpDesk(link, topics, "kiosk-a", VideoSection())
        call_id = new_call_id("kiosk-a")
        desk.report_phase(CallPhase.WAITING, call_id, 2, 35.0)
        async with Inbox(bus, topics.device("kiosk-a", TopicKind.DEVICE_QUEUE), "reader") as reader:
            state = await reader.wait_for(lambda _topic, body: body.get("call") == "waiting")
        assert state["position"] == 2
        assert state.get("call_id") is None
        assert call_id not in json.dumps(reader.messages)
    finally:
        await link.stop()


def test_call_ids_cannot_be_guessed_from_the_device_and_the_time() -> None:
    ids = {new_call_id("kiosk-a") for _ in range(200)}
    assert len(ids) == 200
    assert all(len(call_id.rsplit("-", 1)[1]) == 12 for call_id in ids)  # 48 random bits each


async def test_a_waiting_kiosk_takes_a_connect_only_for_its_own_call() -> None:
    pair = MemorySignallingPair()
    camera = CameraOwner(SyntheticSource(320, 240), fps=15)
    session = CallSession(pair.device, camera, VideoSection(), CallContext(), call_id=new_call_id("kiosk-a"))
    phases: list[SessionPhase] = []
    positions: list[int] = []
    session.on_phase = phases.append
    session.on_queue = lambda position, _eta: positions.append(position)
    try:
        await session.start("en")
        request = await asyncio.wait_for(pair.switchboard.receive(), 5)
        assert isinstance(request, CallRequest)
        await pair.switchboard.send(Queued(call=session.call_id, position=2, eta_s=30.0))
        await until(lambda: session.phase is SessionPhase.WAITING, "waiting")
        agent = Agent(id="mallory", name="Mallory")
        for forged in (session.call_id + "x", new_call_id("kiosk-a"), "kiosk-a-20261130-000000-0000"):
            await pair.switchboard.send(Connect(call=forged, agent=agent))
        # a message for its own call after the forged ones shows they were all read, and ignored
        await pair.switchboard.send(Queued(call=session.call_id, position=1, eta_s=10.0))
        await until(lambda: positions[-1:] == [1], "the next queue position")
        assert session.phase is SessionPhase.WAITING and SessionPhase.CONNECTING not in phases
    finally:
        await session.hangup()
        await camera.stop()
