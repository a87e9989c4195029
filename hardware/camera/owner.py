"""The one camera reader: a named worker thread that fans the latest frame out to every consumer.

The thread reads the source at the configured rate while at least one consumer is subscribed and closes
the source when the last one leaves, so the camera is off while nobody uses it. Frames reach the asyncio
loop through ``loop.call_soon_threadsafe``; each consumer keeps only the newest frame, so a slow consumer
skips frames instead of queueing them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Callable

from bus.messages.device import CameraHealth, CameraState
from hardware.camera.sources import Frame, FrameSource, SourceUnavailable

log = logging.getLogger(__name__)

StateListener = Callable[[CameraState], None]


class SubscriptionClosed(Exception):
    """The consumer gave up its subscription (or the camera was stopped) while it waited for a frame."""


class CameraSubscription:
    """One consumer's view of the camera: the latest frame, and a wait for the next one.

    Frames are shared between consumers and read-only (``frame.flags.writeable`` is off): copy before drawing.
    ``latest()`` and ``next_frame()`` belong to the asyncio loop; the reader thread only calls ``_offer``.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, name: str) -> None:
        self.name = name
        self._loop = loop
        self._lock = threading.Lock()
        self._latest: Frame | None = None
        self._offered = 0  # frames the reader has handed over (under the lock)
        self._taken = 0  # the count at the frame next_frame() last returned (loop only)
        self._wake_pending = False  # one wake-up call in flight at most, however fast frames come
        self._arrived = asyncio.Event()
        self._closed = False

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def frames_offered(self) -> int:
        """How many frames the reader has handed to this consumer (it may have skipped some)."""
        return self._offered

    def latest(self) -> Frame | None:
        """The newest frame, or None before the first one."""
        with self._lock:
            return self._latest

    async def next_frame(self) -> Frame:
        """The first frame newer than the one this method returned last; raises SubscriptionClosed."""
        while True:
            if self._closed:
                raise SubscriptionClosed(self.name)
            with self._lock:
                offered, frame = self._offered, self._latest
            if offered > self._taken and frame is not None:
                self._taken = offered
                return frame
            self._arrived.clear()
            await self._arrived.wait()

    # --- the reader thread ----------------------------------------------------------------------------

    def _offer(self, frame: Frame) -> None:
        with self._lock:
            if self._closed:
                return
            self._latest = frame
            self._offered += 1
            if self._wake_pending:
                return
            self._wake_pending = True
        with contextlib.suppress(RuntimeError):  # the loop closed under us: nobody is waiting any more
            self._loop.call_soon_threadsafe(self._wake)

    # --- the loop ---------------------------------------------------------------------------------------

    def _wake(self) -> None:
        with self._lock:
            self._wake_pending = False
        self._arrived.set()

    def _close(self) -> None:
        with self._lock:
            self._closed = True
            self._latest = None
        self._arrived.set()


