"""Slips on the wire: bytes and time to print at 9600 baud through the emulator, against the floor.

For each slip, in one run: the bytes of the slip as the kiosk sends it (native QR, ``GS ( k``) and of the
same slip with its QR sent as a raster image (``GS v 0``); the time from the first byte written to the
printer's "ready" after it, beside the physical floor (bytes × 10 / baud: a start bit, 8 data bits and a
stop bit a byte); and the time from a tap (``PrinterService.submit``) to the first byte arriving at the
printer. The emulator paces bytes at the baud rate on a real pseudo-terminal.

    python -m bench.printer [--baud 9600] [--paper 80] [--taps 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.report import table, yes
from hardware.printer.commands import Receipt
from hardware.printer.driver import PrinterDriver
from hardware.printer.port import SerialPort
from hardware.printer.profile import PrinterProfile
from hardware.printer.settings import PrinterSection
from kiosk.printing.queue import JobQueue
from kiosk.printing.service import PrinterService
from kiosk.printing.setup import slip_texts
from kiosk.printing.slips import AgentSlip, FlightSlip, QueueTicket, Slip, SlipPrinter, TestPage, WifiVoucher

ROOT = Path(__file__).resolve().parents[1]
SLIPS: dict[str, Slip] = {
    "Wi-Fi voucher": WifiVoucher(ssid="Airport-Free-WiFi", code="K7PX2QMA9R"),
    "flight slip": FlightSlip(
        flight="HU7181",
        destination_zh="北京首都",
        destination_en="Beijing Capital",
        gate="12",
        boarding_time="14:35",
        url="https://www.example-airport.cn/flight/HU7181",
    ),
    "agent slip": AgentSlip(
        text="请到3号服务台领取您的行李。Please collect your bag at service desk 3, next to exit B.",
        qr="https://www.example-airport.cn/bag/4711",
    ),
    "queue ticket": QueueTicket(number="A042", service_zh="行李查询", service_en="Baggage enquiries"),
    "test page": TestPage(firmware="EMU 1.0 (ESC/POS, GB18030)"),
}


class Emulator:
    def __init__(self, folder: Path, baud: int, paper_mm: int) -> None:
        self.link = folder / "printer"
        self.control = folder / "control.sock"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "hardware.printer.emulator", "--out", str(folder / "receipts"),
             "--baud", str(baud), "--paper", str(paper_mm), "--link", str(self.link), "--control", str(self.control)],
            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )  # fmt: skip
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if "printer emulator: control" in line:
                break
        else:
            raise RuntimeError("the printer emulator did not start")

    def ask(self, request: dict[str, Any]) -> dict[str, Any]:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.connect(str(self.control))
            client.sendall(json.dumps(request).encode() + b"\n")
            answer = b""
            while not answer.endswith(b"\n"):
                answer += client.recv(65536)
        result: dict[str, Any] = json.loads(answer)
        return result

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


def qr_bytes(profile: PrinterProfile, data: str, raster: bool) -> int:
    """The bytes of one QR code alone (with the alignment before it)."""
    empty, with_qr = Receipt(profile), Receipt(profile)
    with_qr.qr(data, raster=raster)
    return len(bytes(with_qr)) - len(bytes(empty))


async def time_to_print(driver: PrinterDriver, data: bytes, baud: int) -> float:
    started = time.monotonic()
    await driver.send(data)
    state = await driver.status(wait_s=len(data) * 10 / baud + 5)
    if state.value not in ("ready", "paper_low"):
        raise RuntimeError(f"the printer is {state.value} after a slip")
    return time.monotonic() - started


async def tap_to_first_byte(emulator: Emulator, settings: PrinterSection, folder: Path, taps: int) -> list[float]:
    driver = PrinterDriver(SerialPort(settings.port, settings.baud), settings.reply_timeout_s, 1.0)
    slips = SlipPrinter(PrinterProfile.from_settings(settings), slip_texts())
    service = PrinterService(driver, JobQueue(folder / "bench-jobs.sqlite3"), slips, settings, lambda *_: None)
    await service.start()
    delays = []
    try:
        for _ in range(taps):
            while not service.can_print() or service.health().jobs_pending:
                await asyncio.sleep(0.05)
            emulator.ask({"ask": "reset_counters"})
            tapped = time.monotonic()
            job = service.submit(SLIPS["queue ticket"])
            await service.finished(job)
            first = emulator.ask({"ask": "state"})["first_byte_at"]
            delays.append((first - tapped) * 1000)  # CLOCK_MONOTONIC is one clock for every process
    finally:
        await service.stop()
    return delays


async def run(baud: int, paper_mm: int, taps: int) -> str:
    profile = PrinterProfile.for_paper(paper_mm)
    printer = SlipPrinter(profile, slip_texts(), now=lambda: datetime(2026, 11, 23, 14, 50))
    with tempfile.TemporaryDirectory(prefix="bench-printer-") as temporary:
        folder = Path(temporary)
        emulator = Emulator(folder, baud, paper_mm)
        try:
            settings = PrinterSection(enabled=True, port=str(emulator.link), baud=baud, paper_mm=paper_mm)
            driver = PrinterDriver(SerialPort(settings.port, baud), settings.reply_timeout_s, 1.0)
            await driver.status()
            rows = [["slip", "bytes", "time s", "floor s", "over floor", "raster bytes", "raster s", "raster floor s",
                     "QR bytes", "raster QR bytes", "QR ratio"]]  # fmt: skip
            within, ratios = [], []
            for name, slip in SLIPS.items():
                native = printer.render(slip)
                native_s = await time_to_print(driver, native, baud)
                floor_s = len(native) * 10 / baud
                within.append(native_s <= floor_s * 1.10)
                qr = getattr(slip, "qr", "") or getattr(slip, "url", "")
                if isinstance(slip, TestPage):
                    qr = f"TEST {paper_mm}mm 测试"
                if qr:
                    raster = printer.render(slip, raster_qr=True)
                    raster_s = await time_to_print(driver, raster, baud)
                    native_qr, raster_qr = qr_bytes(profile, qr, False), qr_bytes(profile, qr, True)
                    ratios.append(raster_qr / native_qr)
                    raster_cells = [str(len(raster)), f"{raster_s:.2f}", f"{len(raster) * 10 / baud:.2f}",
                                    str(native_qr), str(raster_qr), f"{raster_qr / native_qr:.0f}x"]  # fmt: skip
                else:
                    raster_cells = ["-"] * 6
                over = f"{(native_s / floor_s - 1) * 100:+.1f}%"
                rows.append([name, str(len(native)), f"{native_s:.2f}", f"{floor_s:.2f}", over, *raster_cells])
            await driver.close()
            delays = await tap_to_first_byte(emulator, settings, folder, taps)
        finally:
            emulator.stop()
    tap = statistics.median(delays)
    lines = [
        f"bench.printer: {paper_mm} mm paper, {baud} baud, emulator on a pty paced at the baud rate",
        "",
        table(rows),
        "",
        f"tap to first byte on the wire: median {tap:.1f} ms "
        f"(min {min(delays):.1f}, max {max(delays):.1f}, {taps} taps)",
        "",
        f"goal: every slip within 10% of the floor ............ {yes(all(within))}",
        f"goal: native QR at least 20x fewer bytes than raster  {yes(min(ratios) >= 20)} (least {min(ratios):.0f}x)",
        f"goal: tap to first byte at most 100 ms .............. {yes(max(delays) <= 100)}",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.printer", description=__doc__.splitlines()[0])
    parser.add_argument("--baud", type=int, default=9600)
    parser.add_argument("--paper", type=int, choices=(58, 80), default=80)
    parser.add_argument("--taps", type=int, default=5)
    args = parser.parse_args(argv)
    print(asyncio.run(run(args.baud, args.paper, args.taps)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
