"""Every slip through a real pseudo-terminal to the emulator, rendered to PNG: Chinese text, QR codes
that decode back to what was sent, nothing wrapped by the printer, at 58 and 80 mm."""

from __future__ import annotations

import asyncio

import cv2
import pytest

from hardware.printer.settings import PrinterSection
from kiosk.printing.queue import JobState
from kiosk.printing.setup import open_printer
from kiosk.printing.slips import AgentSlip, FlightSlip, QueueTicket, WifiVoucher
from tests.peers.printer import printer_emulator


def decode_qr_codes(png) -> list[str]:
    image = cv2.imread(str(png), cv2.IMREAD_GRAYSCALE)
    assert image is not None, png
    found, payloads, _points, _ = cv2.QRCodeDetector().detectAndDecodeMulti(image)
    return sorted(p for p in payloads if p) if found else []


@pytest.mark.parametrize("paper_mm", [58, 80])
async def test_every_slip_prints_on_the_emulator_readable_and_whole(tmp_path, paper_mm):
    slips = [
        WifiVoucher(ssid="Airport-Free-WiFi", code="K7PX2QMA9R"),
        FlightSlip(
            flight="HU7181",
            destination_zh="北京首都",
            destination_en="Beijing Capital",
            gate="12",
            boarding_time="14:35",
            url="https://www.example-airport.cn/flight/HU7181",
        ),
        AgentSlip(
            text="请到3号服务台领取您的行李。Please collect your bag at desk 3.", qr="https://example.org/bag/4711"
        ),
        QueueTicket(number="A042", service_zh="行李查询", service_en="Baggage enquiries"),
    ]
    with printer_emulator(tmp_path / "emulator", paper_mm=paper_mm) as emulator:
        settings = PrinterSection(enabled=True, port=str(emulator.link), baud=115200, paper_mm=paper_mm)
        service = open_printer(settings, tmp_path / "state", lambda *_: None)
        await service.start()
        try:
            jobs = [service.submit(slip) for slip in slips]
            jobs.append(await service.print_test_page())
            finished = [await asyncio.wait_for(service.finished(job), 30) for job in jobs]
        finally:
            await service.stop()
        receipts = emulator.wait_for_receipts(len(jobs))
    assert [job.state for job in finished] == [JobState.DONE] * len(jobs)
    expected_qr = [slips[0].qr, slips[1].url, slips[2].qr, None, f"TEST {paper_mm}mm 测试"]
    for receipt, qr in zip(receipts, expected_qr, strict=True):
        assert receipt["complete"] and receipt["cut"]
        assert receipt["wrapped_lines"] == 0
        assert receipt["unknown_commands"] == []
        assert receipt["images"] == 0
        assert receipt["qr"] == ([qr] if qr else [])
        png = emulator.out / f"receipt-{receipt['index']:04d}.png"
        assert decode_qr_codes(png) == ([qr] if qr else [])
    assert "海口美兰国际机场" in receipts[0]["text"]
    assert "目的地：北京首都" in receipts[1]["text"]
    assert "A042" in receipts[3]["text"]
    assert any("EMU 1.0" in line for line in receipts[4]["text"])  # the firmware's answer
