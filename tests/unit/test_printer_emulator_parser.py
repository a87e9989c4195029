"""The emulator's ESC/POS parser: whole commands only, whatever the serial line cuts them into."""

from __future__ import annotations

import logging

from hardware.printer.commands import Receipt
from hardware.printer.emulator.parser import parse
from hardware.printer.emulator.printer import Mechanism
from hardware.printer.profile import PrinterProfile


def run(data: bytes, chunk: int, paper_mm: int = 80):
    receipts = []
    mechanism = Mechanism(paper_mm, receipts.append)
    buffer = b""
    replies = b""
    for at in range(0, len(data), chunk):
        commands, buffer = parse(buffer + data[at : at + chunk], mechanism.chinese_mode)
        for command in commands:
            replies += mechanism.run(command)
    return receipts, replies


def sample() -> bytes:
    receipt = Receipt(PrinterProfile.for_paper(80))
    receipt.line("海口美兰 Haikou", bold=True, size=2, align="center")
    receipt.qr("https://example.org/x")
    receipt.qr("raster", raster=True)
    receipt.cut()
    barcode = b"\x1dkE\x06HU7181"  # CODE39 with a length byte
    return bytes(receipt)[:-6] + barcode + bytes(receipt)[-6:] + b"\x10\x04\x04"


def test_the_same_receipt_whatever_the_chunk_size():
    whole, replies = run(sample(), chunk=100_000)
    for chunk in (1, 2, 3, 7, 64):
        receipts, chunk_replies = run(sample(), chunk)
        assert [r.text_lines for r in receipts] == [r.text_lines for r in whole]
        assert chunk_replies == replies == b"\x12"
    [receipt] = whole
    assert receipt.text_lines[0] == "海口美兰 Haikou"
    assert receipt.qr_payloads == ["https://example.org/x"]
    assert receipt.cut and receipt.complete


def test_unknown_commands_are_logged_with_their_bytes(caplog):
    caplog.set_level(logging.WARNING)
    receipts, _ = run(b"\x1b@\x1b\x7aHello\n\x1dV\x00", chunk=4)
    assert "unknown command: 1b 7a" in caplog.text
    assert receipts[0].unknown == ["1b 7a"]
    assert receipts[0].text_lines == ["Hello"]


def test_paper_out_after_n_lines_tears_the_receipt_off_and_stops_printing():
    receipts = []
    mechanism = Mechanism(58, receipts.append)
    mechanism.condition.paper_lines_left = 2
    commands, _ = parse(b"\x1b@one\ntwo\nthree\n\x1dV\x00\x10\x04\x04", False)
    replies = b"".join(mechanism.run(command) for command in commands)
    assert replies == b"\x72"
    assert [r.text_lines for r in receipts] == [["one", "two"]]
    assert not receipts[0].complete
