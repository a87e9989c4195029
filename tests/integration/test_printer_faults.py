"""The queue against a misbehaving printer: paper out, cover open, unplugged, garbage, silence, restart."""

from __future__ import annotations

import asyncio
import time

import pytest

from bus.messages.device import PrinterState
from hardware.printer.driver import PrinterDriver
from hardware.printer.port import SerialPort
from hardware.printer.profile import PrinterProfile
from hardware.printer.settings import PrinterSection
from kiosk.printing.queue import JobQueue, JobState
from kiosk.printing.service import PrinterService
from kiosk.printing.setup import open_printer, slip_texts
from kiosk.printing.slips import QueueTicket, SlipPrinter
from tests.peers.printer import printer_emulator
from tests.peers.wait import until

# a real pty printer through faults that take their time (paper out, unplug, silence): the full run only
pytestmark = pytest.mark.slow


def ticket(n: int) -> QueueTicket:
    return QueueTicket(number=f"A{n:03d}", service_zh="行李查询", service_en="Baggage")


def printed_numbers(receipts) -> list[str]:
    """The ticket numbers on the complete receipts, in the order they came out."""
    return [line for r in receipts if r["complete"] for line in r["text"] if line.startswith("A0")]


class Events(list):
    def __call__(self, name, data):
        self.append((name, data))

    def names(self, name):
        return [data for event, data in self if event == name]


def service_for(emulator, state_dir, events, **settings):
    options = {"status_interval_s": 0.3, "reply_timeout_s": 0.5, "reopen_max_s": 0.5, **settings}
    section = PrinterSection(enabled=True, port=str(emulator.link), baud=emulator.baud, paper_mm=58, **options)
    return open_printer(section, state_dir, events)


async def test_paper_out_mid_queue_holds_and_after_refill_every_job_prints_once_in_order(tmp_path):
    events = Events()
    with printer_emulator(tmp_path / "emulator", baud=38400) as emulator:
        # a ticket takes 21 lines (the last 4 the feed before the cut): out in the middle of the third
        emulator.fault("paper_out_after", lines=50)
        service = service_for(emulator, tmp_path / "state", events)
        await service.start()
        try:
            jobs = [service.submit(ticket(n)) for n in range(1, 6)]
            await until(lambda: service.state is PrinterState.PAPER_OUT, "paper out")
            await until(lambda: events.names("print.held"), "a held event")
            assert not service.can_print()
            assert service.health().jobs_held == service.health().jobs_pending >= 3
            emulator.fault("refill")
            finished = [await asyncio.wait_for(service.finished(job), 30) for job in jobs]
        finally:
            await service.stop()
        receipts = emulator.wait_for_receipts(6)
    assert [job.state for job in finished] == [JobState.DONE] * 5
    assert printed_numbers(receipts) == ["A001", "A002", "A003", "A004", "A005"]
    assert [r["complete"] for r in receipts].count(False) == 1  # the slip torn off when the paper ran out
    assert events.names("print.held")[0]["printer"] == "paper_out"
    assert [e["job"] for e in events.names("print.done")] == [job.id for job in jobs]


async def test_jobs_pending_at_a_restart_print_once_in_order_after_it(tmp_path):
    events = Events()
    with printer_emulator(tmp_path / "emulator") as emulator:
        emulator.fault("cover_open")
        first = service_for(emulator, tmp_path / "state", events)
        await first.start()
        jobs = [first.submit(ticket(n)) for n in range(1, 4)]
        await until(lambda: first.state is PrinterState.COVER_OPEN, "cover open")
        await first.stop()
        assert emulator.receipts() == []

        second = service_for(emulator, tmp_path / "state", events)
        assert second.health().jobs_pending == 3
        emulator.fault("cover_open", on=False)
        await second.start()
        try:
            finished = [await asyncio.wait_for(second.finished(job), 30) for job in jobs]
        finally:
            await second.stop()
        receipts = emulator.wait_for_receipts(3)
    assert [job.state for job in finished] == [JobState.DONE] * 3
    assert printed_numbers(receipts) == ["A001", "A002", "A003"]


async def test_an_unplugged_port_is_reopened_when_it_comes_back(tmp_path):
    events = Events()
    with printer_emulator(tmp_path / "emulator") as emulator:
        service = service_for(emulator, tmp_path / "state", events)
        await service.start()
        try:
            first = service.submit(ticket(1))
            await asyncio.wait_for(service.finished(first), 30)
            emulator.fault("replug", down_s=1.5)
            await until(lambda: service.state is PrinterState.NOT_CONNECTED, "the port to be missed")
            second = service.submit(ticket(2))
            assert (await asyncio.wait_for(service.finished(second), 30)).state is JobState.DONE
            assert service.state is PrinterState.READY
        finally:
            await service.stop()
        receipts = emulator.wait_for_receipts(2)
    assert printed_numbers(receipts) == ["A001", "A002"]


@pytest.mark.parametrize(("fault", "state"), [("garbage", PrinterState.ERROR), ("silent", PrinterState.OFFLINE)])
async def test_a_printer_that_answers_nonsense_or_nothing_holds_the_job_and_never_calls_it_printed(
    tmp_path, fault, state, caplog
):
    events = Events()
    with printer_emulator(tmp_path / "emulator") as emulator:
        emulator.fault(fault)
        service = service_for(emulator, tmp_path / "state", events)
        await service.start()
        try:
            job = service.submit(ticket(7))
            await until(lambda: service.state is state, f"the printer {state.value}")
            await until(lambda: events.names("print.held"), "a held event")
            assert events.names("print.done") == []
            assert not service.can_print()
            emulator.fault(fault, on=False)
            assert (await asyncio.wait_for(service.finished(job), 30)).state is JobState.DONE
        finally:
            await service.stop()
    assert events.names("print.held")[0]["printer"] == state.value
    if fault == "garbage":
        assert "printer status makes no sense" in caplog.text


async def test_a_job_not_printed_in_time_expires_with_an_event(tmp_path):
    events = Events()
    now = [time.time()]
    with printer_emulator(tmp_path / "emulator") as emulator:
        emulator.fault("paper_out")
        section = PrinterSection(enabled=True, port=str(emulator.link), baud=emulator.baud, status_interval_s=0.3)
        driver = PrinterDriver(SerialPort(section.port, section.baud), 0.5, 0.5)
        queue = JobQueue(tmp_path / "jobs.sqlite3", clock=lambda: now[0])
        slips = SlipPrinter(PrinterProfile.for_paper(80), slip_texts())
        service = PrinterService(driver, queue, slips, section, events)
        await service.start()
        try:
            job = service.submit(ticket(9))
            await until(lambda: events.names("print.held"), "a held event")
            now[0] += section.job_expiry_s + 1
            finished = await asyncio.wait_for(service.finished(job), 10)
        finally:
            await service.stop()
    assert finished.state is JobState.EXPIRED
    assert events.names("print.expired") == [
        {"job": job.id, "template": "queue_ticket", "detail": "not printed in time"}
    ]
    assert emulator.receipts() == []
