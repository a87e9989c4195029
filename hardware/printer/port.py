"""The serial line to the printer: the one place that writes bytes and reads status replies.

Opens device paths, stable udev names and pyserial URLs alike with ``serial.serial_for_url`` (escpos's
own ``Serial`` class cannot open URLs). Blocking; ``hardware.printer.driver`` calls it from its thread.
"""

from __future__ import annotations

import contextlib
import time
from typing import Protocol

import serial

from hardware.printer.settings import FlowControl

WRITE_MARGIN_S = 5.0

try:
    import termios

    # pyserial lets termios.error (not an OSError) through when a device vanishes under tcflush
    _LINE_ERRORS: tuple[type[Exception], ...] = (serial.SerialException, OSError, termios.error)
except ImportError:  # not a POSIX system
    _LINE_ERRORS = (serial.SerialException, OSError)


class PortGone(OSError):
    """The port is missing, was unplugged, or failed; reopening it later may work."""


class PortStalled(OSError):
    """The printer did not take the bytes in time (flow control held, printer stopped)."""


class PrinterPort(Protocol):
    """What the driver needs from a line to a printer; tests pass a recording one."""

    @property
    def is_open(self) -> bool: ...

    def open(self) -> None: ...

    def close(self) -> None: ...

    def write(self, data: bytes) -> None:
        """All of ``data``, blocking until the line has taken it."""

    def ask(self, query: bytes, reply_length: int, timeout_s: float, until: bytes = b"") -> bytes:
        """Send ``query`` and return what came back within ``timeout_s``: at most ``reply_length`` bytes,
        ending early after ``until``."""


class SerialPort:
    """A printer on a serial line: ``/dev/ttyUSB0``, ``/dev/printer`` (a udev link) or ``rfc2217://…``."""

    def __init__(self, url: str, baud: int, flow_control: FlowControl = FlowControl.NONE) -> None:
        self.url = url
        self.baud = baud
        self.flow_control = flow_control
        self._serial: serial.Serial | None = None

    @property
    def is_open(self) -> bool:
        return self._serial is not None

    def open(self) -> None:
        if self._serial is not None:
            return
        try:
            self._serial = serial.serial_for_url(
                self.url,
                baudrate=self.baud,
                rtscts=self.flow_control is FlowControl.RTS_CTS,
                xonxoff=self.flow_control is FlowControl.XON_XOFF,
                timeout=0,
                write_timeout=WRITE_MARGIN_S,
            )
        except (serial.SerialException, OSError, ValueError) as exc:
            raise PortGone(f"cannot open {self.url}: {exc}") from exc

    def close(self) -> None:
        if self._serial is not None:
            # a device already gone has nothing more to release
            with contextlib.suppress(*_LINE_ERRORS):
                self._serial.close()
            self._serial = None

    def write(self, data: bytes) -> None:
        line = self._line()
        # the line takes bytes at most at the baud rate: allow three times that before calling it stalled
        line.write_timeout = len(data) * 10 / self.baud * 3 + WRITE_MARGIN_S
        try:
            line.write(data)
            line.flush()
        except serial.SerialTimeoutException as exc:
            raise PortStalled(f"{self.url} took too long to accept {len(data)} bytes") from exc
        except _LINE_ERRORS as exc:
            self.close()
            raise PortGone(f"{self.url} failed while writing: {exc}") from exc

    def ask(self, query: bytes, reply_length: int, timeout_s: float, until: bytes = b"") -> bytes:
        line = self._line()
        try:
            line.reset_input_buffer()  # a late reply to an earlier question is not this answer
            line.write(query)
            line.flush()
            reply = b""
            deadline = time.monotonic() + timeout_s
            while len(reply) < reply_length and not (until and reply.endswith(until)):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                line.timeout = remaining
                reply += line.read(1 if until else reply_length - len(reply))
            return reply
        except serial.SerialTimeoutException as exc:
            raise PortStalled(f"{self.url} did not take the status request") from exc
        except _LINE_ERRORS as exc:
            self.close()
            raise PortGone(f"{self.url} failed while asking for status: {exc}") from exc

    def _line(self) -> serial.Serial:
        if self._serial is None:
            raise PortGone(f"{self.url} is not open")
        return self._serial
