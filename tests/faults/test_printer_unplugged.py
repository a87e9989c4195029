"""The ticket printer unplugged or switched off in the middle of a slip, and back: the slip prints once, whole.

The printer is the emulator on a real pseudo-terminal (a process of its own), at 9600 baud so that a slip
takes about half a second on the wire and the test can pull the plug while it is on its way. What the
passenger sees is checked on the real kiosk window; what staff see in the printer's health and events.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from bus.messages.device import PrinterState
from device.i18n import Catalogue
from hardware.printer.settings import PrinterSection
from kiosk.printing.queue import JobState
from kiosk.printing.service import PrinterService
from kiosk.printing.setup import open_printer, open_wifi_codes
from kiosk.printing.slips import QueueTicket, agent_slip
from kiosk.session import PassengerSession
from kiosk.settings import KioskSettings
from kiosk.ui.print_actions import PrintActions
from kiosk.ui.print_status import PrintStatus
from kiosk.ui.window import KioskWindow
from tests.peers.printer import PrinterEmulator, printer_emulator
from tests.peers.wait import until

pytestmark = [pytest.mark.slow, pytest.mark.faults]

BAUD = 9600  # the slowest line a kiosk printer runs: a slip is on the wire long enough to be cut off
WAIT_S = 15.0
HEADER = "Haikou Meilan International"  # the first English line of every slip
LAST_LINE = "Printed "  # the last line of every slip starts so
NOTE = (
    "Your bag AB1234 is at the baggage service desk 3, arrivals level, next to exit B. Bring your boarding "
    "pass and ID. 您的行李在到达层3号服务台，B出口旁。请携带登机牌和身份证件。"
)


class Events(list[tuple[str, dict[str, Any]]]):
    def __call__(self, name: str, data: dict[str, Any]) -> None:
        self.append((name, data))

    def named(self, name: str) -> list[dict[str, Any]]:
        return [data for event, data in self if event == name]


def service_on(link: Path, state_dir: Path, events: Events) -> PrinterService:
    section = PrinterSection(
        enabled=True,
        port=str(link),
        baud=BAUD,
        paper_mm=58,
        status_interval_s=0.3,
        reply_timeout_s=0.5,
        reopen_max_s=0.5,
    )
    return open_printer(section, state_dir, events)


def whole_copies(receipts: list[dict[str, Any]], marker: str) -> int:
    """Receipts that carry the slip with ``marker`` from its first line to its last."""
    return sum(
        1
        for receipt in receipts
        if any(marker in line for line in receipt["text"])
        and receipt["text"][0] == "海口美兰国际机场"
        and receipt["text"][-1].startswith(LAST_LINE)
    )


def slips_per_receipt(receipts: list[dict[str, Any]]) -> list[int]:
    """How many slips began on each piece of paper: more than one means a reprint ran on from a torn slip."""
    return [receipt["text"].count(HEADER) for receipt in receipts]


async def pull_the_plug_mid_slip(emulator: PrinterEmulator, unplug: Callable[[], dict[str, Any]]) -> None:
    """Once part of the slip is on the wire (not all of it), ``unplug``; fails if the slip was already out."""
    await until(lambda: emulator.state()["bytes"] >= 150, "the slip on its way to the printer", WAIT_S)
    counters = unplug()
    assert counters["receipts"] == 0, "the slip came out before the plug was pulled: no fault was tested"


async def printer_ready(emulator: PrinterEmulator, service: PrinterService) -> None:
    await until(lambda: service.state is PrinterState.READY, "the printer ready", WAIT_S)
    emulator.ask({"ask": "reset_counters"})


async def test_a_printer_unplugged_mid_slip_holds_it_and_prints_it_once_whole_when_plugged_back(
    tmp_path: Path,
) -> None:
    events = Events()
    with printer_emulator(tmp_path / "printer", baud=BAUD) as emulator:
        service = service_on(emulator.link, tmp_path / "state", events)
        await service.start()
        try:
            await printer_ready(emulator, service)
            job = service.submit(agent_slip(NOTE, "https://hak.example/bag/AB1234"))
            await pull_the_plug_mid_slip(emulator, lambda: emulator.fault("replug", down_s=1.5))

            await until(lambda: service.state is PrinterState.NOT_CONNECTED, "the printer missed", WAIT_S)
            health = service.health()
            assert (health.state, health.jobs_pending, health.jobs_held) == (PrinterState.NOT_CONNECTED, 1, 1)
            await until(lambda: events.named("print.held"), "a held event", WAIT_S)
            assert events.named("print.held")[0] == {"job": job.id, "template": "agent", "printer": "not_connected"}

            finished = await asyncio.wait_for(service.finished(job), WAIT_S)
            assert finished.state is JobState.DONE
            assert service.state is PrinterState.READY and service.health().jobs_pending == 0
        finally:
            await service.stop()
        receipts = emulator.wait_for_receipts(2, WAIT_S)
    assert whole_copies(receipts, "AB1234") == 1, [r["text"] for r in receipts]
    # the part printed before the plug was pulled came off on its own piece: the reprint did not run on from it
    assert slips_per_receipt(receipts) == [1, 1], [r["text"] for r in receipts]
    torn, whole = receipts
    assert not torn["text"][-1].startswith(LAST_LINE) and whole["qr"] == ["https://hak.example/bag/AB1234"]
    assert [e["job"] for e in events.named("print.done")] == [job.id]
    assert events.named("print.failed") == []


async def test_a_printer_switched_off_mid_slip_prints_the_slip_once_when_it_is_back(tmp_path: Path) -> None:
    events = Events()
    link = tmp_path / "printer-port"
    with printer_emulator(tmp_path / "before", baud=BAUD, link=link) as before:
        service = service_on(link, tmp_path / "state", events)
        await service.start()
        try:
            await printer_ready(before, service)
            job = service.submit(QueueTicket(number="B017", service_zh="行李查询", service_en="Baggage"))

            def switch_off() -> dict[str, Any]:
                counters = before.state()
                os.kill(before.program.process.pid, signal.SIGKILL)  # power gone: nothing of it survives
                before.program.process.wait(WAIT_S)
                return counters

            await pull_the_plug_mid_slip(before, switch_off)
            await until(lambda: service.state is PrinterState.NOT_CONNECTED, "the printer missed", WAIT_S)
            assert service.health().jobs_held == 1

            with printer_emulator(tmp_path / "after", baud=BAUD, link=link) as after:  # switched on again
                finished = await asyncio.wait_for(service.finished(job), WAIT_S)
                assert finished.state is JobState.DONE
                receipts = after.wait_for_receipts(2, WAIT_S)  # the piece cut first, and the slip
                await until(lambda: service.state is PrinterState.READY, "the printer ready again", WAIT_S)
        finally:
            await service.stop()
    assert before.receipts() == [], "switched off before the cut: nothing came out whole"
    assert whole_copies(receipts, "B017") == 1, [r["text"] for r in receipts]
    # first the cut that takes off what was printed before the power went (the new emulator never saw it)
    assert slips_per_receipt(receipts) == [0, 1], [r["text"] for r in receipts]
    assert len(events.named("print.done")) == 1


@pytest.mark.parametrize("lines", [19, 21], ids=["in-the-feed", "at-the-cut"])
async def test_paper_running_out_after_a_slips_last_line_does_not_print_it_again(tmp_path: Path, lines: int) -> None:
    """A ticket is 21 lines on the emulator's roll, the last four the feed before the cut. Paper that ends
    there leaves the whole ticket on paper: it is done, and only the next one waits for the refill."""
    events = Events()
    with printer_emulator(tmp_path / "printer", baud=38400) as emulator:
        emulator.fault("paper_out_after", lines=lines)
        service = service_on(emulator.link, tmp_path / "state", events)
        await service.start()
        try:
            first = service.submit(QueueTicket(number="C001", service_zh="行李查询", service_en="Baggage"))
            second = service.submit(QueueTicket(number="C002", service_zh="行李查询", service_en="Baggage"))
            assert (await asyncio.wait_for(service.finished(first), WAIT_S)).state is JobState.DONE
            await until(lambda: events.named("print.held"), "the second ticket held", WAIT_S)
            assert service.state is PrinterState.PAPER_OUT
            emulator.fault("refill")
            assert (await asyncio.wait_for(service.finished(second), WAIT_S)).state is JobState.DONE
        finally:
            await service.stop()
        receipts = emulator.wait_for_receipts(2, WAIT_S)
    texts = [line for receipt in receipts for line in receipt["text"]]
    assert texts.count("C001") == 1 and texts.count("C002") == 1, [r["text"] for r in receipts]
    assert not receipts[0]["complete"] and receipts[0]["text"][-1].startswith(LAST_LINE), "whole, but not cut"
    assert [e["job"] for e in events.named("print.held")] == [second.id]


def kiosk_window(qtbot: Any, state_dir: Path) -> KioskWindow:
    settings = KioskSettings.model_validate(
        {"app": {"state_dir": str(state_dir)}, "ui": {"fullscreen": False, "width": 1080, "height": 1920}}
    )
    window = KioskWindow(settings, Catalogue.from_package("kiosk"), PassengerSession("en"))
    qtbot.addWidget(window)
    window.resize(1080, 1920)
    window.show()
    qtbot.waitExposed(window)
    return window


class Printing:
    def __init__(self, service: PrinterService, wifi_codes: Any) -> None:
        self.service, self.wifi_codes = service, wifi_codes


def test_the_passenger_is_told_the_printer_is_unavailable_and_then_that_the_voucher_printed(
    qtbot: Any, qt_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    window = kiosk_window(qtbot, tmp_path / "kiosk")
    shown: list[str] = []
    with printer_emulator(tmp_path / "printer", baud=BAUD) as emulator:
        section = PrinterSection(
            enabled=True, port=str(emulator.link), baud=BAUD, paper_mm=58, status_interval_s=0.3, reopen_max_s=0.5
        )
        service = open_printer(section, tmp_path / "state", lambda *_: None)
        codes = open_wifi_codes(section, tmp_path / "state")
        actions = PrintActions(window, Printing(service, codes), "Airport-Free-WiFi")

        async def scenario() -> None:
            await service.start()
            try:
                await until(lambda: window.home.printer_available, "the printer ready", WAIT_S)
                emulator.ask({"ask": "reset_counters"})
                qtbot.mouseClick(window.home.wifi_tile, Qt.MouseButton.LeftButton)
                status = window.wifi.status
                assert status.status is PrintStatus.PRINTING
                await pull_the_plug_mid_slip(emulator, lambda: emulator.fault("replug", down_s=1.0))
                await until(lambda: status.status is PrintStatus.HELD, lambda: f"held, not {status.text()}", WAIT_S)
                shown.append(status.text())
                assert window.wifi.qr.isVisible(), "the code stays on screen to scan"
                grab = tmp_path / "wifi-printer-unplugged.png"
                window.grab().save(str(grab))
                if folder := os.environ.get("PRINTER_UNPLUGGED_PNG_DIR"):  # to look at the screen by eye
                    window.grab().save(str(Path(folder) / grab.name))
                await until(lambda: status.status is PrintStatus.PRINTED, lambda: f"printed, not {status.text()}", 20)
                shown.append(status.text())
            finally:
                await service.stop()

        try:
            qt_loop.run_until_complete(scenario())
        finally:
            actions.close()
            codes.close()
        receipts = emulator.wait_for_receipts(2, WAIT_S)
    assert shown == [
        "The printer is not available right now. Scan the code on screen instead.",
        "Printed. Please take your slip from the printer.",
    ]
    password = window.wifi.code_line.text().removeprefix("Password: ")
    assert whole_copies(receipts, password) == 1, [r["text"] for r in receipts]
    assert [r["qr"] for r in receipts if r["qr"]] == [[window.wifi.qr_text]], "one QR: the voucher printed once"
