"""Devices' events reach the facilities pages in bursts: gathered for a moment, handed on together, in order."""

from __future__ import annotations

import asyncio

from bus.messages.device import DeviceEvent
from central.device_events import EventsGathered


def event(seq: int) -> DeviceEvent:
    return DeviceEvent(seq=seq, name="print.done", data={})


async def test_events_within_the_moment_go_on_in_one_call_in_order() -> None:
    sent: list[list[tuple[str, int]]] = []
    done = asyncio.Event()

    def send(gathered: list[tuple[str, DeviceEvent]]) -> None:
        sent.append([(device, e.seq) for device, e in gathered])
        done.set()

    gathered = EventsGathered(send, gather_s=0.05)
    gathered("kiosk-a", event(1))
    gathered("kiosk-b", event(7))
    gathered("kiosk-a", event(2))
    assert sent == []  # held until the moment has passed
    await asyncio.wait_for(done.wait(), 5)
    assert sent == [[("kiosk-a", 1), ("kiosk-b", 7), ("kiosk-a", 2)]]
    done.clear()
    gathered("kiosk-c", event(3))  # a new moment starts with the next event
    await asyncio.wait_for(done.wait(), 5)
    assert sent[1] == [("kiosk-c", 3)]


async def test_flush_hands_on_at_once_and_only_what_there_is() -> None:
    sent: list[int] = []
    gathered = EventsGathered(lambda items: sent.append(len(items)), gather_s=60)
    gathered.flush()
    assert sent == []
    gathered("kiosk-a", event(1))
    gathered.flush()
    assert sent == [1]


def test_without_a_loop_each_event_goes_on_at_once() -> None:
    sent: list[int] = []
    gathered = EventsGathered(lambda items: sent.append(items[0][1].seq))
    gathered("kiosk-a", event(4))
    assert sent == [4]
