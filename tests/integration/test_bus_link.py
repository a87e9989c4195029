"""The bus link and device presence against a real Mosquitto broker."""

from __future__ import annotations

import asyncio
import logging
import signal

import pytest

from bus.link import BusLink, LinkState, Publication
from bus.messages import DeviceKind
from config.sections import AppSection, BusSection, DeviceBusSection
from device.presence import connect_device
from tests.peers.inbox import Inbox
from tests.peers.mosquitto import Mosquitto
from tests.peers.net import free_port
from tests.peers.programs import running
from tests.peers.retained import read_retained
from tests.peers.tls import make_tls_files
from tests.peers.wait import until


def device_bus(url: str, device_id: str = "kiosk-t1-01", **extra) -> DeviceBusSection:
    return DeviceBusSection(url=url, device_id=device_id, location="T1 Hall B", **extra)


def is_status(device_id: str, **fields):
    def match(topic: str, body) -> bool:
        return topic.endswith(f"/device/{device_id}/status") and all(body.get(k) == v for k, v in fields.items())

    return match


async def test_birth_health_and_clean_shutdown_are_published(mosquitto, tmp_path):
    bus = device_bus(mosquitto.url)
    async with Inbox(BusSection(url=mosquitto.url), "airport/HAK/device/#") as inbox:
        link, presence = connect_device(bus, AppSection(state_dir=tmp_path), DeviceKind.KIOSK, "9.9", 30)
        await link.start()
        await presence.start()
        birth = await inbox.wait_for(is_status("kiosk-t1-01", online=True))
        assert birth["kind"] == "kiosk" and birth["location"] == "T1 Hall B" and birth["version"] == "9.9"
        health = await inbox.wait_for(lambda topic, body: topic.endswith("/kiosk-t1-01/health"))
        assert {"cpu_percent", "memory_percent", "app_rss_mb", "uptime_s", "version"} <= set(health)
        await presence.stop()
        goodbye = await inbox.wait_for(is_status("kiosk-t1-01", online=False))
        assert goodbye["reason"] == "shutdown"
        assert goodbye["boot_id"] == birth["boot_id"]
    assert link.state is LinkState.OFFLINE


async def test_status_and_health_are_retained_for_late_subscribers(mosquitto, tmp_path):
    link, presence = connect_device(
        device_bus(mosquitto.url), AppSection(state_dir=tmp_path), DeviceKind.SIGNAGE, "1", 30
    )
    async with Inbox(BusSection(url=mosquitto.url), "airport/HAK/device/+/+", "live") as inbox:
        await link.start()
        await presence.start()
        # seen live: both publishes are complete at the broker before the late subscriber comes
        await inbox.wait_for(is_status("kiosk-t1-01", online=True, kind="signage"))
        await inbox.wait_for(lambda topic, body: topic.endswith("/kiosk-t1-01/health"))
    try:
        # a late subscriber only accepts messages carrying the MQTT retain flag, which a live one never has
        status = await asyncio.to_thread(read_retained, mosquitto, "airport/HAK/device/kiosk-t1-01/status")
        health = await asyncio.to_thread(read_retained, mosquitto, "airport/HAK/device/kiosk-t1-01/health")
        assert (status["online"], status["kind"]) == (True, "signage")
        assert "cpu_percent" in health
    finally:
        await presence.stop()


async def test_a_device_that_dies_is_declared_lost_by_its_last_will(mosquitto, tmp_path):
    device_args = [mosquitto.url, "kiosk-dies", str(tmp_path)]
    with running("tests.peers.device_process", {}, device_args) as device:
        await asyncio.to_thread(device.wait_for_line, "connected")
        async with Inbox(BusSection(url=mosquitto.url), "airport/HAK/device/+/status") as inbox:
            await inbox.wait_for(is_status("kiosk-dies", online=True))
            device.process.send_signal(signal.SIGKILL)
            lost = await inbox.wait_for(is_status("kiosk-dies", online=False))
            assert lost["reason"] == "lost"


async def test_start_returns_at_once_without_a_broker_and_connects_when_one_appears(tmp_path):
    port = free_port()
    states: list[LinkState] = []
    link = BusLink(BusSection(url=f"mqtt://127.0.0.1:{port}", reconnect_max_s=1), "patient")
    online = asyncio.Event()
    link.add_state_listener(lambda state, _detail: (states.append(state), state is LinkState.ONLINE and online.set()))
    await link.start()
    assert link.state is LinkState.CONNECTING
    assert not link.publish(Publication("airport/HAK/x", b"{}"))
    broker = Mosquitto(tmp_path / "late-broker", port=port)
    try:
        # the link keeps retrying while the broker is away; it is already offline before the broker starts
        await until(lambda: LinkState.OFFLINE in states, "the link offline", 10)
        broker.start()
        await asyncio.wait_for(online.wait(), 15)
    finally:
        await link.stop()
        broker.stop()
    assert states[:2] == [LinkState.CONNECTING, LinkState.OFFLINE]


