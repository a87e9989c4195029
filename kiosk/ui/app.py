"""The kiosk program: Qt and asyncio on one thread (qasync), the bus presence, and the window."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

from config.version import program_version

if TYPE_CHECKING:
    from bus.link import BusLink
    from kiosk.calls import VideoHelpDesk
    from kiosk.printing.setup import KioskPrinting
    from kiosk.ui.call.flow import VideoHelpFlow
from device.i18n import Catalogue
from device.ui.runner import run_qt_program
from kiosk.session import PassengerSession
from kiosk.settings import KioskSettings
from kiosk.ui.window import KioskWindow

log = logging.getLogger(__name__)


class FirstPaint(QObject):
    """Reports the first paint of the home screen once: a log line, and a PNG when asked for one."""

    def __init__(self, window: KioskWindow, started: float, screenshot: str) -> None:
        super().__init__(window)
        self._window = window
        self._started = started
        self._screenshot = screenshot
        self.done = False
        self.reported = asyncio.Event()
        window.home.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self.done:
            self.done = True
            elapsed_ms = (time.monotonic() - self._started) * 1000
            QTimer.singleShot(0, lambda: self._report(elapsed_ms))
        return False

    def _report(self, elapsed_ms: float) -> None:
        offscreen = QApplication.platformName() == "offscreen"
        where = " (offscreen)" if offscreen else ""
        print(f"kiosk: home screen painted{where} {elapsed_ms:.0f} ms after start", flush=True)
        if self._screenshot:
            path = Path(self._screenshot)
            path.parent.mkdir(parents=True, exist_ok=True)
            if self._window.grab().save(str(path)):
                print(f"kiosk: screenshot of the home screen saved to {path}", flush=True)
            else:
                log.warning("could not save the home screen screenshot to %s", path)
        self.reported.set()


class KioskApp:
    """Builds the kiosk's window and services once, runs them, and shuts them down in order.

    The screen comes first: the bus and health services are imported and started only after the home
    screen has painted, so a passenger never waits for the network or for their imports.
    """

    FIRST_PAINT_WAIT_S = 10.0

    def __init__(self, settings: KioskSettings, started: float) -> None:
        self.settings = settings
        self._started = started
        self.session = PassengerSession(settings.ui.language)
        self.window = KioskWindow(settings, Catalogue.from_package("kiosk"), self.session)
        self.flow: VideoHelpFlow | None = None
        self.printing: KioskPrinting | None = None
        self._quit = asyncio.Event()

    def request_quit(self) -> None:
        self._quit.set()

    async def run(self) -> None:
        first_paint = FirstPaint(self.window, self._started, self.settings.ui.screenshot)
        ui = self.settings.ui
        if ui.fullscreen:
            self.window.showFullScreen()
        else:
            self.window.resize(ui.width, ui.height)
            self.window.show()
        self.window.idle.start()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(first_paint.reported.wait(), self.FIRST_PAINT_WAIT_S)

        # after the first paint, see the class docstring
        from bus.messages.device import DeviceKind
        from device.presence import connect_device

        link, presence = connect_device(
            self.settings.bus, self.settings.app, DeviceKind.KIOSK, program_version(), self.settings.health.interval_s
        )
        link.add_state_listener(lambda state, _detail: self.window.set_connection(state.value))
        desk = self._open_video_help(link)
        from kiosk.printing.setup import KioskPrinting

        self.printing = printing = KioskPrinting(self.settings, link, presence)
        await link.start()
        await presence.start()
        await printing.start()
        log.info("kiosk %s started (version %s)", self.settings.bus.device_id, program_version())
        await self._quit.wait()
        log.info("kiosk %s shutting down", self.settings.bus.device_id)
        self.window.idle.stop()
        if self.flow is not None:
            await self.flow.close()
        await desk.stop()
        await printing.stop()
        await presence.stop()
        self.window.close()

    def _open_video_help(self, link: BusLink) -> VideoHelpDesk:
        from bus.topics import Topics
        from kiosk.calls import VideoHelpDesk
        from kiosk.ui.call.flow import VideoHelpFlow

        bus = self.settings.bus
        desk = VideoHelpDesk(link, Topics(bus.topic_root), bus.device_id, self.settings.video)
        desk.add_summary_listener(self.window.call_choice.set_queue)
        desk.start()
        self.flow = VideoHelpFlow(self.window, desk)
        return desk


def run(settings: KioskSettings, started: float) -> int:
    """Run the kiosk until SIGTERM or SIGINT; returns the exit status."""
    return run_qt_program("kiosk", lambda: KioskApp(settings, started))
