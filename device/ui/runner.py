"""Running a Qt program and its asyncio services on one thread (qasync), until SIGTERM or SIGINT."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Callable, Mapping
from typing import Protocol

import qasync
from PySide6.QtWidgets import QApplication


class QtProgram(Protocol):
    async def run(self) -> None: ...

    def request_quit(self) -> None: ...


NO_DISPLAY_EXIT_STATUS = 3


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
    with loop:
        program = build()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, program.request_quit)
        loop.run_until_complete(program.run())
    return 0
