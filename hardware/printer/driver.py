"""The printer driver: status and bytes over a ``PrinterPort``, from one named worker thread.

The port blocks (a slip takes seconds at 9600 baud), so every call runs in the driver's own thread and
the asyncio loop only awaits it. A vanished port is reopened with a doubling delay.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from bus.messages.device import PrinterState
from hardware.printer.port import PortGone, PortStalled, PrinterPort
from hardware.printer.status import REPLY_LENGTH, STATUS_QUERY, StatusError, parse_status

log = logging.getLogger(__name__)

REOPEN_MIN_S = 0.2
FIRMWARE_QUERY = b"\x1dIA"
"""``GS I 65``: the firmware version, answered as ``_`` + text + NUL."""
T = TypeVar("T")


class PrinterGone(Exception):
    """The bytes of a job may not have reached the printer: its port failed or stalled."""


class PrinterDriver:
    """Asks the printer for its state and sends it bytes; knows nothing of jobs or slips."""

    def __init__(
        self,
        port: PrinterPort,
        reply_timeout_s: float,
        reopen_max_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._port = port
        self._reply_timeout_s = reply_timeout_s
        self._reopen_max_s = reopen_max_s
        self._clock = clock
        self._reopen_delay_s = REOPEN_MIN_S
        self._next_open_at = 0.0
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="printer-port")
        self.last_problem = ""
        """Why the last status was not ready, in words for logs and the test page."""

    async def status(self, wait_s: float = 0.0) -> PrinterState:
        """The printer's state now; ``wait_s`` more for the reply when bytes are still on their way."""
        if not await self._ensure_open():
            return PrinterState.NOT_CONNECTED
        try:
            reply = await self._run(self._port.ask, STATUS_QUERY, REPLY_LENGTH, self._reply_timeout_s + wait_s)
        except PortGone as exc:
            return self._gone(exc)
        except PortStalled as exc:
            self.last_problem = str(exc)
            return PrinterState.OFFLINE
        if not reply:
            self.last_problem = f"no status reply within {self._reply_timeout_s + wait_s:.1f} s"
            return PrinterState.OFFLINE
        try:
            state = parse_status(reply).state
        except StatusError as exc:
            self.last_problem = str(exc)
            log.warning("printer status makes no sense, treating it as an error: %s", exc)
            return PrinterState.ERROR
        self.last_problem = "" if state is PrinterState.READY else state.value
        return state

    async def send(self, data: bytes) -> None:
        """Write ``data``; raises PrinterGone when the port fails or stalls on the way."""
        if not await self._ensure_open():
            raise PrinterGone("the printer's port is not open")
        try:
            await self._run(self._port.write, data)
        except PortGone as exc:
            self._gone(exc)
            raise PrinterGone(str(exc)) from exc
        except PortStalled as exc:
            raise PrinterGone(str(exc)) from exc

    async def firmware(self) -> str:
        """What the printer says its firmware is (empty when it does not say)."""
        if not await self._ensure_open():
            return ""
        try:
            reply = await self._run(self._port.ask, FIRMWARE_QUERY, 80, self._reply_timeout_s, b"\x00")
        except (PortGone, PortStalled) as exc:
            self.last_problem = str(exc)
            return ""
        if reply.startswith(b"_") and reply.endswith(b"\x00"):
            return reply[1:-1].decode("ascii", errors="replace")
        return ""

    async def close(self) -> None:
        await self._run(self._port.close)
        self._thread.shutdown(wait=True)

    async def _ensure_open(self) -> bool:
        if self._port.is_open:
            return True
        if self._clock() < self._next_open_at:
            return False
        try:
            await self._run(self._port.open)
        except PortGone as exc:
            self.last_problem = str(exc)
            self._next_open_at = self._clock() + self._reopen_delay_s
            self._reopen_delay_s = min(self._reopen_max_s, self._reopen_delay_s * 2)
            return False
        log.info("printer port opened")
        self._reopen_delay_s = REOPEN_MIN_S
        return True

    def _gone(self, exc: OSError) -> PrinterState:
        log.warning("printer port lost: %s", exc)
        self.last_problem = str(exc)
        self._next_open_at = self._clock() + self._reopen_delay_s
        return PrinterState.NOT_CONNECTED

    async def _run(self, call: Callable[..., T], *args: object) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._thread, call, *args)
