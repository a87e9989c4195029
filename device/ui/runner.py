"""Running a Qt program and its asyncio services on one thread (qasync), until SIGTERM or SIGINT."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Callable
from typing import Protocol

import qasync
from PySide6.QtWidgets import QApplication


class QtProgram(Protocol):
    async def run(self) -> None: ...

    def request_quit(self) -> None: ...


def run_qt_program(name: str, build: Callable[[], QtProgram]) -> int:
    """Build the program inside the Qt loop, run it, and stop it cleanly on SIGTERM/SIGINT."""
    if "QT_QPA_PLATFORM" not in os.environ and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        print(f"{name}: no display found, running offscreen", flush=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
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
