"""Central's bus link with the network on the asyncio loop (bus/loop_link.py), against a real Mosquitto."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bus.codec import encode
from bus.link import BusLink, LinkState, Publication
from bus.loop_link import PACKETS_PER_TURN, BufferedClient, LoopLink
from bus.messages.device import DeviceHealth
from bus.topics import TopicKind, Topics
from central.broker.config import DEFAULT_MAX_QUEUED_MESSAGES
from central.device_events import DeviceEventLog
from central.fleet import FleetState
from config.sections import BusSection
from tests.peers.mosquitto import Mosquitto
from tests.peers.net import free_port
from tests.peers.tls import make_tls_files
from tests.peers.wait import until

pytestmark = pytest.mark.slow  # each starts a broker

TOPICS = Topics("airport/HAK")
EVENTS = "airport/HAK/device/+/event"


async def online(link: BusLink) -> BusLink:
    up = asyncio.Event()
    link.add_connected_listener(up.set)
    await link.start()
    await asyncio.wait_for(up.wait(), 10)
    return link


async def until_live(sender: BusLink, receiver_got: Callable[[], bool], topic: str) -> None:
    """A subscription is live once something sent after it arrives."""
    async with asyncio.timeout(10):
        while not receiver_got():
            sender.publish(Publication(topic, b'{"probe":true}'))
            await asyncio.sleep(0.05)


@pytest.fixture
def central_broker(tmp_path: Path) -> Iterator[Mosquitto]:
    """Queuing as central's own broker does (Mosquitto's default of 1000 would drop the end of a burst
    whenever the reader falls behind, as it may on a loaded machine)."""
    broker = Mosquitto(tmp_path / "central-broker", max_queued_messages=DEFAULT_MAX_QUEUED_MESSAGES).start()
    try:
        yield broker
    finally:
        broker.stop()


async def test_a_burst_arrives_whole_in_order_and_is_handled_on_the_loop(central_broker: Mosquitto) -> None:
    mosquitto = central_broker
    received: list[bytes] = []
    threads: set[int] = set()

    def on_event(_topic: str, payload: bytes) -> None:
        threads.add(threading.get_ident())
        received.append(payload)

    receiver = LoopLink(BusSection(url=mosquitto.url), "central-test")
    receiver.subscribe(EVENTS, on_event)
    await online(receiver)
    sender = await online(BusLink(BusSection(url=mosquitto.url), "kiosk-a"))
    try:
        await until_live(sender, lambda: bool(received), "airport/HAK/device/kiosk-a/event")
        received.clear()
        count = 4 * PACKETS_PER_TURN  # more than one turn's worth, read in chunks of many packets
        for n in range(count):
            sender.publish(Publication("airport/HAK/device/kiosk-a/event", json.dumps({"n": n}).encode()))
        await until(lambda: len(received) >= count, lambda: f"{len(received)} of {count} messages", 20)
        assert [json.loads(payload)["n"] for payload in received] == list(range(count))
        assert threads == {threading.get_ident()}  # no hand-off from another thread
        assert isinstance(receiver._client, BufferedClient)
    finally:
        await sender.stop()
        await receiver.stop()
    assert receiver.state is LinkState.OFFLINE


async def test_a_message_is_acknowledged_only_after_its_handler_ran(mosquitto: Mosquitto) -> None:
    """The connection breaks inside the handler: no PUBACK can follow, so the broker delivers it again."""
    seen: list[bytes] = []
    receiver = LoopLink(BusSection(url=mosquitto.url, reconnect_max_s=1), "central-ack", clean_session=False)

    def on_event(_topic: str, payload: bytes) -> None:
        seen.append(payload)
        if payload == b'{"store":1}' and seen.count(payload) == 1:
            client = receiver._client
            assert client is not None
            sock = client.socket()
            assert isinstance(sock, socket.socket)
            sock.shutdown(socket.SHUT_RDWR)  # as if the program died before storing

    receiver.subscribe(EVENTS, on_event)
    await online(receiver)
    sender = await online(BusLink(BusSection(url=mosquitto.url), "kiosk-b"))
    try:
        await until_live(sender, lambda: bool(seen), "airport/HAK/device/kiosk-b/event")
        sender.publish(Publication("airport/HAK/device/kiosk-b/event", b'{"store":1}'))
        await until(lambda: seen.count(b'{"store":1}') == 2, lambda: f"the message again; seen {seen}", 15)
        await until(lambda: receiver.state is LinkState.ONLINE, "the link back online", 10)
    finally:
        await sender.stop()
        await receiver.stop()


async def test_the_work_before_a_reads_acknowledgements_runs_before_them(mosquitto: Mosquitto) -> None:
    """add_before_acks: the connection breaks in the hook (a store's write that died): the read's PUBACKs never
    go, so the broker delivers the message again; the hook runs after the handlers of its read."""
    order: list[str] = []
    receiver = LoopLink(BusSection(url=mosquitto.url, reconnect_max_s=1), "central-hook", clean_session=False)
    receiver.subscribe(EVENTS, lambda _topic, payload: order.append(payload.decode()))

    def before_acks() -> None:
        if order and order[-1] == '{"store":2}' and order.count('{"store":2}') == 1:
            order.append("hook")
            client = receiver._client
            assert client is not None
            sock = client.socket()
            assert isinstance(sock, socket.socket)
            sock.shutdown(socket.SHUT_RDWR)

    receiver.add_before_acks(before_acks)
    await online(receiver)
    sender = await online(BusLink(BusSection(url=mosquitto.url), "kiosk-c"))
    try:
        await until_live(sender, lambda: bool(order), "airport/HAK/device/kiosk-c/event")
        sender.publish(Publication("airport/HAK/device/kiosk-c/event", b'{"store":2}'))
        await until(lambda: order.count('{"store":2}') == 2, lambda: f"the message again; seen {order}", 15)
        assert order.index("hook") == order.index('{"store":2}') + 1  # after the handler, before any PUBACK
    finally:
        await sender.stop()
        await receiver.stop()


async def test_events_wait_in_the_session_while_central_is_away(mosquitto: Mosquitto) -> None:
    first: list[bytes] = []
    receiver = LoopLink(BusSection(url=mosquitto.url), "central-session", clean_session=False)
    receiver.subscribe(EVENTS, lambda _t, payload: first.append(payload))
    await online(receiver)
    sender = await online(BusLink(BusSection(url=mosquitto.url), "kiosk-c"))
    try:
        await until_live(sender, lambda: bool(first), "airport/HAK/device/kiosk-c/event")
        await receiver.stop()
        acked = 0

        def count_ack() -> None:
            nonlocal acked
            acked += 1

        for n in range(20):
            sender.publish_acked(Publication("airport/HAK/device/kiosk-c/event", b'{"n":%d}' % n), count_ack)
        await until(lambda: acked == 20, "the broker's PUBACKs for all 20", 10)
        later: list[bytes] = []
        back = LoopLink(BusSection(url=mosquitto.url), "central-session", clean_session=False)
        back.subscribe(EVENTS, lambda _t, payload: later.append(payload))
        await online(back)
        try:
            await until(lambda: len(later) >= 20, lambda: f"{len(later)} of 20 kept events", 10)
            assert later[:20] == [b'{"n":%d}' % n for n in range(20)]
        finally:
            await back.stop()
    finally:
        await sender.stop()


async def test_a_lost_broker_is_reconnected_and_subscriptions_renewed(tmp_path) -> None:
    broker = Mosquitto(tmp_path / "broker").start()
    received: list[bytes] = []
    states: list[LinkState] = []
    receiver = LoopLink(BusSection(url=broker.url, reconnect_max_s=1), "central-again")
    receiver.subscribe(EVENTS, lambda _t, payload: received.append(payload))
    receiver.add_state_listener(lambda state, _detail: states.append(state))
    try:
        await online(receiver)
        broker.stop()
        await until(lambda: receiver.state is LinkState.OFFLINE, "the link offline", 10)
        broker.start()
        await until(lambda: receiver.state is LinkState.ONLINE, "the link online again", 15)
        sender = await online(BusLink(BusSection(url=broker.url), "kiosk-d"))
        try:
            await until_live(sender, lambda: bool(received), "airport/HAK/device/kiosk-d/event")
        finally:
            await sender.stop()
    finally:
        await receiver.stop()
        broker.stop()
    assert states[:3] == [LinkState.CONNECTING, LinkState.ONLINE, LinkState.OFFLINE]


async def test_refused_credentials_give_the_refused_state_and_stop_at_once(tmp_path, caplog) -> None:
    broker = Mosquitto(tmp_path / "secured", users={"central": "right-horse-battery"}).start()
    settings = BusSection(url=broker.url, username="central", password="wrong-staple-secret", reconnect_max_s=1)
    link = LoopLink(settings, "central")
    refused = asyncio.Event()
    link.add_state_listener(lambda state, _detail: state is LinkState.REFUSED and refused.set())
    try:
        with caplog.at_level(logging.INFO):
            await link.start()
            await asyncio.wait_for(refused.wait(), 10)
        assert "refused" in caplog.text and "wrong-staple-secret" not in caplog.text
        async with asyncio.timeout(5):
            await link.stop()
    finally:
        broker.stop()


async def test_tls_carries_messages_both_ways(tmp_path) -> None:
    tls = make_tls_files(tmp_path / "pki")
    broker = Mosquitto(tmp_path / "tls-broker", tls=tls).start()
    received: list[bytes] = []
    receiver = LoopLink(BusSection(url=broker.url, ca_file=tls.ca_file), "central-tls")
    receiver.subscribe(EVENTS, lambda _t, payload: received.append(payload))
    try:
        await online(receiver)
        sender = await online(BusLink(BusSection(url=broker.url, ca_file=tls.ca_file), "kiosk-e"))
        try:
            await until_live(sender, lambda: bool(received), "airport/HAK/device/kiosk-e/event")
            received.clear()
            for n in range(300):
                sender.publish(Publication("airport/HAK/device/kiosk-e/event", b"%d" % n))
            await until(lambda: len(received) >= 300, lambda: f"{len(received)} of 300 over TLS", 15)
            assert received == [b"%d" % n for n in range(300)]
            assert receiver.publish(Publication("airport/HAK/central/status", b"{}"))
        finally:
            await sender.stop()
    finally:
        await receiver.stop()
        broker.stop()


async def test_no_broker_at_start_then_one_appears(tmp_path) -> None:
    broker = Mosquitto(tmp_path / "late", port=free_port())
    link = LoopLink(BusSection(url=f"mqtt://127.0.0.1:{broker.port}", reconnect_max_s=1), "central-patient")
    states: list[LinkState] = []
    link.add_state_listener(lambda state, _detail: states.append(state))
    await link.start()
    try:
        assert link.state is LinkState.CONNECTING
        assert not link.publish(Publication("airport/HAK/x", b"{}"))
        await until(lambda: LinkState.OFFLINE in states, "the link offline", 10)
        broker.start()
        await until(lambda: link.state is LinkState.ONLINE, "the link online", 15)
    finally:
        await link.stop()
        broker.stop()


async def test_malformed_health_and_events_are_dropped_and_counted_per_device(mosquitto: Mosquitto) -> None:
    fleet = FleetState(TOPICS, 120.0)
    events = DeviceEventLog(TOPICS)
    receiver = LoopLink(BusSection(url=mosquitto.url, max_payload_bytes=64 * 1024), "central-strict")
    receiver.subscribe(TOPICS.every_device(TopicKind.DEVICE_HEALTH), fleet.handle, qos=0)
    receiver.subscribe(TOPICS.every_device(TopicKind.DEVICE_EVENT), events.handle)
    await online(receiver)
    sender = await online(BusLink(BusSection(url=mosquitto.url), "kiosk-f"))
    health_topic = TOPICS.device("kiosk-f", TopicKind.DEVICE_HEALTH)
    good = encode(DeviceHealth(cpu_percent=5.0, memory_percent=20.0, app_rss_mb=80.0, uptime_s=10.0, version="1"))
    try:
        await until_live_health(sender, fleet, health_topic, good)
        for bad in (b"not json", b'{"v":1,"cpu_percent":"hot"}', b'{"v":2}', b"x" * (128 * 1024)):
            sender.publish(Publication(health_topic, bad, qos=0))
        sender.publish(Publication(TOPICS.device("kiosk-f", TopicKind.DEVICE_EVENT), b"[1,2]"))
        sender.publish(Publication(TOPICS.device("kiosk-g", TopicKind.DEVICE_EVENT), b"{}"))
        newer = encode(DeviceHealth(cpu_percent=7.5, memory_percent=20.0, app_rss_mb=80.0, uptime_s=11.0, version="1"))
        sender.publish(Publication(health_topic, newer, qos=0))
        sender.publish(Publication(TOPICS.device("kiosk-g", TopicKind.DEVICE_EVENT), b"{"))
        await until(lambda: events.malformed_of("kiosk-g") == 2, "the second bad event counted", 10)
        await until(lambda: (fleet.health_of("kiosk-f") or good).cpu_percent == 7.5, "the health after", 10)
        # over [bus] max_payload_bytes: dropped by the link before any decoding
        assert receiver.dropped == 1
        assert fleet.malformed_of("kiosk-f") == 3 and fleet.malformed_count == 3
        assert events.malformed_of("kiosk-f") == 1 and events.malformed_of("kiosk-g") == 2
        assert fleet.malformed_of("kiosk-g") == 0
    finally:
        await sender.stop()
        await receiver.stop()


async def until_live_health(sender: BusLink, fleet: FleetState, topic: str, payload: bytes) -> None:
    async with asyncio.timeout(10):
        while fleet.health_of("kiosk-f") is None:
            sender.publish(Publication(topic, payload, qos=0))
            await asyncio.sleep(0.05)