class CameraOwner:
    """Owns one :class:`FrameSource` and reads it in one worker thread while anyone is subscribed.

    ``subscribe``, ``unsubscribe`` and ``stop`` are called on the asyncio loop; none of them blocks it.
    State and fps are for the health report: ``stopped`` (nobody watching), ``running``, ``failed``
    (``FAILED_AFTER_READS`` reads in a row raised or gave nothing) or ``absent`` (no device); a failed or
    absent camera keeps that state after its consumers leave, until a read succeeds again.
    """

    FAILED_AFTER_READS = 10
    RETRY_INTERVAL_S = 1.0  # a failed camera is tried again this often while someone is subscribed
    FPS_WINDOW_S = 1.0
    JOIN_TIMEOUT_S = 5.0

    def __init__(
        self, source: FrameSource, fps: float, name: str = "camera", clock: Callable[[], float] = time.monotonic
    ) -> None:
        if fps <= 0:
            raise ValueError("fps must be positive")
        self.name = name
        self._source = source
        self._interval_s = 1.0 / fps
        # replaced, never mutated, so the reader thread can iterate it without a lock
        self._subscribers: tuple[CameraSubscription, ...] = ()
        self._thread: threading.Thread | None = None
        self._stop_reading: threading.Event | None = None
        self._state = CameraState.STOPPED
        self._fps = 0.0
        self._clock = clock
        self._last_frame_at: float | None = None  # on the clock above; set by the reader thread
        self._listeners: list[StateListener] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._readers_started = 0

    @property
    def state(self) -> CameraState:
        return self._state

    @property
    def fps(self) -> float:
        """Frames read per second over the last second; 0 while stopped."""
        return self._fps

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)

    @property
    def reading(self) -> bool:
        """Whether the reader thread is alive (it may still be finishing after the last consumer left)."""
        return self._thread is not None and self._thread.is_alive()

    @property
    def last_frame_age_s(self) -> float | None:
        """Seconds since the last frame was read; None before the first. A read that hangs (a wedged USB
        camera) leaves state and fps as they were: this figure keeps growing."""
        last = self._last_frame_at
        return None if last is None else max(0.0, self._clock() - last)

    def health(self) -> CameraHealth:
        age = self.last_frame_age_s
        return CameraHealth(
            state=self._state, fps=round(self._fps, 1), last_frame_age_s=None if age is None else round(age, 1)
        )

    def add_state_listener(self, listener: StateListener) -> None:
        """Called on the loop with the new state whenever it changes (e.g. to send a health snapshot)."""
        self._listeners.append(listener)

    def subscribe(self, name: str = "consumer") -> CameraSubscription:
        """A new consumer; starts the reader if it is not running. Call on the asyncio loop."""
        loop = asyncio.get_running_loop()
        self._loop = loop
        subscription = CameraSubscription(loop, name)
        self._subscribers = (*self._subscribers, subscription)
        if self._stop_reading is None or self._stop_reading.is_set():
            self._start_reader()
        return subscription

    def unsubscribe(self, subscription: CameraSubscription) -> None:
        """Give up a subscription (idempotent); the last one out stops the reader without waiting for it."""
        if subscription not in self._subscribers:
            return
        self._subscribers = tuple(s for s in self._subscribers if s is not subscription)
        subscription._close()
        if not self._subscribers and self._stop_reading is not None:
            self._stop_reading.set()

    async def stop(self) -> None:
        """Drop every consumer, stop the reader and wait for its thread (off the loop)."""
        for subscription in self._subscribers:
            subscription._close()
        self._subscribers = ()
        if self._stop_reading is not None:
            self._stop_reading.set()
        if self._thread is not None:
            await asyncio.to_thread(self.join)

    def join(self, timeout_s: float = JOIN_TIMEOUT_S) -> bool:
        """Wait for a stopping reader thread to end; True when none is left. Blocks: not for the loop."""
        thread = self._thread
        if thread is None:
            return True
        thread.join(timeout_s)
        return not thread.is_alive()

    def _start_reader(self) -> None:
        previous = self._thread
        stop = threading.Event()
        self._readers_started += 1
        thread = threading.Thread(
            target=self._read_until_stopped,
            args=(stop, previous),
            name=f"{self.name}-reader-{self._readers_started}",
            # stop() joins it; daemon only so that a forgotten stop cannot hold the program's exit
            daemon=True,
        )
        self._stop_reading, self._thread = stop, thread
        thread.start()

    # --- the reader thread ----------------------------------------------------------------------------

    def _read_until_stopped(self, stop: threading.Event, previous: threading.Thread | None) -> None:
        if previous is not None:
            # a reader that is still finishing closes the source when it ends: never read it from two threads
            previous.join()
        failures = 0
        next_due = window_start = time.monotonic()
        window_frames = 0
        try:
            while not stop.is_set():
                frame, problem = self._read_once()
                interval = self._interval_s
                if frame is not None:
                    self._last_frame_at = self._clock()
                    failures = 0
                    window_frames += 1
                    frame.flags.writeable = False
                    for subscription in self._subscribers:
                        subscription._offer(frame)
                    self._set_state(CameraState.RUNNING, "frames arriving")
                else:
                    failures += 1
                    absent = isinstance(problem, SourceUnavailable)
                    if absent or failures >= self.FAILED_AFTER_READS:
                        state = CameraState.ABSENT if absent else CameraState.FAILED
                        self._set_state(state, f"{failures} reads failed, last: {problem or 'no frame'}")
                        self._close_source()  # the next try opens it afresh: a replugged camera comes back
                        interval = self.RETRY_INTERVAL_S
                now = time.monotonic()
                if now - window_start >= self.FPS_WINDOW_S:
                    self._fps = window_frames / (now - window_start)
                    window_start, window_frames = now, 0
                next_due += interval
                if next_due < now - interval:  # fell behind (slow read): carry on from now, no burst
                    next_due = now
                stop.wait(max(0.0, next_due - now))
        finally:
            self._close_source()
            self._fps = 0.0
            if self._state is CameraState.RUNNING:
                self._set_state(CameraState.STOPPED, "no consumer")

    def _read_once(self) -> tuple[Frame | None, str | Exception | None]:
        try:
            frame = self._source.read()
        except Exception as exc:  # any camera error is a failed read; a failing camera must not end the thread
            return None, exc
        if frame is None:
            return None, "no frame"
        return frame, None

    def _close_source(self) -> None:
        try:
            self._source.close()
        except Exception:
            log.exception("%s: closing the source failed", self.name)

    def _set_state(self, state: CameraState, detail: str) -> None:
        if state is self._state:
            return
        previous, self._state = self._state, state
        level = logging.WARNING if state in (CameraState.FAILED, CameraState.ABSENT) else logging.INFO
        log.log(level, "%s %s -> %s (%s)", self.name, previous, state, detail)
        loop = self._loop
        if loop is not None and self._listeners:
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self._notify, state)

    def _notify(self, state: CameraState) -> None:
        for listener in self._listeners:
            try:
                listener(state)
            except Exception:
                log.exception("%s: state listener failed", self.name)
