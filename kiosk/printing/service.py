"""The printer service: takes slips, keeps them in the job queue, and prints them when the printer can.

For the screens: ``submit(slip)`` returns the stored ``PrintJob`` at once (printing happens behind);
``state`` and ``can_print()`` say whether a slip would print now, and ``add_state_listener`` tells of
every change, so a tile can say "printer unavailable" before anyone taps it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from bus.messages.device import PrinterHealth, PrinterState
from hardware.printer.commands import FEED_AND_CUT, split_tail
from hardware.printer.driver import PrinterDriver, PrinterGone
from hardware.printer.settings import PrinterSection
from kiosk.printing.queue import JobQueue, JobState, PrintJob, QueueFull
from kiosk.printing.slips import BadSlip, Slip, SlipPrinter, TestPage, UnknownTemplate, slip_data, slip_from_data

log = logging.getLogger(__name__)

PRINTABLE = frozenset({PrinterState.READY, PrinterState.PAPER_LOW, PrinterState.PRINTING})
MAX_ATTEMPTS = 5
"""Tries whose bytes may not have arrived (port failed mid-job) before the job is given up."""
TORN_OFF = frozenset({PrinterState.PAPER_OUT, PrinterState.COVER_OPEN})
"""States in which whoever fixes the printer takes out what it had printed, so a retry needs no cut first."""

EventSink = Callable[[str, dict[str, Any]], object]
StateListener = Callable[[PrinterState], None]


class PrintRefused(Exception):
    """The slip was not queued: bad slip, unknown template, no printer, or no room to store it."""


class PrinterService:
    """Owns the job queue and the printer loop. Qt-free; run on the app's asyncio loop."""

    def __init__(
        self,
        driver: PrinterDriver | None,
        queue: JobQueue,
        slips: SlipPrinter,
        settings: PrinterSection,
        events: EventSink,
    ) -> None:
        self._driver = driver
        self._queue = queue
        self._slips = slips
        self._settings = settings
        self._events = events
        self._state = PrinterState.ABSENT if driver is None else PrinterState.NOT_CONNECTED
        self._listeners: list[StateListener] = []
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._held_reported: tuple[str, PrinterState] | None = None
        self._finished: dict[str, asyncio.Future[PrintJob]] = {}
        self._status_fresh_until = 0.0
        self._interrupted: set[str] = set()
        """Jobs whose last try stopped part-way on paper still in the printer (port lost, no answer)."""

    # for the screens ---------------------------------------------------------------------------------

    @property
    def state(self) -> PrinterState:
        return self._state

    def can_print(self) -> bool:
        """Whether a slip submitted now would print without waiting for someone to fix the printer."""
        return self._state in PRINTABLE

    def add_state_listener(self, listener: StateListener) -> None:
        self._listeners.append(listener)

    def remove_state_listener(self, listener: StateListener) -> None:
        with contextlib.suppress(ValueError):
            self._listeners.remove(listener)

    def submit(self, slip: Slip) -> PrintJob:
        """Queue ``slip``; raises PrintRefused if there is no printer or the job cannot be stored."""
        if self._driver is None:
            raise PrintRefused("this kiosk has no printer")
        try:
            job = self._queue.add(slip.template, slip_data(slip), self._settings.job_expiry_s)
        except QueueFull as exc:
            self._events("print.refused", {"template": slip.template, "reason": str(exc)})
            raise PrintRefused(str(exc)) from exc
        log.info("print job %s (%s) queued", job.id, job.template)
        self._wake.set()
        self._changed()
        return job

    def submit_data(self, data: dict[str, Any]) -> PrintJob:
        """Queue a slip given as data (from the bus or a push); an unknown template is refused with an event."""
        try:
            slip = slip_from_data(data)
        except (UnknownTemplate, BadSlip) as exc:
            self._events("print.refused", {"template": str(data.get("template", ""))[:64], "reason": str(exc)})
            raise PrintRefused(str(exc)) from exc
        return self.submit(slip)

    async def finished(self, job: PrintJob) -> PrintJob:
        """Wait until ``job`` is done, failed or expired; returns it in that state."""
        stored = self._queue.get(job.id)
        if stored is not None and stored.state is not JobState.PENDING:
            return stored
        future = self._finished.setdefault(job.id, asyncio.get_running_loop().create_future())
        return await asyncio.shield(future)

    async def firmware(self) -> str:
        return "" if self._driver is None else await self._driver.firmware()

    async def print_test_page(self) -> PrintJob:
        return self.submit(TestPage(firmware=await self.firmware()))

    def health(self) -> PrinterHealth:
        pending = self._queue.count_pending()
        return PrinterHealth(state=self._state, jobs_pending=pending, jobs_held=0 if self.can_print() else pending)

    # the loop ----------------------------------------------------------------------------------------

    async def start(self) -> None:
        if self._driver is not None:
            self._task = asyncio.create_task(self._run(), name="printer")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._driver is not None:
            await self._driver.close()
        self._queue.close()

    async def _run(self) -> None:
        while True:
            # cleared before looking at the queue: a job submitted during the step wakes the next wait
            self._wake.clear()
            try:
                busy = await self._step()
            except Exception:
                log.exception("printer loop failed; trying again after the status interval")
                busy = False
            if busy:
                continue
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for swallows a cancel that comes as the
            # wake-up does (a slip submitted just before stop()), and stop() would wait for ever
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._settings.status_interval_s):
                    await self._wake.wait()

    async def _step(self) -> bool:
        """One look at the printer and at most one job; True when there may be more to do at once."""
        assert self._driver is not None
        loop = asyncio.get_running_loop()
        for old in self._queue.expire():
            self._end(old, JobState.EXPIRED, "print.expired", "not printed in time")
        job = self._queue.next()
        # idle, the printer is asked once an interval; a status answered moments ago is good enough to
        # start a job (the passenger is waiting); a held job asks again each interval to see it recover
        stale = loop.time() >= self._status_fresh_until
        if stale or (job is not None and not self.can_print()):
            self._set_state(await self._driver.status())
            self._status_fresh_until = loop.time() + self._settings.status_interval_s
        if job is None:
            return False
        if not self.can_print():
            self._report_held(job)
            return False
        return await self._print(job)

    async def _print(self, job: PrintJob) -> bool:
        assert self._driver is not None
        try:
            data = self._slips.render(slip_from_data(job.slip))
        except (UnknownTemplate, BadSlip, ValueError) as exc:
            self._end(job, JobState.FAILED, "print.failed", f"cannot render the slip: {exc}")
            return True
        body, tail = split_tail(data)
        if job.id in self._interrupted:
            # an earlier try stopped part-way with the printer still holding the paper (unplugged, switched
            # off): cut that part off first, so the slip the passenger takes is whole and printed once
            body = FEED_AND_CUT + body
        self._set_state(PrinterState.PRINTING)
        try:
            await self._driver.send(body)
        except PrinterGone as exc:
            self._interrupted.add(job.id)
            attempts = self._queue.count_attempt(job, str(exc))
            if attempts >= MAX_ATTEMPTS:
                self._end(job, JobState.FAILED, "print.failed", f"gave up after {attempts} tries: {exc}")
            self._set_state(await self._driver.status())
            return self.can_print()
        # the printer answers status only after the bytes before the question have reached it
        after = await self._driver.status(wait_s=len(body) * 10 / self._settings.baud)
        self._status_fresh_until = asyncio.get_running_loop().time() + self._settings.status_interval_s
        self._set_state(after)
        if after not in PRINTABLE:
            if after not in TORN_OFF:
                self._interrupted.add(job.id)
            self._queue.count_attempt(job, f"printer {after.value} after printing")
            self._report_held(job)
            return False
        # Every line of the slip is on paper: it is done, whatever the feed and cut that remain meet. Paper
        # running out in that feed (a slip that ends at the end of the roll) once printed the whole slip again.
        self._interrupted.discard(job.id)
        if tail:
            with contextlib.suppress(PrinterGone):  # the status below says what became of the printer
                await self._driver.send(tail)
            after = await self._driver.status(wait_s=len(tail) * 10 / self._settings.baud)
        self._end(job, JobState.DONE, "print.done", "")
        self._set_state(after)
        return self.can_print()

    def _end(self, job: PrintJob, state: JobState, event: str, detail: str) -> None:
        self._queue.finish(job, state, detail)
        log.info("print job %s (%s): %s %s", job.id, job.template, state.value, detail)
        data: dict[str, Any] = {"job": job.id, "template": job.template}
        if detail:
            data["detail"] = detail
        self._events(event, data)
        future = self._finished.pop(job.id, None)
        if future is not None and not future.done():
            stored = self._queue.get(job.id)
            future.set_result(stored if stored is not None else job)
        self._changed()

    def _report_held(self, job: PrintJob) -> None:
        if self._held_reported == (job.id, self._state):
            return
        self._held_reported = (job.id, self._state)
        log.info("print job %s held: printer %s", job.id, self._state.value)
        self._events("print.held", {"job": job.id, "template": job.template, "printer": self._state.value})

    def _set_state(self, state: PrinterState) -> None:
        if state is self._state:
            return
        log.info("printer %s -> %s", self._state.value, state.value)
        self._state = state
        self._changed()

    def _changed(self) -> None:
        for listener in list(self._listeners):
            try:
                listener(self._state)
            except Exception:
                log.exception("printer state listener failed")
