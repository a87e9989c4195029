"""``print_test`` on the device's cmd topic, over a real broker, and the printer's state in health."""

from __future__ import annotations

import asyncio

import pytest

from bus.codec import encode
from bus.link import Publication
from bus.messages.device import Command, DeviceKind, PrinterState
from config.sections import AppSection, BusSection, DeviceBusSection
from device.commands import CommandRefused
from device.presence import connect_device
from hardware.printer.settings import PrinterSection
from kiosk.printing.commands import print_test_command
from kiosk.printing.setup import KioskPrinting, open_printer
from kiosk.settings import KioskSettings
from tests.peers.inbox import Inbox
from tests.peers.printer import printer_emulator
from tests.peers.wait import until

DEVICE = "kiosk-t1-01"
ROOT = f"airport/HAK/device/{DEVICE}"


def reply_to(command_id: str):
    return lambda topic, body: topic == f"{ROOT}/cmd/reply" and body["id"] == command_id


async def test_print_test_prints_the_test_page_and_replies_and_health_shows_the_printer(mosquitto, tmp_path):
    with printer_emulator(tmp_path / "emulator") as emulator:
        settings = KioskSettings(
            app=AppSection(state_dir=tmp_path / "state"),
            bus=DeviceBusSection(url=mosquitto.url, device_id=DEVICE),
            printer=PrinterSection(enabled=True, port=str(emulator.link), baud=emulator.baud, paper_mm=58),
        )
        async with Inbox(BusSection(url=mosquitto.url), f"{ROOT}/#") as inbox:
            link, presence = connect_device(settings.bus, settings.app, DeviceKind.KIOSK, "9.9", 30)
            printing = KioskPrinting(settings, link, presence)
            await link.start()
            await presence.start()
            await printing.start()
            try:
                await inbox.wait_for(lambda topic, body: topic.endswith("/status") and body["online"])
                command = Command(id="cmd-0042", name="print_test")
                inbox.link.publish(Publication(f"{ROOT}/cmd", encode(command), qos=1))
                reply = await inbox.wait_for(reply_to("cmd-0042"), timeout_s=30)
                unknown = Command(id="cmd-0043", name="reload_flights")
                inbox.link.publish(Publication(f"{ROOT}/cmd", encode(unknown), qos=1))
                refused = await inbox.wait_for(reply_to("cmd-0043"))
                health = await inbox.wait_for(
                    lambda topic, body: topic.endswith("/health") and (body["printer"] or {}).get("state") == "ready"
                )
                event = await inbox.wait_for(lambda topic, body: topic.endswith("/event"))
            finally:
                await printing.stop()
                await presence.stop()
        [receipt] = emulator.wait_for_receipts(1)
    assert reply["ok"] is True
    assert reply["detail"].startswith("test page printed")
    assert "打印机测试页" in receipt["text"]
    assert refused["ok"] is False
    assert "unknown command 'reload_flights'" in refused["detail"]
    assert health["printer"] == {"state": "ready", "jobs_pending": 0, "jobs_held": 0}
    assert event["name"] == "print.done"
    assert event["data"]["template"] == "test_page"


async def test_print_test_without_a_printer_says_so(mosquitto, tmp_path):
    settings = KioskSettings(
        app=AppSection(state_dir=tmp_path / "state"), bus=DeviceBusSection(url=mosquitto.url, device_id=DEVICE)
    )
    async with Inbox(BusSection(url=mosquitto.url), f"{ROOT}/#") as inbox:
        link, presence = connect_device(settings.bus, settings.app, DeviceKind.KIOSK, "9.9", 30)
        printing = KioskPrinting(settings, link, presence)
        await link.start()
        await presence.start()
        await printing.start()
        try:
            await inbox.wait_for(lambda topic, body: topic.endswith("/status") and body["online"])
            inbox.link.publish(Publication(f"{ROOT}/cmd", encode(Command(id="c1", name="print_test")), qos=1))
            reply = await inbox.wait_for(reply_to("c1"))
            health = await inbox.wait_for(lambda topic, body: topic.endswith("/health") and body["printer"])
        finally:
            await printing.stop()
            await presence.stop()
    assert reply == {"v": 1, "id": "c1", "ok": False, "detail": "test page not queued: this kiosk has no printer"}
    assert health["printer"]["state"] == "absent"


async def test_print_test_on_a_stopped_printer_says_why_at_once_and_the_page_prints_after_recovery(tmp_path):
    with printer_emulator(tmp_path / "emulator") as emulator:
        emulator.fault("cover_open")
        section = PrinterSection(enabled=True, port=str(emulator.link), baud=emulator.baud, status_interval_s=0.3)
        service = open_printer(section, tmp_path / "state", lambda *_: None)
        await service.start()
        try:
            await until(lambda: service.state is PrinterState.COVER_OPEN, "cover open")
            with pytest.raises(CommandRefused, match="it waits: printer cover_open"):
                await asyncio.wait_for(print_test_command(service, wait_s=30)({}), 5)
            assert service.health().jobs_held == 1
            emulator.fault("cover_open", on=False)
            await until(emulator.receipts, "the test page after the cover closed", timeout_s=30)
            [receipt] = emulator.receipts()
        finally:
            await service.stop()
    assert "打印机测试页" in receipt["text"]
