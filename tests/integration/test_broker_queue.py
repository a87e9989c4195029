"""``central broker-config`` sizes the broker's queue for central's persistent session (docs/protocol.md §1.1):
the generated ``mosquitto.conf`` says ``max_queued_messages``, and a real Mosquitto started on it keeps that
many of the events sent while central is away, and no more."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest

from central.broker.config import DEFAULT_MAX_QUEUED_MESSAGES
from tests.peers.generated_broker import generated_broker
from tests.peers.net import free_port
from tests.peers.programs import ROOT as REPO

# starts a Mosquitto on the generated files: part of the full run, not the quick one
pytestmark = pytest.mark.slow

CENTRAL_PASSWORD = "central-broker-secret"
EVENTS = "airport/HAK/device/kiosk-a/event"
WAIT_S = 10.0


def broker_config(state_dir: Path, out: Path, port: int, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "CENTRAL_APP__STATE_DIR": str(state_dir),
        "CENTRAL_BUS__USERNAME": "central",
        "CENTRAL_BUS__PASSWORD": CENTRAL_PASSWORD,
    }
    args = ["broker-config", "--out", str(out), "--local-port", str(port), "--persistence-dir", "none", *extra]
    return subprocess.run(
        [sys.executable, "-m", "central", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=60
    )


class Central:
    """A client with central's user and a kept session (clean_session off), as central connects."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.received: list[bytes] = []
        self.arrived = threading.Condition()
        self.subscribed = threading.Event()
        self.client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2, client_id="central-hak", clean_session=False, protocol=mqtt.MQTTv311
        )
        self.client.username_pw_set("central", CENTRAL_PASSWORD)
        self.client.on_message = self._on_message
        self.client.on_subscribe = lambda *_args: self.subscribed.set()

    def _on_message(self, _client: mqtt.Client, _userdata: object, message: mqtt.MQTTMessage) -> None:
        with self.arrived:
            self.received.append(message.payload)
            self.arrived.notify_all()

    def connect(self) -> None:
        self.client.connect("127.0.0.1", self.port)
        self.client.loop_start()

    def disconnect(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()

    def wait_for(self, payload: bytes) -> None:
        with self.arrived:
            assert self.arrived.wait_for(lambda: payload in self.received, WAIT_S), self.received[-3:]


def publish_all(port: int, payloads: list[bytes]) -> None:
    """Each payload at QoS 1, every PUBACK awaited: the broker has them all."""
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="sender", protocol=mqtt.MQTTv311)
    client.username_pw_set("central", CENTRAL_PASSWORD)  # the ACL lets central's user write every topic
    client.connect("127.0.0.1", port)
    client.loop_start()
    try:
        for payload in payloads:
            client.publish(EVENTS, payload, qos=1).wait_for_publish(WAIT_S)
    finally:
        client.disconnect()
        client.loop_stop()


def test_the_generated_config_sizes_the_queue_for_an_outage_of_central(tmp_path: Path) -> None:
    written = broker_config(tmp_path / "state", tmp_path / "broker", free_port())
    assert written.returncode == 0, written.stderr
    conf = (tmp_path / "broker" / "mosquitto.conf").read_text().splitlines()
    assert f"max_queued_messages {DEFAULT_MAX_QUEUED_MESSAGES}" in conf
    # a minute of events from 2,000 devices (one every 10 s each) fits, with room for a longer outage
    assert DEFAULT_MAX_QUEUED_MESSAGES >= 10 * 60 * 2000 // 10


def test_zero_meaning_no_limit_is_refused(tmp_path: Path) -> None:
    written = broker_config(tmp_path / "state", tmp_path / "broker", free_port(), "--max-queued-messages", "0")
    assert written.returncode != 0
    assert "at least 1" in written.stderr
    assert not (tmp_path / "broker" / "mosquitto.conf").exists()


def test_mosquitto_keeps_that_many_events_for_an_absent_central(tmp_path: Path) -> None:
    port = free_port()
    limit = 30
    written = broker_config(tmp_path / "state", tmp_path / "broker", port, "--max-queued-messages", str(limit))
    assert written.returncode == 0, written.stderr
    with generated_broker(tmp_path / "broker" / "mosquitto.conf", port):
        central = Central(port)
        central.connect()
        central.client.subscribe(EVENTS, qos=1)
        assert central.subscribed.wait(WAIT_S)
        central.disconnect()  # the broker keeps the session and queues for it

        publish_all(port, [f"event {n}".encode() for n in range(200)])
        central.connect()
        publish_all(port, [b"after"])  # delivered after everything queued before it
        central.wait_for(b"after")
        central.disconnect()
    kept = [payload for payload in central.received if payload != b"after"]
    # the oldest are kept in order, the newest beyond the limit dropped
    assert kept == [f"event {n}".encode() for n in range(len(kept))]
    assert len(kept) == limit
