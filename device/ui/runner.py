"""Running a Qt program and its asyncio services on one thread (qasync), until SIGTERM or SIGINT."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Mapping
from contextvars import Context
from typing import Any, Protocol

import qasync
import shiboken6
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

from config.version import program_version
from device.systemd import Notifier


class QtProgram(Protocol):
    async def run(self) -> None: ...

    def request_quit(self) -> None: ...


NO_DISPLAY_EXIT_STATUS = 3


class BatchedEventLoop(qasync.QEventLoop):  # type: ignore[misc]
    """qasync's loop, with ``call_soon`` callbacks run in batches from one Qt timer.

    qasync makes every ``call_soon`` a Qt timer of its own (a ``startTimer``, a timer event, a
    ``killTimer``): during a video call aiortc's packets, futures and tasks make over a thousand a second,
    and Qt's timer bookkeeping became a sixth of the UI thread's time. Here they wait in a queue, as in
    asyncio's own loop, and one zero-delay timer runs the ones queued before it fired; callbacks queued
    meanwhile wait for the next pass, so Qt's input and painting still come between batches. Delayed
    callbacks (``call_later``, ``call_at``) stay qasync's timers.
    """

    def __init__(self, app: QApplication | None = None, *, already_running: bool = False) -> None:
        super().__init__(app, already_running=already_running)
        collect_on_this_thread_only()
        self._collector = QTimer()
        self._collector.setInterval(COLLECT_EVERY_MS)
        self._collector.timeout.connect(collect_if_due)
        self._collector.start()
        self._ready: deque[asyncio.Handle] = deque()
        self._ready_timer = QTimer()
        self._ready_timer.setSingleShot(True)
        self._ready_timer.setInterval(0)
        self._ready_timer.timeout.connect(self._run_ready)
        self.batches = 0
        """How many batches ran: with the callbacks run, the measure of how many Qt timers were saved."""

    def call_soon(self, callback: Callable[..., Any], *args: Any, context: Context | None = None) -> asyncio.Handle:
        if asyncio.iscoroutinefunction(callback):
            raise TypeError("coroutines cannot be used with call_soon")
        if not callable(callback):
            raise TypeError(f"callback must be callable: {type(callback).__name__}")
        handle = asyncio.Handle(callback, args, self, context=context)
        self._ready.append(handle)
        if not self._ready_timer.isActive():
            self._ready_timer.start()
        return handle

    def _run_ready(self) -> None:
        self.batches += 1
        for _ in range(len(self._ready)):  # only those queued before this pass: Qt's events come next
            handle = self._ready.popleft()
            if not handle.cancelled():
                handle._run()  # asyncio.Handle reports a callback's exception to the loop's handler
        if self._ready and not self._ready_timer.isActive():
            self._ready_timer.start()

    def close(self) -> None:
        self._ready_timer.stop()
        self._collector.stop()
        self._ready.clear()
        super().close()
        # The loop's Qt objects are deleted now, on this (the UI) thread. Left to Python's collector, they are
        # destroyed on whichever thread happens to collect (a call's media thread, a camera's reader): a Qt
        # timer destroyed off its own thread corrupts Qt's timer lists, and a later timer crashes the program.
        # A late call_soon_threadsafe from another thread then raises RuntimeError, as on a closed asyncio loop.
        for qobject in (self._ready_timer, self._collector, self._timer, self._QEventLoop__call_soon_signaller):
            with contextlib.suppress(RuntimeError):  # already gone
                shiboken6.delete(qobject)


COLLECT_EVERY_MS = 100


def collect_on_this_thread_only() -> None:
    """Python's cyclic garbage collector runs on whichever thread allocates when it is due: with a call's
    media thread and a camera's reader threads, that is often not the UI thread, and a Qt object it frees
    there (a widget, a timer of a closed screen) is destroyed off its own thread, which crashes Qt (seen
    in test runs: a media thread "Garbage-collecting" while the UI thread laid out a screen). So the
    automatic collection is off, and :func:`collect_if_due` runs it on the UI thread instead."""
    gc.disable()


def collect_if_due() -> None:
    """One step of the collector's own rule, here: the youngest generation once it has had ``threshold0``
    more allocations than frees, an older one when that generation is due too."""
    thresholds, counts = gc.get_threshold(), gc.get_count()
    if counts[0] <= thresholds[0]:
        return
    generation = 0
    while generation < 2 and counts[generation + 1] > thresholds[generation + 1]:
        generation += 1
    gc.collect(generation)


def new_event_loop(app: QApplication) -> BatchedEventLoop:
    """The asyncio loop a Qt program runs on: Qt's own, see :class:`BatchedEventLoop`."""
    return BatchedEventLoop(app)


