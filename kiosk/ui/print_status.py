"""One line saying what became of something the passenger asked to print, in their language.

The printer's state comes in as its string value (``paper_out``, …): the message models load with the
bus, after the first paint, and this module is on the home screen's path.
"""

from __future__ import annotations

from enum import StrEnum

from PySide6.QtCore import Qt

from device.ui.text import Texts
from kiosk.ui.widgets import WrappedLabel


class PrintStatus(StrEnum):
    PRINTING = "printing"  # queued and the printer can print: take the slip in a moment
    PRINTED = "printed"  # the printer said ready after the slip
    UNAVAILABLE = "unavailable"  # the printer could not print when the passenger asked: nothing queued
    HELD = "held"  # queued, then the printer stopped (paper out, cover open…): it prints after the fix
    FAILED = "failed"  # refused, given up or expired
    NO_CODES = "no_codes"  # the Wi-Fi code pool is used up: a desk must help


# why the printer cannot print, for the states a passenger can make sense of; the rest is "not available"
REASON_KEYS = {"paper_out": "print.paper_out", "cover_open": "print.cover_open"}
PROBLEMS = frozenset({PrintStatus.UNAVAILABLE, PrintStatus.HELD, PrintStatus.FAILED, PrintStatus.NO_CODES})


def print_status_text(texts: Texts, status: PrintStatus, printer_state: str, has_qr: bool) -> str:
    """What to tell the passenger; when printing is not happening, what to do instead (scan the code on
    screen, or read the text there)."""
    instead = texts("print.scan_instead" if has_qr else "print.read_instead")
    if status is PrintStatus.PRINTING:
        return texts("print.printing")
    if status is PrintStatus.PRINTED:
        return texts("print.printed")
    if status is PrintStatus.NO_CODES:
        return texts("print.no_codes")
    reason = "print.failed" if status is PrintStatus.FAILED else REASON_KEYS.get(printer_state, "print.unavailable")
    return texts("print.problem", reason=texts(reason), instead=instead)  # Chinese joins with no space


class PrintStatusLabel(WrappedLabel):
    """The status line of a print: plain while printing, marked as a problem otherwise."""

    def __init__(self, texts: Texts) -> None:
        super().__init__("PrintStatus")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._texts = texts
        self.status: PrintStatus | None = None
        self.printer_state = ""
        self.has_qr = True
        self.setVisible(False)

    def show_status(self, status: PrintStatus, printer_state: str = "", *, has_qr: bool | None = None) -> None:
        self.status = status
        self.printer_state = printer_state
        if has_qr is not None:
            self.has_qr = has_qr
        problem = status in PROBLEMS
        if self.property("problem") != problem:
            self.setProperty("problem", problem)
            self.style().unpolish(self)  # a dynamic property changes the look only when re-polished
            self.style().polish(self)
        self.retranslate()

    def clear_status(self) -> None:
        self.status = None
        self.setText("")
        self.setVisible(False)

    def retranslate(self) -> None:
        if self.status is None:
            return
        self.setText(print_status_text(self._texts, self.status, self.printer_state, self.has_qr))
        self.setVisible(True)
