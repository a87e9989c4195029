"""The call id a kiosk checks every signalling message against is never published where others can read it."""

from __future__ import annotations

import asyncio
import json

from bus.link import BusLink
from bus.messages.device import CallPhase
from bus.topics import TopicKind, Topics
from config.sections import BusSection
from kiosk.calls import VideoHelpDesk
from tests.peers.inbox import Inbox
from tests.peers.mosquitto import Mosquitto
from video.session import new_call_id
from video.settings import VideoSection


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
