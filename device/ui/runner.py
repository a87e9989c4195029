"""Running a Qt program and its asyncio services on one thread (qasync), until SIGTERM or SIGINT."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Callable, Mapping
from typing import Protocol

import qasync
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

from config.version import program_version
from device.systemd import Notifier


class QtProgram(Protocol):
    async def run(self) -> None: ...

    def request_quit(self) -> None: ...


NO_DISPLAY_EXIT_STATUS = 3


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
    loop = qasync.QEventLoop(app)
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
