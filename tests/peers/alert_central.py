"""The real ``central`` with quick alert settings, a staff account, and a test device that speaks the fleet
topics (birth and health) on the same broker."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bus.codec import encode
from bus.messages.device import DeviceHealth, DeviceKind, DeviceStatus, PrinterHealth, PrinterState
from bus.topics import TopicKind
from tests.peers.bus_device import BusDevice
from tests.peers.central import TOPICS, WAIT_S, central_env
from tests.peers.mosquitto import Mosquitto
from tests.peers.programs import RunningProgram, running
from tests.peers.retained import read_retained
from tests.peers.staff import add_staff

QUICK_ALERTS = {
    "CENTRAL_ALERTS__CHECK_INTERVAL_S": "0.2",
    "CENTRAL_ALERTS__RAISE_AFTER_S": "0.5",
    "CENTRAL_ALERTS__CLEAR_AFTER_S": "1",
    "CENTRAL_ALERTS__OFFLINE_AFTER_S": "1",
    "CENTRAL_FLEET__STALE_AFTER_S": "1.5",
}
ALERT_TOPIC = TOPICS.site(TopicKind.ALERT)


@contextmanager
def central_with_alerts(mosquitto: Mosquitto, state_dir: Path, **env: str) -> Iterator[tuple[RunningProgram, str]]:
    """Central and its base URL, once its subscriptions are live (its birth is retained)."""
    settings = {**central_env(mosquitto, state_dir), **QUICK_ALERTS, **env}
    add_staff(state_dir)
    with running("central", settings) as program:
        line = program.wait_for_line("central: facilities page at ")
        base_url = line.split(" at ", 1)[1].strip().removesuffix("/facilities")
        status = TOPICS.site(TopicKind.CENTRAL_STATUS)
        read_retained(mosquitto, status, lambda body: body.get("online") is True, timeout_s=WAIT_S)
        yield program, base_url


def announce(device: BusDevice, location: str = "T1 Hall B, gate 12") -> None:
    """The device's birth, as its own program sends it after connecting."""
    birth = DeviceStatus(
        online=True, kind=DeviceKind.KIOSK, version="1.0.0", boot_id="0123456789abcdef", location=location
    )
    device.publish(TopicKind.DEVICE_STATUS, encode(birth), retain=True)


def report(device: BusDevice, printer: PrinterState = PrinterState.READY) -> None:
    """One health snapshot."""
    health = DeviceHealth(
        version="1.0.0",
        cpu_percent=12.0,
        memory_percent=30.0,
        app_rss_mb=200.0,
        uptime_s=10.0,
        printer=PrinterHealth(state=printer),
    )
    device.publish(TopicKind.DEVICE_HEALTH, encode(health), retain=True)


def post_json(url: str, cookie: str, body: dict[str, Any] | None = None) -> Any:
    request = urllib.request.Request(
        url,
        data=json.dumps(body or {}).encode(),
        headers={"Cookie": cookie, "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def alert_on_bus(alert_id: str, state: str) -> Any:
    """An Inbox match for one Alert message on ``{root}/alert``."""
    return lambda topic, body: (
        topic == ALERT_TOPIC and isinstance(body, dict) and body.get("id") == alert_id and body.get("state") == state
    )