class SystemdWatch(QObject):
    """Tells systemd the program is ready once its first window has painted, and that it is alive for as
    long as the Qt loop runs.

    ``WATCHDOG=1`` comes from a QTimer on the UI thread, so it stops the moment the loop is blocked (a hung
    screen) and systemd restarts the program after ``WatchdogSec``; a thread of its own would keep sending
    while the screen stood still. ``READY=1`` waits for the first paint so that a program that starts but
    cannot draw counts as failed, and an update that brings such a version is rolled back.
    """

    def __init__(self, app: QApplication, notifier: Notifier, name: str, version: str) -> None:
        super().__init__(app)
        self._app = app
        self.notifier = notifier
        self._name = name
        self._version = version
        self.painted = False
        self.timer = QTimer(self)
        self.timer.timeout.connect(notifier.watchdog)
        if notifier.watchdog_interval_s is not None:
            self.timer.start(max(1, int(notifier.watchdog_interval_s * 1000)))
        app.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self.painted and event.type() == QEvent.Type.Paint:
            self.painted = True
            self._app.removeEventFilter(self)  # every event passed through here until now
            QTimer.singleShot(0, self._ready)  # after the paint itself is done
        return False

    def _ready(self) -> None:
        self.notifier.ready(f"{self._name} {self._version}: showing its first screen", self._version)

    def stop(self) -> None:
        self.timer.stop()
        self.notifier.stopping()
        self.notifier.close()


def missing_display(environ: Mapping[str, str], platform: str = sys.platform) -> str | None:
    """Why Qt would find no screen to show on, or None when it has one or was told which platform to use.

    A screen device with no display must not run on regardless: it would report itself online with
    nothing on its screen. Running without a screen is a choice: ``QT_QPA_PLATFORM=offscreen``.
    """
    if environ.get("QT_QPA_PLATFORM") or not platform.startswith("linux"):
        return None  # asked for a platform (offscreen, eglfs, wayland…), or not an X11/Wayland system
    if environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"):
        return None
    return (
        "no display: neither DISPLAY nor WAYLAND_DISPLAY is set (set QT_QPA_PLATFORM=offscreen to run without a screen)"
    )


def run_qt_program(name: str, build: Callable[[], QtProgram]) -> int:
    """Build the program inside the Qt loop, run it, and stop it cleanly on SIGTERM/SIGINT.

    Returns NO_DISPLAY_EXIT_STATUS, having said why in one line, when there is no display to show on.
    """
    problem = missing_display(os.environ)
    if problem is not None:
        print(f"{name}: {problem}", file=sys.stderr, flush=True)
        return NO_DISPLAY_EXIT_STATUS
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName(name)
    app.setQuitOnLastWindowClosed(False)
    loop = new_event_loop(app)
    asyncio.set_event_loop(loop)
    notifier = Notifier.from_environment(os.environ)
    watch = SystemdWatch(app, notifier, name, program_version()) if notifier.enabled or notifier.ready_file else None
    with loop:
        program = build()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, program.request_quit)
        try:
            loop.run_until_complete(program.run())
        finally:
            if watch is not None:
                watch.stop()
    return 0
