"""The device's outbox against a real Mosquitto: events made while the broker is dead, across a restart of
the app during the outage, reach central exactly once and in order; a full outbox drops the oldest and
says so; a full disk holds new events in memory until there is room, and never harms the stored ones."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from bus.link import BusLink, Publication
from bus.messages.device import DeviceEvent
from bus.outbox import Outbox
from bus.topics import TopicKind, Topics
from central.device_events import DeviceEventLog
from config.sections import BusSection
from device.events import DeviceEvents
from tests.peers.mosquitto import Mosquitto
from tests.peers.wait import until

TOPICS = Topics("airport/HAK")
FAST = {"reconnect_min_s": 1, "reconnect_max_s": 1}


async def central_side(url: str) -> tuple[BusLink, DeviceEventLog, list[int]]:
    """Central's own event log on a link of its own; returns the seqs it took, in order."""
    log = DeviceEventLog(TOPICS)
    taken: list[int] = []
    log.add_listener(lambda device, event: taken.append(event.seq) if device == "kiosk-a" else None)
    link = BusLink(BusSection(url=url, **FAST), "central-events")
    link.subscribe(TOPICS.every_device(TopicKind.DEVICE_EVENT), log.handle)
    await link.start()
    return link, log, taken


async def subscribed(sender: BusLink, log: DeviceEventLog, probe_id: str) -> None:
    """Once central's subscription is live (a probe from another device, named afresh each time, arrives)."""
    probe = TOPICS.device(probe_id, TopicKind.DEVICE_EVENT)
    seq = 0
    async with asyncio.timeout(15):
        while log.stats(probe_id) is None:
            sender.publish(Publication(probe, DeviceEvent(seq=seq, name="probe").model_dump_json().encode()))
            seq += 1
            await asyncio.sleep(0.2)


async def test_events_survive_a_dead_broker_and_an_app_restart_exactly_once_in_order(
    mosquitto: Mosquitto, tmp_path: Path
) -> None:
    state = tmp_path / "kiosk"
    state.mkdir()
    url = mosquitto.url
    central, log, taken = await central_side(url)
    kiosk_link = BusLink(BusSection(url=url, **FAST), "kiosk-a")
    await kiosk_link.start()
    kiosk = DeviceEvents(kiosk_link, TOPICS, "kiosk-a", state)
    kiosk.start()
    try:
        await until(lambda: kiosk_link.state.value == "online", "the kiosk online", 15)
        await subscribed(kiosk_link, log, "probe-1")
        for n in range(10):
            kiosk.emit("print.done", {"n": n})
        await until(lambda: taken[-1:] == [9], "the first ten events at central", 15)

        mosquitto.process.kill()  # SIGKILL: no goodbye to anyone
        mosquitto.process.wait(5)
        for n in range(10, 30):
            kiosk.emit("print.held", {"n": n})
        kiosk.close()  # the app restarts during the outage
        await kiosk_link.stop()

        mosquitto.start()  # the same port: everyone reconnects
        await until(lambda: central.state.value == "online", "central back", 20)
        await subscribed(central, log, "probe-2")
        kiosk_link = BusLink(BusSection(url=url, **FAST), "kiosk-a")
        kiosk = DeviceEvents(kiosk_link, TOPICS, "kiosk-a", state)
        for n in range(30, 40):  # made before the new link is even up
            kiosk.emit("print.done", {"n": n})
        kiosk.start()
        await kiosk_link.start()
        await until(lambda: taken[-1:] == [39], "every event at central", 20)
        stats = log.stats("kiosk-a")
        assert stats is not None
        assert taken == list(range(40))
        assert (stats.taken, stats.missing) == (40, 0)
        await until(lambda: len(kiosk.outbox) == 0, "the outbox emptied by the acknowledgements", 10)
    finally:
        kiosk.close()
        await kiosk_link.stop()
        await central.stop()


def test_a_full_outbox_drops_the_oldest_and_says_so(tmp_path: Path) -> None:
    link = BusLink(BusSection(), "offline-kiosk")  # never started: nothing goes out
    events = DeviceEvents(link, TOPICS, "kiosk-a", tmp_path)
    events.outbox._max_events = 5
    try:
        for n in range(8):
            events.emit("print.done", {"n": n})
        rows = events.outbox._db.execute("SELECT seq, payload FROM outbox ORDER BY seq").fetchall()
        stored = [DeviceEvent.model_validate_json(row[1]) for row in rows]
        assert len(stored) == 5
        assert [event.seq for event in stored] == [row[0] for row in rows]  # numbered in order, no reuse
        assert stored[-1].name == "print.done" and stored[-1].data == {"n": 7}  # the newest is kept
        notices = [event for event in stored if event.name == "outbox.dropped"]
        assert notices and notices[-1].data["total"] == events.outbox.dropped
    finally:
        events.close()


def test_a_full_disk_holds_new_events_in_memory_and_stores_them_in_order_when_room_returns(tmp_path: Path) -> None:
    link = BusLink(BusSection(), "offline-kiosk")
    outbox = Outbox(tmp_path / "events.sqlite3", link, TOPICS.device("kiosk-a", TopicKind.DEVICE_EVENT))
    try:
        for n in range(20):
            outbox.add(lambda seq, n=n: f'{{"seq": {seq}, "n": {n}}}'.encode())
        pages = outbox._db.execute("PRAGMA page_count").fetchone()[0]
        outbox._db.execute(f"PRAGMA max_page_count = {pages}")  # the disk is now full
        big = b"x" * 100_000
        seqs = [outbox.add(lambda seq, n=n: b"%d:%d:" % (seq, n) + big) for n in range(3)]
        assert seqs == [None, None, None] and outbox.held == 3 and outbox.failed == 0
        assert len(outbox) == 20
        assert outbox._db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        outbox._db.execute("PRAGMA max_page_count = 1000000")  # room again
        assert outbox.store_held() == 22 and outbox.held == 0
        rows = outbox._db.execute("SELECT seq, substr(payload, 1, 5) FROM outbox WHERE seq >= 20").fetchall()
        assert rows == [(20, b"20:0:"), (21, b"21:1:"), (22, b"22:2:")]  # numbered when stored, in order
    finally:
        outbox.close()
    with sqlite3.connect(tmp_path / "events.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM outbox").fetchone() == (23,)
