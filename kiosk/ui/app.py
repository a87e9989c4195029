"""The kiosk program: Qt and asyncio on one thread (qasync), the bus presence, and the window."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib
import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

from config.version import program_version

if TYPE_CHECKING:
    from bus.link import BusLink
    from device.flights.store import FlightStore
    from kiosk.calls import VideoHelpDesk
    from kiosk.printing.setup import KioskPrinting
    from kiosk.ui.call.flow import VideoHelpFlow
    from kiosk.ui.print_actions import PrintActions
    from kiosk.ui.scan.flow import ScanFlow
from device.i18n import Catalogue
from device.logs import install_log_ring
from device.ui.runner import run_qt_program
from kiosk.session import PassengerSession
from kiosk.settings import KioskSettings
from kiosk.ui.window import KioskWindow

log = logging.getLogger(__name__)


class FirstPaint(QObject):
    """Reports the first paint of the home screen once, as a log line (the start-up benchmark reads it)."""

    def __init__(self, window: KioskWindow, started: float) -> None:
        super().__init__(window)
        self._started = started
        self.done = False
        self.reported = asyncio.Event()
        window.home.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self.done:
            self.done = True
            watched.removeEventFilter(self)  # once is enough: Qt allows this from inside the filter
            elapsed_ms = (time.monotonic() - self._started) * 1000
            cpu_ms = time.process_time() * 1000  # the whole process's, interpreter start included
            QTimer.singleShot(0, lambda: self._report(elapsed_ms, cpu_ms))
        return False

    def _report(self, elapsed_ms: float, cpu_ms: float) -> None:
        offscreen = QApplication.platformName() == "offscreen"
        where = " (offscreen)" if offscreen else ""
        print(f"kiosk: home screen painted{where} {elapsed_ms:.0f} ms after start, {cpu_ms:.0f} ms CPU", flush=True)
        self.reported.set()


class HomeScreenshot:
    """The ``[ui] screenshot`` PNG of the home screen: taken once the connection light shows the kiosk
    online (a picture taken at the first paint always says "connecting"), or after ``online_wait_s`` with
    whatever it shows then."""

    ONLINE_WAIT_S = 15.0

    def __init__(self, window: KioskWindow, path: Path, online_wait_s: float = ONLINE_WAIT_S) -> None:
        self._window = window
        self._path = path
        self._online_wait_s = online_wait_s
        self._online = asyncio.Event()

    def connection_changed(self, state: str) -> None:
        if state == "online":
            self._online.set()

    async def save(self) -> bool:
        """Wait for online (or the time limit), then save; True when the file was written."""
        try:
            await asyncio.wait_for(self._online.wait(), self._online_wait_s)
        except TimeoutError:
            log.warning(
                "not online after %.0f s: the screenshot shows the connection as %s",
                self._online_wait_s,
                self._window.top_bar.connection.state,
            )
        self._path.parent.mkdir(parents=True, exist_ok=True)
        if not self._window.grab().save(str(self._path)):
            log.warning("could not save the home screen screenshot to %s", self._path)
            return False
        print(f"kiosk: screenshot of the home screen saved to {self._path}", flush=True)
        return True


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
        self.print_actions: PrintActions | None = None
        password = settings.bus.password
        self.logs = install_log_ring([password.get_secret_value()] if password is not None else [])
        self.restart_requested = False
        self.scan: ScanFlow | None = None
        self.flight_store: FlightStore | None = None
        self._quit = asyncio.Event()

    def request_quit(self) -> None:
        self._quit.set()

    def request_restart(self) -> None:
        """``restart_app``: stop as on SIGTERM, then exit with RESTART_EXIT_STATUS (see :func:`run`)."""
        log.warning("restart asked for by central: stopping")
        self.restart_requested = True
        self._quit.set()

    async def run(self) -> None:
        first_paint = FirstPaint(self.window, self._started)
        ui = self.settings.ui
        if ui.fullscreen:
            self.window.showFullScreen()
        else:
            self.window.resize(ui.width, ui.height)
            self.window.show()
        self.window.idle.start()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(first_paint.reported.wait(), self.FIRST_PAINT_WAIT_S)
        _collect_again()
        # the other screens, so that the first tap finds its screen built (they took half of the start)
        self.window.build_screens()

        # after the first paint, see the class docstring
        from bus.messages.device import DeviceKind
        from device.presence import connect_device

        link, presence = connect_device(
            self.settings.bus, self.settings.app, DeviceKind.KIOSK, program_version(), self.settings.health.interval_s
        )
        link.add_state_listener(lambda state, _detail: self.window.set_connection(state.value))
        self._follow_central(link)
        screenshot: asyncio.Task[bool] | None = None
        if self.settings.ui.screenshot:
            shot = HomeScreenshot(self.window, Path(self.settings.ui.screenshot))
            link.add_state_listener(lambda state, _detail: shot.connection_changed(state.value))
            screenshot = asyncio.ensure_future(shot.save())
        desk = self._open_video_help(link)
        flight_store = self._open_flights(link)
        self.scan = self._open_scanning(desk, flight_store)
        presence.add_health_extras(lambda health: health.model_copy(update={"camera": desk.camera_health()}))
        desk.add_camera_listener(lambda _state: presence.health_changed())
        from kiosk.printing.setup import KioskPrinting
        from kiosk.ui.print_actions import PrintActions

        self.printing = printing = KioskPrinting(self.settings, link, presence)
        self.session.report_lookups_to(printing.events.emit)  # flights looked up: demand, on the outbox
        self._add_commands(printing, flight_store)
        from device.disk import guard_disk  # after the first paint, like every service

        guard_disk(self.settings.health, self.settings.app.state_dir, presence, printing.events)
        # the Wi-Fi tile and the agents' slips; it follows the printer's state from here on
        self.print_actions = print_actions = PrintActions(self.window, printing, self.settings.info.wifi_ssid)
        self._open_feedback()
        await link.start()
        await presence.start()
        await printing.start()
        # aiortc, av and the session's code (about a second of imports): loaded now, in a thread, rather than
        # when the first passenger taps Video help; the camera stays closed until a call or a scan
        warm = asyncio.ensure_future(asyncio.to_thread(importlib.import_module, "video.session"))
        log.info("kiosk %s started (version %s)", self.settings.bus.device_id, program_version())
        await self._quit.wait()
        log.info("kiosk %s shutting down", self.settings.bus.device_id)
        self.window.idle.stop()
        if screenshot is not None:
            screenshot.cancel()
        try:
            await warm
        except ImportError:
            log.exception("the call stack could not be loaded: video help will fail")
        if self.flow is not None:
            await self.flow.close()
        if self.scan is not None:
            await self.scan.close()
        await desk.stop()
        print_actions.close()
        await printing.stop()
        await presence.stop()
        flight_store.close()
        self.window.close()

    def _follow_central(self, link: BusLink) -> None:
        """Central's retained status: while it is gone the Video help tile says so (kiosk.ui.video_help_state)."""
        from kiosk.ui.video_help_state import follow_central

        follow_central(link, self.settings.bus.topic_root, self.window.set_central_online)

    def _open_feedback(self) -> None:
        """The suggestion or complaint form posts to central's pages (see kiosk.case_callback)."""
        from kiosk.case_callback import fetch_categories, post_feedback

        central, device = self.settings.info.central_url, self.settings.bus.device_id
        form = self.window.feedback
        form.fetch_categories = lambda: fetch_categories(central)
        form.send_feedback = lambda category, text, phone: post_feedback(central, device, category, text, phone)

    def _add_commands(self, printing: KioskPrinting, flight_store: FlightStore) -> None:
        """The fleet commands besides ``print_test``, on the same ``cmd`` subscription."""
        from device.maintenance import register_device_commands, register_flight_commands
        from device.ui.grab import screenshot_of

        register_flight_commands(printing.commands, flight_store)
        register_device_commands(
            printing.commands,
            notices=self.window.notices,
            logs=self.logs,
            restart=self.request_restart,
            grab=lambda: screenshot_of(self.window),
        )

    def _open_flights(self, link: BusLink) -> FlightStore:
        """The boards from the bus, starting from the last ones on disk; the Flights screen follows them."""
        from bus.topics import Topics
        from device.flights.store import FlightStore

        self.flight_store = store = FlightStore(self.settings.app.state_dir)
        store.attach(link, Topics(self.settings.bus.topic_root))
        self.window.flights.set_boards(store)
        return store

    def _open_video_help(self, link: BusLink) -> VideoHelpDesk:
        from bus.topics import Topics
        from kiosk.calls import VideoHelpDesk
        from kiosk.ui.call.flow import VideoHelpFlow

        bus = self.settings.bus
        desk = VideoHelpDesk(
            link, Topics(bus.topic_root), bus.device_id, self.settings.video, phone_url=self.settings.info.central_url
        )
        self.window.waiting.long_wait_s = self.settings.ui.continue_on_phone_after_s
        desk.add_summary_listener(self.window.call_choice.set_queue)
        desk.start()
        self.flow = VideoHelpFlow(self.window, desk)
        return desk

    def _open_scanning(self, desk: VideoHelpDesk, flight_store: FlightStore) -> ScanFlow:
        """The Scan screen's flow, on the one camera owner (video help's): opened on the first scan."""
        from bus.messages.flights import Direction
        from hardware.camera import CameraOwner
        from kiosk.scanning.flight import Departures
        from kiosk.ui.scan.flow import ScanFlow

        async def camera() -> CameraOwner | None:
            await desk.prepare()
            return desk.camera

        site = self.settings.bus.site

        def departures() -> Departures:  # a pass is looked up on the live board (or the last one on disk)
            return Departures(tuple(flight_store.flights(Direction.DEPARTURES)), site, flight_store.site_tz())

        return ScanFlow(self.window, camera, departures, self.settings.info.central_url)


def _collect_again() -> None:
    """Turn the garbage collector back on if the start turned it off (kiosk/__main__.py, :func:`run`).

    What the start made lives as long as the program: frozen, later collections need not walk it again.
    """
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def run(settings: KioskSettings, started: float) -> int:
    """Run the kiosk until SIGTERM, SIGINT or ``restart_app``; returns the exit status.

    ``restart_app`` ends the process rather than re-executing it: the service manager (systemd) then starts
    a fresh one, with fresh file handles, Qt state and watchdog, and its journal shows the restart.
    """
    from device.maintenance import RESTART_EXIT_STATUS

    gc.disable()  # until the first paint, as in kiosk/__main__.py, for the ``kiosk`` command too
    built: list[KioskApp] = []

    def build() -> KioskApp:
        built.append(KioskApp(settings, started))
        return built[0]

    status = run_qt_program("kiosk", build)
    if status == 0 and built and built[0].restart_requested:
        return RESTART_EXIT_STATUS
    return status
