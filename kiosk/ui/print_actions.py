"""What the kiosk's screens print: the Wi-Fi voucher from the home screen's tile, and the slip an agent
sends with a ``print`` push. Each says on screen whether it prints, and shows the same QR there when it
cannot, so the passenger leaves with the network or the link either way.

Made by the app once the printing has started (after the first paint); it follows the printer's state,
so the Wi-Fi tile says "printer unavailable" before anyone taps it. Everything runs on the one Qt +
asyncio thread: the service's listeners and the waits for jobs come on the loop, which is Qt's.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from kiosk.printing.queue import JobState, PrintJob
from kiosk.printing.service import PrinterService, PrintRefused
from kiosk.printing.slips import FlightSlip, Slip, WifiVoucher, agent_slip
from kiosk.printing.wifi import NoWifiCodes, WifiCodes
from kiosk.ui.print_status import PrintStatus, PrintStatusLabel

if TYPE_CHECKING:
    from bus.messages.device import PrinterState
    from kiosk.ui.call.pushes import PushCard
    from kiosk.ui.window import KioskWindow

log = logging.getLogger(__name__)


class Printing(Protocol):
    """What the screens need of the kiosk's printing (kiosk.printing.setup.KioskPrinting)."""

    @property
    def service(self) -> PrinterService: ...

    @property
    def wifi_codes(self) -> WifiCodes: ...


@dataclass(eq=False)
class Followed:
    """A job a status line on screen reports on, until it is done, failed or expired."""

    job: PrintJob
    status: PrintStatusLabel


class PrintActions:
    def __init__(self, window: KioskWindow, printing: Printing, ssid: str) -> None:
        self._window = window
        self._service = printing.service
        self._codes = printing.wifi_codes
        self._ssid = ssid
        self._followed: list[Followed] = []
        self._waits: set[asyncio.Task[None]] = set()
        window.home.wifi_requested.connect(self.print_wifi)
        window.in_call.print_requested.connect(self.print_push)
        window.flights.print_requested.connect(self.print_flight)
        self._service.add_state_listener(self._state_changed)
        self._state_changed(self._service.state)

    def close(self) -> None:
        self._service.remove_state_listener(self._state_changed)
        for task in self._waits:
            task.cancel()

    def print_wifi(self) -> None:
        """The Wi-Fi tile: a voucher with a fresh code, printed if the printer can, on screen always."""
        window = self._window
        try:
            if not self._ssid:
                raise NoWifiCodes("no Wi-Fi network is configured ([info] wifi_ssid)")
            code = self._codes.next_code()
        except NoWifiCodes as exc:
            log.warning("no Wi-Fi voucher: %s", exc)
            window.wifi.show_no_codes(self._ssid)
            window.show_screen(window.wifi)
            return
        voucher = WifiVoucher(ssid=self._ssid, code=code)
        window.wifi.show_voucher(self._ssid, code, voucher.qr)
        window.show_screen(window.wifi)
        self._print(voucher, window.wifi.status, has_qr=True)

    def print_push(self, card: PushCard) -> None:
        """An agent's ``print`` push: its slip, with the card's status line telling how it goes."""
        assert card.print_status is not None, "only print pushes are printed"
        push = card.push
        self._print(agent_slip(push.text, push.url), card.print_status, has_qr=bool(push.url))

    def print_flight(self, slip: FlightSlip) -> None:
        """The Flights screen's Print: the flight's slip, its status line under the button."""
        self._print(slip, self._window.flights.detail.print_status, has_qr=True)

    def _print(self, slip: Slip, status: PrintStatusLabel, *, has_qr: bool) -> None:
        self._followed = [followed for followed in self._followed if followed.status is not status]
        service = self._service
        if not service.can_print():
            # nothing is queued: a slip printed when the passenger is long gone helps nobody
            status.show_status(PrintStatus.UNAVAILABLE, service.state.value, has_qr=has_qr)
            return
        try:
            job = service.submit(slip)
        except PrintRefused as exc:
            log.warning("%s slip not printed: %s", slip.template, exc)
            status.show_status(PrintStatus.FAILED, service.state.value, has_qr=has_qr)
            return
        status.show_status(PrintStatus.PRINTING, has_qr=has_qr)
        followed = Followed(job, status)
        self._followed.append(followed)
        status.destroyed.connect(lambda: self._forget(followed))  # a call's cards go when the call does
        task = asyncio.ensure_future(self._wait(followed))
        self._waits.add(task)
        task.add_done_callback(self._waits.discard)

    async def _wait(self, followed: Followed) -> None:
        job = await self._service.finished(followed.job)
        if followed not in self._followed:
            return  # the screen shows something else now
        self._forget(followed)
        if job.state is JobState.DONE:
            followed.status.show_status(PrintStatus.PRINTED)
        else:
            followed.status.show_status(PrintStatus.FAILED, self._service.state.value)

    def _forget(self, followed: Followed) -> None:
        if followed in self._followed:
            self._followed.remove(followed)

    def _state_changed(self, state: PrinterState) -> None:
        available = self._service.can_print()
        if available != self._window.home.printer_available:
            self._window.home.set_printer_available(available)
            self._window.flights.set_printer_available(available)
        for followed in self._followed:
            if available:
                if followed.status.status is PrintStatus.HELD:  # back after a refill: it prints now
                    followed.status.show_status(PrintStatus.PRINTING)
            elif followed.status.status is not PrintStatus.HELD or followed.status.printer_state != state.value:
                followed.status.show_status(PrintStatus.HELD, state.value)
