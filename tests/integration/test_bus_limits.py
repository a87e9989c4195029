"""What the network sends cannot grow a program without bound: an oversized message is dropped before it
is handed on, a flood waits in a bounded hand-off, and the fleet view holds a bounded number of ids."""

from __future__ import annotations

import asyncio
import json
import time

import bus.link
from bus.codec import encode
from bus.link import BusLink, Publication
from bus.messages.device import DeviceKind, DeviceStatus
from bus.topics import TopicKind, Topics
from central.fleet import FleetState
from config.sections import BusSection
from tests.peers.mosquitto import Mosquitto

TOPIC = "airport/HAK/device/kiosk-a/event"


async def started(settings: BusSection, client_id: str) -> BusLink:
    link = BusLink(settings, client_id)
    up = asyncio.Event()
    link.add_connected_listener(up.set)
    await link.start()
    await asyncio.wait_for(up.wait(), 10)
    return link


async def test_an_oversized_message_is_dropped_and_the_next_one_still_arrives(mosquitto: Mosquitto) -> None:
    received: list[bytes] = []
    arrived = asyncio.Event()

    def on_message(_topic: str, payload: bytes) -> None:
        received.append(payload)
        if payload.startswith(b"{"):
            arrived.set()

    receiver = BusLink(BusSection(url=mosquitto.url, max_payload_bytes=64 * 1024), "receiver")
    receiver.subscribe(TOPIC, on_message)
    up = asyncio.Event()
    receiver.add_connected_listener(up.set)
    await receiver.start()
    sender = await started(BusSection(url=mosquitto.url), "sender")
    try:
        await asyncio.wait_for(up.wait(), 10)
        # a subscription is live once something sent after it arrives
        async with asyncio.timeout(10):
            while not arrived.is_set():
                sender.publish(Publication(TOPIC, b'{"probe": true}'))
                await asyncio.sleep(0.1)
        received.clear()
        arrived.clear()
        sender.publish(Publication(TOPIC, b"x" * (2 * 1024 * 1024)))
        sender.publish(Publication(TOPIC, json.dumps({"after": True}).encode()))
        await asyncio.wait_for(arrived.wait(), 10)
        assert received == [b'{"after": true}']
        assert receiver.dropped == 1
    finally:
        await sender.stop()
        await receiver.stop()


async def test_a_flood_waits_in_a_bounded_hand_off(mosquitto: Mosquitto, monkeypatch) -> None:
    monkeypatch.setattr(bus.link, "MAX_PENDING_MESSAGES", 50)
    handled = 0

    def on_message(_topic: str, _payload: bytes) -> None:
        nonlocal handled
        handled += 1

    receiver = BusLink(BusSection(url=mosquitto.url), "receiver")
    receiver.subscribe("airport/HAK/device/+/event", on_message)
    up = asyncio.Event()
    receiver.add_connected_listener(up.set)
    await receiver.start()
    sender = await started(BusSection(url=mosquitto.url), "sender")
    try:
        await asyncio.wait_for(up.wait(), 10)
        loop = asyncio.get_running_loop()
        probe = asyncio.Event()
        receiver.subscribe("airport/HAK/probe", lambda _t, _p: probe.set())
        async with asyncio.timeout(10):
            while not probe.is_set():
                sender.publish(Publication("airport/HAK/probe", b"{}"))
                await asyncio.sleep(0.1)
        for n in range(2000):
            sender.publish(Publication(TOPIC, str(n).encode(), qos=0))
        # Block the loop on purpose, as a long paint would, until paho's thread has had to drop: without
        # the bound, every message would wait for the loop in its queue instead.
        give_up = time.monotonic() + 10
        while receiver.dropped == 0 and time.monotonic() < give_up:
            time.sleep(0.01)  # the loop thread itself is what must be busy here
        deadline = loop.time() + 10
        while receiver.dropped + handled < 2000 and loop.time() < deadline:
            await asyncio.sleep(0.05)
        assert receiver.dropped > 0, "nothing was dropped: the flood never filled the hand-off"
        assert handled + receiver.dropped <= 2000
    finally:
        await sender.stop()
        await receiver.stop()


def test_the_fleet_holds_a_bounded_number_of_ids() -> None:
    fleet = FleetState(Topics("airport/HAK"), 120.0, max_devices=100)
    status = encode(DeviceStatus(online=True, kind=DeviceKind.KIOSK, version="1", boot_id="b"))
    for n in range(3000):
        fleet.handle(Topics("airport/HAK").device(f"fake-{n}", TopicKind.DEVICE_STATUS), status)
    assert len(fleet) == 100 and fleet.refused_new == 2900
    fleet.handle(Topics("airport/HAK").device("fake-7", TopicKind.DEVICE_STATUS), status)  # a known id still counts
    assert "fake-7" in fleet
