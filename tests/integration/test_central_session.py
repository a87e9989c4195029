"""Central's persistent bus session against a real Mosquitto: events a device sends while central is stopped
are kept by the broker and reach central when it starts again, each exactly once and in order."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bus.codec import encode
from bus.link import BusLink, Publication
from bus.messages.device import DeviceKind, DeviceStatus
from bus.topics import TopicKind, Topics
from central.service import CentralService
from central.settings import CentralSettings
from config.sections import BusSection
from device.events import DeviceEvents
from tests.peers.mosquitto import Mosquitto
from tests.peers.wait import until

TOPICS = Topics("airport/HAK")
DEVICE = "kiosk-away-1"
WHILE_AWAY = 50


def central_settings(url: str, state_dir: Path, **bus: object) -> CentralSettings:
    return CentralSettings.model_validate(
        {
            "app": {"state_dir": str(state_dir)},
            "bus": {"url": url, "reconnect_min_s": 1, "reconnect_max_s": 1, **bus},
            "http": {"port": 0},
            "feeds": {"simulator": False},
        }
    )


async def started(settings: CentralSettings, taken: list[int]) -> CentralService:
    central = CentralService(settings, version="test")
    central.events.add_listener(lambda device, event: taken.append(event.seq) if device == DEVICE else None)
    await central.start()
    await until(lambda: central.link.state.value == "online", "central online", 15)
    return central


@pytest.mark.slow  # a broker and central's whole service
async def test_events_sent_while_central_is_stopped_arrive_once_in_order_when_it_returns(
    mosquitto: Mosquitto, tmp_path: Path
) -> None:
    settings = central_settings(mosquitto.url, tmp_path / "central")
    assert settings.bus.central_client_id == "central-hak"  # the same id at every start: the broker knows it
    first_run: list[int] = []
    central = await started(settings, first_run)
    kiosk_link = BusLink(BusSection(url=mosquitto.url, reconnect_min_s=1, reconnect_max_s=1), DEVICE)
    await kiosk_link.start()
    (tmp_path / "kiosk").mkdir()
    kiosk = DeviceEvents(kiosk_link, TOPICS, DEVICE, tmp_path / "kiosk")
    kiosk.start()
    second_run: list[int] = []
    try:
        # central's subscription is live once a probe reaches it (the ones before may go unheard)
        probe = None
        async with asyncio.timeout(15):
            while not first_run:
                probe = kiosk.emit("print.done", {"probe": True})
                await until(lambda: len(kiosk.outbox) == 0, "the probe acknowledged", 10)
        assert probe is not None
        await until(lambda: first_run[-1] == probe.seq, "the last probe at central", 10)
        last_seen = probe.seq

        before = central.events.stats(DEVICE)
        assert before is not None
        taken_before, repeats_before = before.taken, before.repeats
        await central.stop()  # a clean stop: the broker keeps the session
        made = [kiosk.emit("print.done", {"n": n}) for n in range(WHILE_AWAY)]
        expected = [event.seq for event in made if event is not None]
        assert len(expected) == WHILE_AWAY
        await until(lambda: len(kiosk.outbox) == 0, "every event taken by the broker while central is away", 15)
        assert first_run[-1] == last_seen  # central really heard none of them

        central = await started(settings, second_run)
        await until(lambda: second_run[-1:] == expected[-1:], "the queued events at the restarted central", 15)
        assert second_run == expected  # each once, in order, none lost
        stats = central.events.stats(DEVICE)
        # its counts are kept across the restart (central/event_seqs.py): the probes, then these once each
        assert stats is not None and stats.missing == 0
        assert stats.taken == taken_before + WHILE_AWAY
        assert stats.repeats >= repeats_before  # a probe redelivered at the restart is one more, dropped
    finally:
        kiosk.close()
        await kiosk_link.stop()
        await central.stop()


@pytest.mark.slow  # a broker and central's whole service
async def test_central_sees_every_retained_status_beyond_the_broker_s_queue_limit(
    mosquitto: Mosquitto, tmp_path: Path
) -> None:
    """At its subscribe the broker sends every device's retained status at once; Mosquitto queues at most 1000
    QoS 1 messages per client (its default, which this broker keeps), so at QoS 1 central saw about 1020."""
    devices = 1100
    sender = BusLink(BusSection(url=mosquitto.url), "test-births")
    up = asyncio.Event()
    sender.add_connected_listener(up.set)
    await sender.start()
    await asyncio.wait_for(up.wait(), 10)
    acked: list[int] = []
    for n in range(devices):
        device = f"kiosk-many-{n:04d}"
        birth = DeviceStatus(online=True, kind=DeviceKind.KIOSK, location=f"gate {n}")
        topic = TOPICS.device(device, TopicKind.DEVICE_STATUS)
        assert sender.publish_acked(Publication(topic, encode(birth), retain=True), lambda n=n: acked.append(n))
    await until(lambda: len(acked) == devices, "every birth retained by the broker", 30)
    await sender.stop()

    central = await started(central_settings(mosquitto.url, tmp_path / "central"), [])
    try:
        await until(lambda: len(central.fleet) == devices, lambda: f"{devices} devices, not {len(central.fleet)}", 20)
        assert central.fleet.counts()["online"] == devices
    finally:
        await central.stop()


def test_central_s_client_id_is_fixed_and_can_be_set() -> None:
    assert CentralSettings().bus.central_client_id == "central-hak"
    assert CentralSettings.model_validate({"bus": {"site": "PEK"}}).bus.central_client_id == "central-pek"
    assert CentralSettings.model_validate({"bus": {"client_id": "central-b"}}).bus.central_client_id == "central-b"
    with pytest.raises(ValueError, match="client_id"):
        CentralSettings.model_validate({"bus": {"client_id": "x" * 24}})  # more than a 3.1.1 broker must take
