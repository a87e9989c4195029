"""Real-time status (``DLE EOT n``, n = 1…4) parsed into one printer state. Pure: bytes in, state out.

Every reply byte of ``DLE EOT`` has bit 1 and bit 4 set and bits 0 and 7 clear (Epson's ESC/POS
reference, followed by the common Chinese clones); a byte without that pattern is not a status reply.
"""

from __future__ import annotations

from dataclasses import dataclass

from bus.messages.device import PrinterState

DLE_EOT = b"\x10\x04"
STATUS_REQUESTS = tuple(range(1, 5))
"""n=1 printer, n=2 offline cause, n=3 error cause, n=4 roll paper sensor."""
STATUS_QUERY = b"".join(DLE_EOT + bytes([n]) for n in STATUS_REQUESTS)
REPLY_LENGTH = len(STATUS_REQUESTS)

_FIXED_MASK = 0x93
_FIXED_BITS = 0x12

# n=1 printer status
OFFLINE_BIT = 0x08
# n=2 offline cause
COVER_OPEN_BIT = 0x04
FEED_BUTTON_BIT = 0x08
PAPER_END_STOP_BIT = 0x20
ERROR_BIT = 0x40
# n=3 error cause
CUTTER_ERROR_BIT = 0x08
UNRECOVERABLE_ERROR_BIT = 0x20
AUTO_RECOVERABLE_ERROR_BIT = 0x40
# n=4 roll paper sensor: each condition sets two bits
PAPER_NEAR_END_BITS = 0x0C
PAPER_END_BITS = 0x60

# what a healthy printer sends for each n, and what the emulator builds its faults from
READY_BYTE = _FIXED_BITS


class StatusError(ValueError):
    """A status reply that makes no sense; the printer is then treated as in error, never as ready."""


@dataclass(frozen=True)
class PrinterStatus:
    """The four status bytes, decoded."""

    offline: bool
    cover_open: bool
    paper_end_stop: bool
    error: bool
    cutter_error: bool
    unrecoverable_error: bool
    recoverable_error: bool
    paper_near_end: bool
    paper_out: bool

    @property
    def state(self) -> PrinterState:
        """The one state that says what matters most: what keeps a slip from printing comes first."""
        if self.error or self.cutter_error or self.unrecoverable_error or self.recoverable_error:
            return PrinterState.ERROR
        if self.paper_out or self.paper_end_stop:
            return PrinterState.PAPER_OUT
        if self.cover_open:
            return PrinterState.COVER_OPEN
        if self.offline:
            return PrinterState.OFFLINE
        if self.paper_near_end:
            return PrinterState.PAPER_LOW
        return PrinterState.READY


def is_status_byte(value: int) -> bool:
    return value & _FIXED_MASK == _FIXED_BITS


def parse_status(reply: bytes) -> PrinterStatus:
    """The answer to ``STATUS_QUERY`` (one byte for each n=1…4, in order).

    Raises StatusError for a reply of the wrong length or with a byte that is not a status byte.
    """
    if len(reply) != REPLY_LENGTH:
        raise StatusError(f"expected {REPLY_LENGTH} status bytes, got {len(reply)}: {reply.hex(' ')}")
    bad = [f"n={n}: {value:#04x}" for n, value in zip(STATUS_REQUESTS, reply, strict=True) if not is_status_byte(value)]
    if bad:
        raise StatusError(f"not a status reply ({', '.join(bad)}): {reply.hex(' ')}")
    printer, offline_cause, error_cause, paper = reply
    paper_near_end = paper & PAPER_NEAR_END_BITS
    paper_end = paper & PAPER_END_BITS
    if paper_near_end not in (0, PAPER_NEAR_END_BITS) or paper_end not in (0, PAPER_END_BITS):
        # the two bits of each sensor always move together; one without the other is line noise
        raise StatusError(f"paper sensor bits disagree: {paper:#04x}")
    return PrinterStatus(
        offline=bool(printer & OFFLINE_BIT),
        cover_open=bool(offline_cause & COVER_OPEN_BIT),
        paper_end_stop=bool(offline_cause & PAPER_END_STOP_BIT),
        error=bool(offline_cause & ERROR_BIT),
        cutter_error=bool(error_cause & CUTTER_ERROR_BIT),
        unrecoverable_error=bool(error_cause & UNRECOVERABLE_ERROR_BIT),
        recoverable_error=bool(error_cause & AUTO_RECOVERABLE_ERROR_BIT),
        paper_near_end=bool(paper_near_end),
        paper_out=bool(paper_end),
    )


def status_reply(
    *,
    offline: bool = False,
    cover_open: bool = False,
    paper_near_end: bool = False,
    paper_out: bool = False,
    error: bool = False,
) -> bytes:
    """The four bytes a printer in this condition sends (used by the emulator and the fixtures)."""
    stopped = offline or cover_open or paper_out or error
    printer = READY_BYTE | (OFFLINE_BIT if stopped else 0)
    offline_cause = (
        READY_BYTE
        | (COVER_OPEN_BIT if cover_open else 0)
        | (PAPER_END_STOP_BIT if paper_out else 0)
        | (ERROR_BIT if error else 0)
    )
    error_cause = READY_BYTE | (UNRECOVERABLE_ERROR_BIT if error else 0)
    paper_bits = PAPER_END_BITS if paper_out else PAPER_NEAR_END_BITS if paper_near_end else 0
    paper = READY_BYTE | paper_bits
    return bytes([printer, offline_cause, error_cause, paper])
