"""The signage program: the device services (presence, flight store, commands) and the display."""

from __future__ import annotations

import asyncio
import logging

from bus.messages import DeviceKind
from bus.topics import Topics
from config.version import program_version
from device.commands import DeviceCommands
from device.flights.store import FlightStore
from device.i18n import Catalogue
from device.presence import connect_device
from device.ui.runner import run_qt_program
from signage.screen import SCREEN_COMMAND, ScreenControl, ScreenSchedule, screen_command
from signage.settings import SignageSettings
from signage.ui.board import SignageBoard

log = logging.getLogger(__name__)


class SignageApp:
    def __init__(self, settings: SignageSettings) -> None:
        self.settings = settings
        self.link, self.presence = connect_device(
            settings.bus, settings.app, DeviceKind.SIGNAGE, program_version(), settings.health.interval_s
        )
        topics = Topics(settings.bus.topic_root)
        self.store = FlightStore(settings.app.state_dir)  # the last boards from disk, before the broker answers
        self.store.attach(self.link, topics)
        self.screen = ScreenControl(ScreenSchedule(settings.schedule))
        catalogue = Catalogue.from_package("signage")
        self.board = SignageBoard(
            settings.bus.site, settings.bus.location, settings.display, catalogue, self.store, self.screen
        )
        self.commands = DeviceCommands(self.link, topics, settings.bus.device_id)
        self.commands.register(SCREEN_COMMAND, screen_command(self.screen, self.board.apply_screen))
        self.link.add_state_listener(lambda state, _detail: self.board.set_connection(state.value))
        self._quit = asyncio.Event()

    def request_quit(self) -> None:
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
    return run_qt_program("signage", lambda: SignageApp(settings))
