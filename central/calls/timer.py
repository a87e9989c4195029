"""The switchboard's clock hand: ``tick()`` at ``next_deadline()``, and every few seconds while calls wait."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable

from central.switchboard.switchboard import Switchboard

log = logging.getLogger(__name__)

TICK_MAX_S = 5.0
"""Longest sleep between ticks: waiting callers' expected waits and today's date move on with time."""


class SwitchboardTimer:
    """Sleeps until the switchboard's next deadline; a change (a new ring, a wrap-up) wakes it to look again.

    The deadlines include the next telling of the waiting callers who moved (at most one a second), so
    their ``queued`` messages go out from here, between other work, not inside a routing decision.
    """

    def __init__(
        self, switchboard: Switchboard, clock: Callable[[], float] = time.time, max_sleep_s: float = TICK_MAX_S
    ) -> None:
        self._switchboard = switchboard
        self._clock = clock
        self._max_sleep_s = max_sleep_s
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._switchboard.add_listener(self._wake.set)
        self._task = asyncio.create_task(self._run(), name="switchboard-timer")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        while True:
            deadline = self._switchboard.next_deadline()
            sleep_s = self._max_sleep_s
            if deadline is not None:
                sleep_s = min(sleep_s, max(0.0, deadline - self._clock()))
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), sleep_s)
            except TimeoutError:
                try:
                    self._switchboard.tick()
                except Exception:
                    log.exception("switchboard tick failed")
