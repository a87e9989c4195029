"""Call signalling over a real Mosquitto broker: the device's topics, malformed messages, a link that is down."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest

from bus.link import BusLink, Publication
from bus.messages.call import CallRequest, Ended, Queued
from bus.topics import Topics
from config.sections import DeviceBusSection
from video.signalling import BusSignalling, SignallingUnavailable

TOPICS = Topics("airport/HAK")
DEVICE = "kiosk-t1-01"
CALL_IN = f"airport/HAK/device/{DEVICE}/call/in"


async def connected_link(url: str, client_id: str, subscribe: str | None = None) -> tuple[BusLink, asyncio.Queue]:
    """A link that is online and whose subscription to ``subscribe`` is live, with what arrives on it.

    The broker handles one client's packets in order, so once a probe this link publishes on its own
    subscription comes back, the subscription is in place for every other client's messages too.
    """
    link = BusLink(DeviceBusSection(url=url, device_id=client_id), client_id)
    arrived: asyncio.Queue = asyncio.Queue()
    if subscribe is not None:
        link.subscribe(subscribe, lambda topic, payload: arrived.put_nowait((topic, payload)))
    online = asyncio.Event()
    link.add_connected_listener(online.set)
    await link.start()
    await asyncio.wait_for(online.wait(), 10)
    return link, arrived


async def test_call_messages_travel_on_the_devices_topics_and_malformed_ones_are_dropped(mosquitto, caplog):
    link, _ = await connected_link(mosquitto.url, DEVICE)
    links = [link]
    try:
        signalling = BusSignalling(link, TOPICS, DEVICE)
        signalling.start()
        link.publish(Publication(CALL_IN, Queued(call="probe", position=1, eta_s=None).model_dump_json().encode()))
        assert (await asyncio.wait_for(signalling.receive(), 10)).call == "probe"
        switchboard, call_out = await connected_link(mosquitto.url, "switchboard", "airport/HAK/device/+/call/out")
        links.append(switchboard)
        switchboard.publish(Publication("airport/HAK/device/probe/call/out", b"probe"))
        assert (await asyncio.wait_for(call_out.get(), 10))[1] == b"probe"

        await signalling.send(CallRequest(call="c-1", language="en"))
        topic, payload = await asyncio.wait_for(call_out.get(), 10)
        assert topic == f"airport/HAK/device/{DEVICE}/call/out"
        request = json.loads(payload)
        assert request == {**request, "type": "request", "call": "c-1", "language": "en", "v": 1}

        with caplog.at_level(logging.DEBUG, logger="video.signalling"):
            switchboard.publish(Publication(CALL_IN, b"not json"))
            switchboard.publish(Publication(CALL_IN, json.dumps({"v": 1, "type": "teleport", "call": "c-1"}).encode()))
            switchboard.publish(
                Publication(CALL_IN, Queued(call="c-1", position=2, eta_s=40).model_dump_json().encode())
            )
            switchboard.publish(Publication(CALL_IN, Ended(call="c-1", reason="agent").model_dump_json().encode()))
            first = await asyncio.wait_for(signalling.receive(), 10)
            second = await asyncio.wait_for(signalling.receive(), 10)
        assert isinstance(first, Queued) and (first.position, first.eta_s) == (2, 40)
        assert isinstance(second, Ended) and second.reason == "agent"
        assert signalling.malformed_count == 2
        dropped = [r for r in caplog.records if "malformed" in r.getMessage()]
        assert [r.levelno for r in dropped] == [logging.WARNING, logging.DEBUG], "logged once per source"
    finally:
        for each in links:
            await each.stop()


async def test_sending_while_the_link_is_down_says_so():
    link = BusLink(DeviceBusSection(device_id=DEVICE), DEVICE)  # never started
    signalling = BusSignalling(link, TOPICS, DEVICE)
    with pytest.raises(SignallingUnavailable):
        await signalling.send(CallRequest(call="c-1", language="en"))
