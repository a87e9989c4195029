"""``print_test`` on the device's ``cmd`` topic: print the test page, and say how it went."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from bus.messages.device import PrinterState
from device.commands import CommandHandler, CommandRefused
from kiosk.printing.queue import JobState
from kiosk.printing.service import PRINTABLE, PrinterService, PrintRefused

PRINT_TEST_WAIT_S = 60.0


def print_test_command(service: PrinterService, wait_s: float = PRINT_TEST_WAIT_S) -> CommandHandler:
    """Queues the test page; replies once it printed, or as soon as the printer holds it (with why)."""

    async def print_test(_args: dict[str, Any]) -> str:
        try:
            job = await service.print_test_page()
        except PrintRefused as exc:
            raise CommandRefused(f"test page not queued: {exc}") from exc
        held = asyncio.Event()

        def on_state(state: PrinterState) -> None:
            if state not in PRINTABLE:
                held.set()

        service.add_state_listener(on_state)
        on_state(service.state)  # a printer that is already stopped holds the page from the start
        finished = asyncio.ensure_future(service.finished(job))
        stopped = asyncio.ensure_future(held.wait())
        try:
            await asyncio.wait({finished, stopped}, timeout=wait_s, return_when=asyncio.FIRST_COMPLETED)
        finally:
            service.remove_state_listener(on_state)
            stopped.cancel()
            if not finished.done():
                finished.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await stopped
        if finished.done() and not finished.cancelled():
            result = finished.result()
            if result.state is JobState.DONE:
                return f"test page printed (job {job.id})"
            raise CommandRefused(f"test page {result.state.value}: {result.detail}")
        raise CommandRefused(f"test page queued as job {job.id}; it waits: printer {service.state.value}")

    return print_test
