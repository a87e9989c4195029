"""The signage program: the device services (presence, flight store, commands) and the display."""

from __future__ import annotations

import asyncio
import logging

from bus.messages import DeviceKind
from bus.topics import Topics
from config.version import program_version
from device.commands import DeviceCommands
from device.disk import guard_disk
from device.events import DeviceEvents
from device.flights.store import FlightStore
from device.i18n import Catalogue
from device.logs import install_log_ring
from device.maintenance import RESTART_EXIT_STATUS, register_device_commands, register_flight_commands
from device.notice import NoticeBoard
from device.presence import connect_device
from device.ui.grab import screenshot_of
from device.ui.runner import run_qt_program
from signage.screen import SCREEN_COMMAND, ScreenControl, ScreenSchedule, screen_command
from signage.settings import SignageSettings
from signage.ui.board import SignageBoard

log = logging.getLogger(__name__)


class SignageApp:
    def __init__(self, settings: SignageSettings) -> None:
        self.settings = settings
        password = settings.bus.password
        self.logs = install_log_ring([password.get_secret_value()] if password is not None else [])
        self.restart_requested = False
        self.notices = NoticeBoard()
        self.link, self.presence = connect_device(
            settings.bus, settings.app, DeviceKind.SIGNAGE, program_version(), settings.health.interval_s
        )
        topics = Topics(settings.bus.topic_root)
        self.store = FlightStore(settings.app.state_dir)  # the last boards from disk, before the broker answers
        self.store.attach(self.link, topics)
        # the disk is watched from presence.start() on, once the board shows; its events are signage's only ones
        disk_events = DeviceEvents(self.link, topics, settings.bus.device_id, settings.app.state_dir)
        guard_disk(settings.health, settings.app.state_dir, self.presence, disk_events, own_events=True)
        self.screen = ScreenControl(ScreenSchedule(settings.schedule))
        catalogue = Catalogue.from_package("signage")
        self.board = SignageBoard(
            settings.bus.site,
            settings.bus.location,
            settings.display,
            catalogue,
            self.store,
            self.screen,
            notices=self.notices,
        )
        self.commands = DeviceCommands(self.link, topics, settings.bus.device_id)
        self.commands.register(SCREEN_COMMAND, screen_command(self.screen, self.board.apply_screen))
        register_flight_commands(self.commands, self.store)
        register_device_commands(
            self.commands,
            notices=self.notices,
            logs=self.logs,
            restart=self.request_restart,
            grab=lambda: screenshot_of(self.board),
        )
        self.link.add_state_listener(lambda state, _detail: self.board.set_connection(state.value))
        self._quit = asyncio.Event()

    def request_quit(self) -> None:
        self._quit.set()

    def request_restart(self) -> None:
        """``restart_app``: stop as on SIGTERM, then exit with RESTART_EXIT_STATUS (see :func:`run`)."""
        log.warning("restart asked for by central: stopping")
        self.restart_requested = True
        self._quit.set()

    async def run(self) -> None:
        display = self.settings.display
        if display.fullscreen:
            self.board.showFullScreen()
        else:
            self.board.resize(display.width, display.height)
            self.board.show()
        await self.link.start()
        await self.presence.start()
        print(f"signage: {self.settings.bus.device_id} showing its {display.mode}", flush=True)
        await self._quit.wait()
        await self.commands.stop()
        await self.presence.stop()
        self.store.close()
        self.board.stop()
        self.board.close()


def run(settings: SignageSettings) -> int:
    """Run until SIGTERM, SIGINT or ``restart_app`` (then the service manager starts a fresh process)."""
    built: list[SignageApp] = []

    def build() -> SignageApp:
        built.append(SignageApp(settings))
        return built[0]

    status = run_qt_program("signage", build)
    if status == 0 and built and built[0].restart_requested:
        return RESTART_EXIT_STATUS
    return status
