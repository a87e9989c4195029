"""The camera's frames to the decoder: one consumer of the camera owner, decoding in a worker thread.

At most ``max_rate`` decodes a second, one at a time: a frame that arrives while a decode runs, or sooner
than the rate allows, is skipped, never queued (the camera subscription keeps only the newest frame), so a
slow machine scans less often but never falls behind what is in front of the camera. A code seen again
within ``repeat_after_s`` is reported once: a pass held still is one scan, not eight a second.

Most decodes are zxing-cpp's single pass (``fast_decoder``, a few ms), with the fallbacks only when that
pass saw a code it could not read; every ``full_every``-th is the full decoder, for a code the single pass
does not even see. The fallbacks cost several times a single pass on a frame without a code, as most
frames are: were every decode the full one, a pass held up just after an empty frame's decode began would
wait for all of them first.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from hardware.camera import CameraOwner, CameraSubscription, SubscriptionClosed
from hardware.camera.sources import Frame
from hardware.scanner.decoder import Code, decode, decode_live

log = logging.getLogger(__name__)

MAX_RATE_PER_S = 8.0
REPEAT_AFTER_S = 3.0
FULL_DECODE_EVERY = 3

CodeListener = Callable[[Code], None]
Decode = Callable[[Frame], list[Code]]


class ScanFeed:
    """Decodes the camera's frames while started; listeners hear each new code on the asyncio loop."""

    def __init__(
        self,
        camera: CameraOwner,
        max_rate: float = MAX_RATE_PER_S,
        repeat_after_s: float = REPEAT_AFTER_S,
        decoder: Decode = decode,
        fast_decoder: Decode | None = decode_live,
        full_every: int = FULL_DECODE_EVERY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_rate <= 0:
            raise ValueError("max_rate must be positive")
        self._camera = camera
        self._interval_s = 1.0 / max_rate
        self._repeat_after_s = repeat_after_s
        self._decode = decoder
        self._fast_decode = fast_decoder or decoder
        self._full_every = max(1, full_every)
        self._clock = clock
        self._listeners: list[CodeListener] = []
        self._task: asyncio.Task[None] | None = None
        self._subscription: CameraSubscription | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._last_seen: dict[str, float] = {}
        self.decodes = 0
        self.frames_skipped = 0

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def add_listener(self, listener: CodeListener) -> None:
        self._listeners.append(listener)

    def start(self) -> None:
        """Subscribe to the camera and decode until :meth:`stop` (idempotent). Call on the loop."""
        if self.running:
            return
        self._last_seen.clear()
        # one named thread: decodes never overlap, and OpenCV's detector is not shared between threads
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="scanner")
        self._subscription = self._camera.subscribe("scanner")
        self._task = asyncio.ensure_future(self._run(self._subscription, self._executor))

    async def stop(self) -> None:
        """Stop decoding, leave the camera, and wait for a decode in progress to end."""
        task, subscription, executor = self._task, self._subscription, self._executor
        self._task = self._subscription = self._executor = None
        if subscription is not None:
            self._camera.unsubscribe(subscription)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if executor is not None:
            await asyncio.to_thread(executor.shutdown, wait=True)

    async def _run(self, subscription: CameraSubscription, executor: ThreadPoolExecutor) -> None:
        loop = asyncio.get_running_loop()
        next_due = 0.0
        seen = 0
        try:
            while True:
                frame = await subscription.next_frame()
                offered = subscription.frames_offered
                self.frames_skipped += max(0, offered - seen - 1)
                seen = offered
                now = self._clock()
                if now < next_due:
                    self.frames_skipped += 1
                    continue
                next_due = now + self._interval_s
                try:
                    full = self.decodes % self._full_every == self._full_every - 1
                    decoder = self._decode if full else self._fast_decode
                    codes = await loop.run_in_executor(executor, decoder, frame)
                except Exception:  # a decoder failing on one frame must not end scanning
                    log.exception("decoding a frame failed")
                    self.decodes += 1
                    continue
                self.decodes += 1
                for code in codes:
                    self._report(code)
        except SubscriptionClosed:
            return

    def _report(self, code: Code) -> None:
        now = self._clock()
        last = self._last_seen.get(code.text)
        self._last_seen[code.text] = now
        if last is not None and now - last < self._repeat_after_s:
            return
        if len(self._last_seen) > 64:  # a stream of different codes: forget the old ones
            self._last_seen = {text: at for text, at in self._last_seen.items() if now - at < self._repeat_after_s}
        for listener in self._listeners:
            try:
                listener(code)
            except Exception:
                log.exception("a scan listener failed")
