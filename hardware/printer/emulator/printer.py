"""The emulated printer's mechanism: executes parsed commands onto receipts and knows its condition.

Like a real printer it wraps a line that is too long, stops printing when the paper runs out or the
cover opens (what comes meanwhile is lost, and the receipt in progress is torn off incomplete), and
answers ``DLE EOT`` from its condition.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from hardware.printer.commands import char_width
from hardware.printer.emulator.parser import Command
from hardware.printer.emulator.receipt import Barcode, Feed, QrCode, Raster, Receipt, Run, TextLine
from hardware.printer.profile import FONT_A_DOT_WIDTH, PRINTABLE_DOTS
from hardware.printer.status import status_reply

log = logging.getLogger(__name__)

PRINTER_ID = {65: b"EMU 1.0 (ESC/POS, GB18030)", 66: b"Airport terminal emulator", 67: b"TP-EMU"}
LINE_DOTS = 30  # 24-dot font plus the default 6-dot spacing
_PRINTING = {"text", "line_feed", "feed", "feed_dots", "qr_print", "raster", "barcode", "cut"}


@dataclass
class Condition:
    """What a fault can change; the control interface sets these."""

    paper_near_end: bool = False
    paper_out: bool = False
    cover_open: bool = False
    paper_lines_left: int | None = None
    silent: bool = False
    garbage: bool = False


class Mechanism:
    """Executes commands; ``on_receipt`` is called with each finished (cut or torn-off) receipt."""

    def __init__(self, paper_mm: int, on_receipt: Callable[[Receipt], None]) -> None:
        self.paper_mm = paper_mm
        self.dots = PRINTABLE_DOTS[paper_mm]
        self.condition = Condition()
        self.chinese_mode = False
        self._on_receipt = on_receipt
        self._receipt = Receipt(paper_mm)
        self._reset_style()
        self._line: list[Run] = []
        self._line_align = "left"
        self._qr_data = ""

    @property
    def can_print(self) -> bool:
        return not (self.condition.paper_out or self.condition.cover_open)

    def status_reply(self, n: int) -> bytes:
        """The byte for ``DLE EOT n`` (empty when silent, nonsense when told to send garbage)."""
        if self.condition.silent:
            return b""
        if self.condition.garbage:
            return b"\xff"
        reply = status_reply(
            cover_open=self.condition.cover_open,
            paper_near_end=self.condition.paper_near_end,
            paper_out=self.condition.paper_out,
        )
        return reply[n - 1 : n] if 1 <= n <= 4 else b""

    def run(self, command: Command) -> bytes:
        """Execute one command; returns the bytes to send back (status replies)."""
        if command.name == "status":
            return self.status_reply(int(command.args["n"]))
        if command.name == "printer_id":
            if self.condition.silent:
                return b""
            return b"_" + PRINTER_ID.get(int(command.args["n"]), b"") + b"\x00"
        if command.name in ("chinese_on", "chinese_off"):
            self.chinese_mode = command.name == "chinese_on"
            return b""
        if command.name == "init":
            self._reset_style()
            self.chinese_mode = False
            return b""
        if command.name == "unknown":
            log.warning("unknown command: %s", command.raw.hex(" "))
            self._receipt.unknown.append(command.raw.hex(" "))
            return b""
        if command.name in _PRINTING and not self.can_print:
            return b""  # printing stopped: what comes now is lost, as on a real printer
        handler = getattr(self, f"_do_{command.name}", None)
        if handler is not None:
            handler(command)
        return b""

    def refill(self) -> None:
        self.condition.paper_out = False
        self.condition.paper_near_end = False
        self.condition.paper_lines_left = None

    def tear_off(self) -> None:
        """The paper ran out or the cover opened: what was printed is all this receipt gets."""
        self._finish_line(force=False)
        if not self._receipt.is_empty:
            self._receipt.complete = False
            self._deliver()

    # style --------------------------------------------------------------------------------------------

    def _reset_style(self) -> None:
        self.bold = False
        self.width = 1
        self.height = 1
        self.underline = False
        self.align = "left"
        self.qr_size = 3
        self.qr_error_correction = 0

    def _do_bold(self, command: Command) -> None:
        self.bold = bool(int(command.args["n"]) & 1)

    def _do_double_strike(self, command: Command) -> None:
        self._do_bold(command)

    def _do_underline(self, command: Command) -> None:
        self.underline = int(command.args["n"]) in (1, 2, 49, 50)

    def _do_align(self, command: Command) -> None:
        self.align = {0: "left", 48: "left", 1: "center", 49: "center", 2: "right", 50: "right"}.get(
            int(command.args["n"]),
            "left",
        )

    def _do_print_mode(self, command: Command) -> None:
        n = int(command.args["n"])
        self.bold = bool(n & 0x08)
        self.height = 2 if n & 0x10 else 1
        self.width = 2 if n & 0x20 else 1
        self.underline = bool(n & 0x80)

    def _do_size(self, command: Command) -> None:
        n = int(command.args["n"])
        self.width = min(8, (n >> 4) + 1)
        self.height = min(8, (n & 0x0F) + 1)

    def _do_qr_size(self, command: Command) -> None:
        self.qr_size = max(1, min(16, int(command.args["n"])))

    def _do_qr_error_correction(self, command: Command) -> None:
        self.qr_error_correction = int(command.args["n"])

    # printing -----------------------------------------------------------------------------------------

    def _do_text(self, command: Command) -> None:
        if not self._line:
            self._line_align = self.align
        for char in str(command.args["text"]):
            used = sum(char_width(c) * FONT_A_DOT_WIDTH * run.width for run in self._line for c in run.text)
            if used + char_width(char) * FONT_A_DOT_WIDTH * self.width > self.dots:
                self._receipt.wrapped_lines += 1  # the printer wraps; a template should have
                self._finish_line(force=True)
                self._line_align = self.align
            last = self._line[-1] if self._line else None
            if last and (last.bold, last.width, last.height, last.underline) == self._style():
                last.text += char
            else:
                self._line.append(Run(char, self.bold, self.width, self.height, self.underline))

    def _style(self) -> tuple[bool, int, int, bool]:
        return (self.bold, self.width, self.height, self.underline)

    def _do_line_feed(self, _command: Command) -> None:
        self._finish_line(force=True)

    def _do_feed(self, command: Command) -> None:
        self._finish_line(force=False)
        for _ in range(int(command.args["n"])):
            self._add(Feed(LINE_DOTS))

    def _do_feed_dots(self, command: Command) -> None:
        self._finish_line(force=False)
        self._add(Feed(int(command.args["n"])))

    def _do_qr_store(self, command: Command) -> None:
        data = command.args["data"]
        assert isinstance(data, bytes)
        self._qr_data = data.decode("utf-8", errors="replace")

    def _do_qr_print(self, _command: Command) -> None:
        self._finish_line(force=False)
        self._add(QrCode(self._qr_data, self.qr_size, self.qr_error_correction, self.align))

    def _do_raster(self, command: Command) -> None:
        self._finish_line(force=False)
        bits = command.args["data"]
        assert isinstance(bits, bytes)
        width_bytes = int(command.args["width_bytes"])
        height = int(command.args["height"])
        self._add(Raster(width_bytes * 8, height, bits, self.align))

    def _do_barcode(self, command: Command) -> None:
        self._finish_line(force=False)
        data = command.args["data"]
        assert isinstance(data, bytes)
        self._add(Barcode(int(command.args["system"]), data.decode("ascii", errors="replace"), self.align))

    def _do_cut(self, _command: Command) -> None:
        self._finish_line(force=False)
        self._receipt.cut = True
        self._deliver()

    def _finish_line(self, force: bool) -> None:
        if self._line or force:
            line, self._line = self._line, []
            self._add(TextLine(line, self._line_align))

    def _add(self, element: TextLine | QrCode | Raster | Barcode | Feed) -> None:
        self._receipt.elements.append(element)
        lines_left = self.condition.paper_lines_left
        if lines_left is None or isinstance(element, QrCode | Raster | Barcode):
            return
        self.condition.paper_lines_left = lines_left - 1
        if self.condition.paper_lines_left <= 0:
            log.warning("paper out")
            self.condition.paper_lines_left = None
            self.condition.paper_out = True
            self.tear_off()

    def _deliver(self) -> None:
        receipt, self._receipt = self._receipt, Receipt(self.paper_mm)
        self._on_receipt(receipt)
