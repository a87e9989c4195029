"""Builds the kiosk's printer service from ``[printer]``: Qt-free, like ``kiosk.calls``."""

from __future__ import annotations

from pathlib import Path

from bus.link import BusLink
from bus.topics import Topics
from device.commands import DeviceCommands
from device.events import DeviceEvents
from device.i18n import Catalogue
from device.presence import DevicePresence
from hardware.printer.driver import PrinterDriver
from hardware.printer.port import SerialPort
from hardware.printer.profile import PrinterProfile
from hardware.printer.settings import PrinterSection
from kiosk.printing.commands import print_test_command
from kiosk.printing.queue import FILE_NAME, JobQueue
from kiosk.printing.service import EventSink, PrinterService
from kiosk.printing.slips import SlipPrinter
from kiosk.printing.wifi import WifiCodes
from kiosk.settings import KioskSettings


def slip_texts() -> Catalogue:
    return Catalogue.from_package("kiosk.printing")


def open_printer(settings: PrinterSection, state_dir: Path, events: EventSink) -> PrinterService:
    """The printer service (not yet started); without ``enabled`` it has no printer and says ``absent``."""
    driver = None
    if settings.enabled:
        port = SerialPort(settings.port, settings.baud, settings.flow_control)
        driver = PrinterDriver(port, settings.reply_timeout_s, settings.reopen_max_s)
    state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)  # print jobs hold what passengers print
    queue = JobQueue(state_dir / FILE_NAME)
    slips = SlipPrinter(PrinterProfile.from_settings(settings), slip_texts())
    return PrinterService(driver, queue, slips, settings, events)


def open_wifi_codes(settings: PrinterSection, state_dir: Path) -> WifiCodes:
    return WifiCodes(settings.wifi_codes_file, state_dir / FILE_NAME)


class KioskPrinting:
    """The printer parts of a running kiosk: the service, its events, its health, and ``print_test``."""

    def __init__(self, settings: KioskSettings, link: BusLink, presence: DevicePresence) -> None:
        topics = Topics(settings.bus.topic_root)
        device_id = settings.bus.device_id
        self.events = DeviceEvents(link, topics, device_id, settings.app.state_dir)
        self.service = open_printer(settings.printer, settings.app.state_dir, self.events.emit)
        self.wifi_codes = open_wifi_codes(settings.printer, settings.app.state_dir)
        self.commands = DeviceCommands(link, topics, device_id)
        self.commands.register("print_test", print_test_command(self.service))
        presence.add_health_extras(lambda health: health.model_copy(update={"printer": self.service.health()}))
        self.service.add_state_listener(lambda _state: presence.health_changed())

    async def start(self) -> None:
        self.events.start()
        await self.service.start()

    async def stop(self) -> None:
        await self.commands.stop()
        await self.service.stop()
        self.wifi_codes.close()
        self.events.close()
