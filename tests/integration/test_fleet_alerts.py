"""Fleet alerts against a real Mosquitto and the real ``central``: a device that goes silent is reported
offline on ``{root}/alert`` once, and cleared once when it reports again; a person acknowledges it through
the API and their name is kept."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from bus.messages.device import PrinterState
from tests.peers.alert_central import ALERT_TOPIC, alert_on_bus, announce, central_with_alerts, post_json, report
from tests.peers.bus_device import BusDevice, bus_observer
from tests.peers.staff import fetch_json, staff_cookie

pytestmark = pytest.mark.slow

DEVICE = "kiosk-t1-05"
OFFLINE = f"device_offline:{DEVICE}"


async def keep_reporting(device: BusDevice, stop: asyncio.Event, printer: PrinterState = PrinterState.READY) -> None:
    """Health every 0.3 s, as a device does every [health] interval_s, until told to stop."""
    while not stop.is_set():
        report(device, printer)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.3)


async def test_a_silent_device_is_reported_offline_once_and_cleared_once_and_a_person_acknowledges_it(
    mosquitto, tmp_path
):
    with central_with_alerts(mosquitto, tmp_path / "central") as (_central, base_url):
        cookie = await asyncio.to_thread(staff_cookie, base_url)
        async with bus_observer(mosquitto.url) as observer, BusDevice(mosquitto.url, DEVICE) as device:
            announce(device)
            stop = asyncio.Event()
            reporting = asyncio.create_task(keep_reporting(device, stop))
            stop.set()  # the device goes silent
            await reporting
            raised = await observer.wait_for(alert_on_bus(OFFLINE, "raised"), 15)
            assert raised["kind"] == "device_offline" and raised["severity"] == "critical"
            assert raised["device"] == DEVICE and "T1 Hall B, gate 12" in raised["message"]

            acked = await asyncio.to_thread(post_json, f"{base_url}/api/alerts/{OFFLINE}/ack", cookie)
            assert acked["acked_by"] == "ops" and acked["state"] == "raised"

            stop = asyncio.Event()
            reporting = asyncio.create_task(keep_reporting(device, stop))  # it comes back
            await observer.wait_for(alert_on_bus(OFFLINE, "cleared"), 15)
            # a later alert of the same device proves central kept looking after the clear: still one of each
            stop.set()
            await reporting
            stop = asyncio.Event()
            reporting = asyncio.create_task(keep_reporting(device, stop, PrinterState.PAPER_OUT))
            await observer.wait_for(alert_on_bus(f"paper_out:{DEVICE}", "raised"), 15)
            stop.set()
            await reporting

            about_offline = [
                body["state"] for topic, body in observer.messages if topic == ALERT_TOPIC and body["id"] == OFFLINE
            ]
            assert about_offline == ["raised", "cleared"]
            listing = await asyncio.to_thread(fetch_json, f"{base_url}/api/alerts", cookie)
            cleared = {alert["id"]: alert for alert in listing["cleared"]}
            assert cleared[OFFLINE]["acked_by"] == "ops"
            assert [alert["id"] for alert in listing["active"]] == [f"paper_out:{DEVICE}"]
