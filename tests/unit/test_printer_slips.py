"""Every slip's exact bytes on the wire, and that each fits 58 and 80 mm without the printer wrapping it.

The ``.bin`` files beside this test are the reviewed bytes; after a deliberate change of a template,
regenerate them with ``UPDATE_SLIP_BYTES=1`` and look at the receipts again.
"""

from __future__ import annotations

import asyncio
import os
from datetime import datetime
from pathlib import Path

import pytest

from demo.sample_slips import SAMPLE_SLIPS
from device.i18n import Catalogue
from hardware.printer.commands import FEED_AND_CUT, split_tail
from hardware.printer.driver import PrinterDriver
from hardware.printer.emulator.parser import parse
from hardware.printer.emulator.printer import Mechanism
from hardware.printer.profile import PrinterProfile
from hardware.printer.settings import PrinterSection
from hardware.printer.status import STATUS_QUERY
from kiosk.printing.queue import JobQueue, JobState
from kiosk.printing.service import PrinterService, PrintRefused
from kiosk.printing.slips import (
    AgentSlip,
    BadSlip,
    SlipPrinter,
    UnknownTemplate,
    WifiVoucher,
    slip_from_data,
)
from tests.peers.printer import RecordingPort

GOLDEN = Path(__file__).with_name("printer_slips")
PRINTED_AT = datetime(2026, 11, 23, 14, 50)

SLIPS = SAMPLE_SLIPS


def texts() -> Catalogue:
    return Catalogue.from_package("kiosk.printing")


def slip_printer(paper_mm: int) -> SlipPrinter:
    return SlipPrinter(PrinterProfile.for_paper(paper_mm), texts(), now=lambda: PRINTED_AT)


@pytest.mark.parametrize("paper_mm", [58, 80])
@pytest.mark.parametrize("template", SLIPS)
def test_each_slip_has_its_reviewed_bytes(template, paper_mm):
    data = slip_printer(paper_mm).render(SLIPS[template])
    golden = GOLDEN / f"{template}-{paper_mm}.bin"
    if os.environ.get("UPDATE_SLIP_BYTES"):
        golden.write_bytes(data)
    assert data == golden.read_bytes()


@pytest.mark.parametrize("paper_mm", [58, 80])
@pytest.mark.parametrize("template", SLIPS)
def test_each_slip_fits_the_paper_starts_clean_and_is_cut(template, paper_mm):
    data = slip_printer(paper_mm).render(SLIPS[template])
    assert data.startswith(b"\x1b@\x1c&")  # initialise, then Chinese mode
    assert data.endswith(b"\x1bd\x04\x1dV\x00")  # feed past the cutter, then cut
    assert b"\x1dv0" not in data  # QR codes are drawn by the printer, not sent as images
    receipts = []
    mechanism = Mechanism(paper_mm, receipts.append)
    commands, rest = parse(data, chinese_mode=False)
    for command in commands:
        mechanism.run(command)
    assert rest == b""
    [receipt] = receipts
    assert receipt.cut
    assert receipt.wrapped_lines == 0, "the template must wrap its lines itself"
    assert receipt.unknown == []
    assert any("\u4e00" <= char <= "\u9fff" for line in receipt.text_lines for char in line)


def test_the_wifi_voucher_qr_joins_the_network_with_special_characters_escaped():
    voucher = WifiVoucher(ssid='Free;WiFi "T1"', code="a:b,c\\d")
    assert voucher.qr == 'WIFI:T:WPA;S:Free\\;WiFi \\"T1\\";P:a\\:b\\,c\\\\d;;'


async def test_the_service_writes_status_query_then_the_slip_a_status_query_and_the_cut(tmp_path):
    port = RecordingPort()
    driver = PrinterDriver(port, reply_timeout_s=1.0, reopen_max_s=1.0)
    events = []
    settings = PrinterSection(enabled=True, paper_mm=58, status_interval_s=60)
    service = PrinterService(
        driver, JobQueue(tmp_path / "jobs.sqlite3"), slip_printer(58), settings, lambda *e: events.append(e)
    )
    job = service.submit(SLIPS["flight"])
    await service.start()
    try:
        done = await asyncio.wait_for(service.finished(job), 10)
    finally:
        await service.stop()
    assert done.state is JobState.DONE
    body, tail = split_tail(slip_printer(58).render(SLIPS["flight"]))
    # the slip is done once the printer answers after its last line; the feed and cut follow
    assert tail == FEED_AND_CUT
    assert bytes(port.written) == STATUS_QUERY + body + STATUS_QUERY + tail + STATUS_QUERY
    assert events == [("print.done", {"job": job.id, "template": "flight"})]


async def test_an_unknown_template_is_refused_with_an_event(tmp_path):
    events = []
    settings = PrinterSection(enabled=True)
    service = PrinterService(
        PrinterDriver(RecordingPort(), 1.0, 1.0),
        JobQueue(tmp_path / "jobs.sqlite3"),
        slip_printer(80),
        settings,
        lambda *e: events.append(e),
    )
    with pytest.raises(PrintRefused, match="no slip template 'boarding_pass'"):
        service.submit_data({"template": "boarding_pass", "text": "x"})
    assert events[0][0] == "print.refused"
    assert events[0][1]["template"] == "boarding_pass"
    assert service.health().jobs_pending == 0
    await service.stop()


def test_bad_fields_say_which_field():
    with pytest.raises(UnknownTemplate):
        slip_from_data({"text": "no template"})
    with pytest.raises(BadSlip, match="boarding_time"):
        slip_from_data({**SLIPS["flight"].model_dump(), "boarding_time": "25:99"})


def test_an_agent_text_too_long_for_the_slip_is_cut_with_an_ellipsis_and_the_qr_still_prints():
    long_text = "请到服务台。Please go to the desk. " * 200
    data = slip_printer(58).render(AgentSlip(text=long_text[:4000], qr="https://example.org/q"))
    receipts = []
    mechanism = Mechanism(58, receipts.append)
    for command in parse(data, chinese_mode=False)[0]:
        mechanism.run(command)
    [receipt] = receipts
    body = [line for line in receipt.text_lines if "desk" in line or "服务台" in line]
    assert len(body) == 12
    assert body[-1].endswith("...")
    assert receipt.qr_payloads == ["https://example.org/q"]
    assert receipt.wrapped_lines == 0
