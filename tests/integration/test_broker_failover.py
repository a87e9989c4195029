"""A device's link fails over between brokers (``[bus] brokers``): to the next one when the first is down at the
start, and across a clustered broker (two ejabberd nodes on loopback) when the node it is on is SIGKILLed
mid-run — central, on the other node, then has every event exactly once (the outbox sends again what the dead
node had not acknowledged, and what it acknowledged in the last minute, since it may have died before passing
it on; central drops repeats by (device, seq), and a late event fills its gap)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bus.link import BusLink, LinkState, Publication
from bus.loop_link import LoopLink
from bus.messages.device import DeviceEvent, DeviceKind
from bus.topics import TopicKind, Topics
from central.device_events import DeviceEventLog
from config.sections import BusSection
from device.events import DeviceEvents
from device.health import HealthProbe
from device.presence import DeviceIdentity, DevicePresence
from tests.peers.ejabberd import EjabberdCluster
from tests.peers.mosquitto import Mosquitto
from tests.peers.net import free_port
from tests.peers.wait import until

TOPICS = Topics("airport/HAK")
FAST = {"reconnect_min_s": 1, "reconnect_max_s": 2}

pytestmark = pytest.mark.slow  # every test here starts brokers


@pytest.fixture
def cluster() -> Iterator[EjabberdCluster]:
    cluster = EjabberdCluster(size=2)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


@pytest.mark.parametrize("link_type", [BusLink, LoopLink], ids=["thread", "loop"])
async def test_a_link_whose_first_broker_is_down_goes_to_the_next(
    mosquitto: Mosquitto, link_type: type[BusLink]
) -> None:
    dead = f"mqtt://127.0.0.1:{free_port()}"  # nothing listens there
    link = link_type(BusSection(url=dead, brokers=[mosquitto.url], **FAST), "kiosk-a")
    details: list[tuple[LinkState, str]] = []
    link.add_state_listener(lambda state, detail: details.append((state, detail)))
    await link.start()
    try:
        await until(lambda: link.state is LinkState.ONLINE, lambda: f"the link online, saw {details}", 15)
        assert link.where == f"127.0.0.1:{mosquitto.port}"
        assert (LinkState.ONLINE, f"to 127.0.0.1:{mosquitto.port}") in details  # the log names the broker
        assert any(state is LinkState.OFFLINE and dead.removeprefix("mqtt://") in text for state, text in details)
    finally:
        await link.stop()


async def _central_on(cluster: EjabberdCluster, node: int) -> tuple[BusLink, DeviceEventLog, list[int], list[int]]:
    """Central's event log on its own LoopLink (as central runs it), on ``node`` first; returns the link, the log,
    the seqs it took (once each) and every seq that arrived (repeats too)."""
    urls = [n.url for n in cluster.nodes]
    first, others = urls[node], [url for url in urls if url != urls[node]]
    settings = BusSection(url=first, brokers=others, username=cluster.username, password=cluster.password, **FAST)
    log = DeviceEventLog(TOPICS)
    taken: list[int] = []
    arrived: list[int] = []
    log.add_listener(lambda device, event: taken.append(event.seq) if device == "kiosk-a" else None)

    def handle(topic: str, payload: bytes) -> None:
        if "/kiosk-a/" in topic:
            arrived.append(DeviceEvent.model_validate_json(payload).seq)
        log.handle(topic, payload)

    link = LoopLink(settings, "central-events", clean_session=False)
    link.subscribe(TOPICS.every_device(TopicKind.DEVICE_EVENT), handle)
    await link.start()
    return link, log, taken, arrived


async def _subscribed(sender: BusLink, log: DeviceEventLog) -> None:
    """Once central's subscription carries messages from the sender's node (a probe device's events arrive)."""
    probe = TOPICS.device("probe-1", TopicKind.DEVICE_EVENT)
    seq = 0
    async with asyncio.timeout(15):
        while log.stats("probe-1") is None:
            sender.publish(Publication(probe, DeviceEvent(seq=seq, name="probe").model_dump_json().encode()))
            seq += 1
            await asyncio.sleep(0.2)


async def test_events_cross_the_cluster_and_survive_the_device_node_killed_nothing_lost_each_once(
    cluster: EjabberdCluster, tmp_path: Path
) -> None:
    node_a, node_b = cluster.nodes
    central, log, taken, arrived = await _central_on(cluster, 1)
    kiosk_bus = BusSection(
        url=node_a.url, brokers=[node_b.url], username=cluster.username, password=cluster.password, **FAST
    )
    kiosk_link = BusLink(kiosk_bus, "kiosk-a", clean_session=False)
    identity = DeviceIdentity(device_id="kiosk-a", kind=DeviceKind.KIOSK, version="test")
    presence = DevicePresence(kiosk_link, TOPICS, identity, HealthProbe(tmp_path), interval_s=3600)
    kiosk = DeviceEvents(kiosk_link, TOPICS, "kiosk-a", tmp_path)
    kiosk.start()
    await presence.start()  # health at every connect: it names the broker
    await kiosk_link.start()
    try:
        await until(lambda: kiosk_link.state is LinkState.ONLINE, "the kiosk online on node A", 15)
        await until(lambda: central.state is LinkState.ONLINE, "central online on node B", 15)
        assert kiosk_link.where == f"127.0.0.1:{node_a.port}"
        await until(lambda: _health_broker(presence) == kiosk_link.where, "health naming node A", 15)
        assert central.where == f"127.0.0.1:{node_b.port}"
        await _subscribed(kiosk_link, log)
        for n in range(20):
            kiosk.emit("print.done", {"n": n})
        await until(lambda: taken[-1:] == [19], lambda: f"the first 20 events across the cluster, took {taken}", 15)

        # mid-run: a burst of 300 is going out (the outbox keeps 100 unacknowledged at once) and A dies the moment
        # the burst's first event reaches central, with most of it acknowledged by A or not yet
        in_outbox_at_kill: list[int] = []
        killed_at: list[float] = []
        online_at: list[float] = []
        kiosk_link.add_state_listener(lambda state, _: online_at.append(time.monotonic()) if killed_at else None)

        def kill_a_mid_burst(device: str, event: DeviceEvent) -> None:
            if device == "kiosk-a" and event.seq == 20:
                killed_at.append(time.monotonic())
                node_a.kill()
                in_outbox_at_kill.append(len(kiosk.outbox))

        log.add_listener(kill_a_mid_burst)
        for n in range(20, 320):
            kiosk.emit("print.done", {"n": n})
        await until(lambda: bool(in_outbox_at_kill), "node A killed mid-burst", 15)
        for n in range(320, 340):  # made while the kiosk finds its way to node B
            kiosk.emit("print.held", {"n": n})
            await asyncio.sleep(0)

        await until(lambda: taken[-1:] == [339], lambda: f"the last event at central, took {taken[-5:]}", 30)
        all_in_s = time.monotonic() - killed_at[0]
        assert kiosk_link.where == f"127.0.0.1:{node_b.port}"  # it failed over, and says where it is
        await until(lambda: _health_broker(presence) == kiosk_link.where, "health naming node B", 15)
        stats = log.stats("kiosk-a")
        assert stats is not None
        # Nothing lost, each once. An event node A acknowledged and died before passing on is sent again from
        # the kiosk's kept acknowledged events once it is on node B, and fills its gap at central (late, after
        # the ones that overtook it: the only way the order can differ, and the run says how many did).
        await until(lambda: stats.missing == 0, lambda: f"every gap filled, still missing {stats.gaps}", 15)
        assert sorted(taken) == list(range(340)), "every event once at central"
        assert (stats.taken, stats.missing) == (340, 0)
        late = [seq for seq in taken if _came_late(taken, seq)]
        assert len(late) == stats.filled  # each one out of order was a gap filled late, and counted so
        in_order = [seq for seq in taken if seq not in late]
        assert in_order == sorted(in_order)
        assert sorted(set(arrived)) == list(range(340))  # what arrived twice was a resend, dropped as a repeat
        assert stats.repeats == len(arrived) - 340
        await until(lambda: len(kiosk.outbox) == 0, "the outbox emptied by node B's acknowledgements", 15)
        assert in_outbox_at_kill[0] > 0  # the kill did come mid-run
        print(
            f"failover: {in_outbox_at_kill[0]} events in the outbox at the kill, {stats.repeats} repeat(s) dropped,"
            f" {len(late)} came late and filled a gap, none lost;"
            f" on node B {online_at[-1] - killed_at[0]:.2f} s after the kill, every event at central {all_in_s:.2f} s"
        )
    finally:
        kiosk.close()
        await presence.stop()  # and with it the kiosk's link
        await central.stop()


def _came_late(taken: list[int], seq: int) -> bool:
    """Whether ``seq`` was taken after a higher one (it filled a gap)."""
    return any(other > seq for other in taken[: taken.index(seq)])


def _health_broker(presence: DevicePresence) -> str | None:
    return None if presence.last_health is None else presence.last_health.broker
