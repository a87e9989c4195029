"""Central's board publisher and a device's flight store on a real Mosquitto: updates arrive, a missed
update makes the store re-read the retained board, and a store starts from its disk cache with the broker
down."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from bus.codec import encode
from bus.link import BusLink
from bus.messages.flights import Direction, FlightEvent, FlightUpdate
from bus.topics import Topics
from central.feeds.legs import EventTime, Leg, LegKey
from central.flights.board import FlightBoards
from central.flights.publisher import BoardPublisher
from config.sections import BusSection
from device.flights.store import FlightStore, Freshness
from tests.peers.mosquitto import Mosquitto
from tests.peers.net import free_port
from tests.peers.wait import until

ROOT = "airport/HAK"
T0 = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
DEP = Direction.DEPARTURES


def leg(number: str, gate: str) -> Leg:
    times = {FlightEvent.OFF_BLOCK: EventTime(scheduled=T0 + timedelta(minutes=int(number)))}
    return Leg(key=LegKey("HU", number, "HAK", "PEK", date(2026, 11, 23)), times=times, departure_gate=gate)


def bus(url: str) -> BusSection:
    return BusSection(url=url, site="HAK", reconnect_min_s=1, reconnect_max_s=1)


class Central:
    """Just the flight side of central: boards, publisher and its own link."""

    def __init__(self, url: str) -> None:
        self.link = BusLink(bus(url), "test-central")
        self.boards = FlightBoards("HAK")
        self.publisher = BoardPublisher(self.link, Topics(ROOT), self.boards, "Asia/Shanghai", first_revision=100)

    async def start(self) -> None:
        self.publisher.start()
        await self.link.start()
        await until(lambda: self.link.state.value == "online", "central's link")

    async def stop(self) -> None:
        self.publisher.close()
        await self.link.stop()


class Device:
    def __init__(self, url: str, state_dir: Path, name: str = "test-device") -> None:
        self.link = BusLink(bus(url), name)
        self.store = FlightStore(state_dir, save_interval_s=0.05)
        self.store.attach(self.link, Topics(ROOT))
        self.applied: list[int] = []
        self.store.add_listener(lambda change: self.applied.append(self.store.revision(change.direction) or 0))

    async def start(self) -> None:
        await self.link.start()

    async def stop(self) -> None:
        self.store.close()
        await self.link.stop()


@pytest.fixture
async def central(mosquitto: Mosquitto) -> AsyncIterator[Central]:
    started = Central(mosquitto.url)
    await started.start()
    yield started
    await started.stop()


@pytest.fixture
async def device(mosquitto: Mosquitto, tmp_path: Path) -> AsyncIterator[Device]:
    started = Device(mosquitto.url, tmp_path / "device")
    await started.start()
    yield started
    await started.stop()


async def test_a_gate_change_reaches_the_device_as_an_update_on_the_revision_it_holds(central: Central, device: Device):
    central.boards.replace("csv", [leg("1", "12"), leg("2", "3")])
    await until(lambda: device.store.revision(DEP) == 101, "the first board on the device")
    assert device.store.freshness(DEP) is Freshness.LIVE
    resets: list[bool] = []
    device.store.add_listener(lambda change: resets.append(change.reset))
    central.boards.replace("csv", [leg("1", "14"), leg("2", "3")])
    await until(lambda: device.store.revision(DEP) == 102, "the update")
    assert device.store.flight("HU1-20261123-D").gate == "14"
    central.boards.replace("csv", [leg("1", "14"), leg("2", "4")])
    await until(lambda: device.store.revision(DEP) == 103, "the next update")
    # Snapshot 102 was published before update 103: a device still subscribed to the board would have
    # been reset by it. It follows the updates instead.
    assert resets == [False, False]
    assert device.store.resyncs == 0
    assert device.store.revision(Direction.ARRIVALS) is None  # no arrivals board was ever published


async def test_a_missed_update_makes_the_device_reread_the_retained_board(
    central: Central, device: Device, mosquitto: Mosquitto
):
    central.boards.replace("csv", [leg("1", "12")])
    await until(lambda: device.store.revision(DEP) == 101, "the first board")
    # An update the device cannot place: its base is a revision it never saw (one went missing).
    missed = FlightUpdate(direction=DEP, base_revision=104, revision=105, removed=["HU1-20261123-D"])
    sender = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, client_id="test-sender")
    sender.connect("127.0.0.1", mosquitto.port)
    sender.loop_start()
    try:
        sender.publish(f"{ROOT}/flights/update", encode(missed), qos=1).wait_for_publish(5)
    finally:
        sender.loop_stop()
        sender.disconnect()
    await until(lambda: device.store.resyncs == 1, "the gap noticed")
    await until(lambda: not device.store.resyncing(DEP), "the board read again")
    assert device.store.flight("HU1-20261123-D") is not None  # the bogus removal was not applied
    assert device.store.revision(DEP) == 101
    central.boards.replace("csv", [leg("1", "20")])
    await until(lambda: device.store.revision(DEP) == 102, "the next update, applied again")
    assert device.store.flight("HU1-20261123-D").gate == "20"


async def test_the_device_starts_from_its_disk_cache_with_the_broker_down(
    central: Central, mosquitto: Mosquitto, tmp_path: Path
):
    first = Device(mosquitto.url, tmp_path / "cache", "first-device")
    await first.start()
    central.boards.replace("csv", [leg("1", "12"), leg("2", "7")])
    await until(lambda: first.store.revision(DEP) == 101, "the board")
    await first.stop()
    mosquitto.stop()

    second = Device(f"mqtt://127.0.0.1:{free_port()}", tmp_path / "cache", "second-device")
    await second.start()
    try:
        assert [f.gate for f in second.store.flights(DEP)] == ["12", "7"]
        assert second.store.freshness(DEP) is Freshness.CACHED
        assert second.store.age_s(DEP) is not None and second.store.age_s(DEP) < 60
    finally:
        await second.stop()