async def test_a_lost_broker_is_reconnected_and_the_birth_published_again(tmp_path):
    broker = Mosquitto(tmp_path / "broker").start()
    bus = device_bus(broker.url, reconnect_max_s=1)
    link, presence = connect_device(bus, AppSection(state_dir=tmp_path), DeviceKind.KIOSK, "1", 30)
    births = asyncio.Queue()
    link.add_connected_listener(lambda: births.put_nowait(1))
    try:
        await link.start()
        await presence.start()
        await asyncio.wait_for(births.get(), 10)
        broker.stop()
        await until(lambda: link.state is LinkState.OFFLINE, "the link offline", 10)
        broker.start()
        await asyncio.wait_for(births.get(), 15)
        async with Inbox(BusSection(url=broker.url), "airport/HAK/device/+/status", "after") as inbox:
            await inbox.wait_for(is_status("kiosk-t1-01", online=True))
    finally:
        await presence.stop()
        broker.stop()


async def test_refused_credentials_give_a_clear_log_line_and_the_offline_state(tmp_path, caplog):
    broker = Mosquitto(tmp_path / "secured", users={"kiosk-t1-01": "right-horse-battery"}).start()
    bus = device_bus(broker.url, username="kiosk-t1-01", password="wrong-staple-secret", reconnect_max_s=1)
    link = BusLink(bus, "kiosk-t1-01")
    refused = asyncio.Event()
    link.add_state_listener(lambda state, _detail: state is LinkState.REFUSED and refused.set())
    try:
        with caplog.at_level(logging.INFO):
            await link.start()
            await asyncio.wait_for(refused.wait(), 10)
        assert "refused" in caplog.text and "127.0.0.1" in caplog.text
        assert "wrong-staple-secret" not in caplog.text
    finally:
        await link.stop()
        broker.stop()


async def test_right_credentials_connect(tmp_path):
    broker = Mosquitto(tmp_path / "secured", users={"kiosk-t1-01": "right-horse-battery"}).start()
    link = BusLink(device_bus(broker.url, username="kiosk-t1-01", password="right-horse-battery"), "kiosk-t1-01")
    online = asyncio.Event()
    link.add_connected_listener(online.set)
    try:
        await link.start()
        await asyncio.wait_for(online.wait(), 10)
    finally:
        await link.stop()
        broker.stop()


async def test_a_failing_handler_does_not_stop_delivery(mosquitto):
    bus = BusSection(url=mosquitto.url)
    received: list[bytes] = []

    def broken(_topic: str, _payload: bytes) -> None:
        raise RuntimeError("boom")

    async with Inbox(bus, "airport/HAK/alert", "observer") as inbox:
        inbox.link.subscribe("airport/HAK/alert", broken)
        inbox.link.subscribe("airport/HAK/alert", lambda _t, payload: received.append(payload))
        inbox.link.publish(Publication("airport/HAK/alert", b'{"v":1}'))
        await inbox.wait_for(lambda topic, _body: topic == "airport/HAK/alert")
        await until(lambda: received == [b'{"v":1}'], "delivery to the working handler", 5)


@pytest.fixture(autouse=True)
def _quiet_paho(caplog):
    caplog.set_level(logging.INFO, logger="bus")


async def test_tls_connects_with_the_airports_ca_and_refuses_a_broker_it_cannot_verify(tmp_path, caplog):
    tls = make_tls_files(tmp_path / "pki")
    broker = Mosquitto(tmp_path / "tls-broker", tls=tls).start()
    other_ca = make_tls_files(tmp_path / "other-pki", ca_name="Someone else's CA")
    trusting = BusLink(BusSection(url=broker.url, ca_file=tls.ca_file), "kiosk-tls")
    doubting = BusLink(BusSection(url=broker.url, ca_file=other_ca.ca_file, reconnect_max_s=1), "kiosk-doubt")
    online = asyncio.Event()
    trusting.add_connected_listener(online.set)
    refused = asyncio.Event()
    doubting.add_state_listener(lambda state, _detail: state is LinkState.OFFLINE and refused.set())
    try:
        assert broker.url.startswith("mqtts://")
        await trusting.start()
        await asyncio.wait_for(online.wait(), 10)
        with caplog.at_level(logging.INFO):
            await doubting.start()
            await asyncio.wait_for(refused.wait(), 10)
        assert doubting.state is not LinkState.ONLINE
        # refused for its certificate, not for anything else (the broker writes its log on its own time)
        await until(lambda: "unknown ca" in broker.log_text().lower(), "the broker's 'unknown ca' line")
    finally:
        await trusting.stop()
        await doubting.stop()
        broker.stop()
