"""Settings of the ``kiosk`` program: ``[app] [bus] [ui] [health] [info] [video] [printer]`` (env prefix
``KIOSK_``)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from config.sections import AppSection, DeviceBusSection, Section
from device.settings import HealthSection, Language
from hardware.printer.settings import PrinterSection
from video.settings import VideoSection

ENV_PREFIX = "KIOSK_"


class UiSection(Section):
    """What the passenger sees and how long the kiosk waits for them."""

    language: Language = Field(default="zh-CN", description="Language shown at start and after every idle reset.")
    idle_timeout_s: Annotated[float, Field(ge=1, le=3600)] = Field(
        default=90.0,
        description="Seconds without a touch after which the kiosk clears the session and goes home.",
    )
    continue_on_phone_after_s: Annotated[float, Field(ge=0, le=24 * 3600)] = Field(
        default=300.0,
        description="Expected wait in seconds from which the waiting screen offers 'continue on your phone' first,"
        " with a larger QR (it is always offered, smaller, below the place in the queue).",
    )
    monitoring_notice: bool = Field(
        default=True,
        description="Tell the passenger, before they call, that calls may be monitored by a supervisor for"
        " quality (central's [monitor] lets supervisors do it); off where calls are never monitored.",
    )
    fullscreen: bool = Field(default=True, description="Fill the screen (off for a window on a desktop).")
    width: Annotated[int, Field(ge=320, le=7680)] = Field(
        default=1080, description="Window width in pixels when not fullscreen."
    )
    height: Annotated[int, Field(ge=240, le=4320)] = Field(
        default=1920, description="Window height in pixels when not fullscreen."
    )
    screenshot: str = Field(
        default="",
        description=(
            "If set, save a PNG of the home screen to this path once the kiosk shows itself online, or after"
            " 15 s with whatever it shows then (offscreen checks)."
        ),
    )


class InfoSection(Section):
    """Facts about this airport shown on the information screen."""

    wifi_ssid: str = Field(
        default="Airport-Free-WiFi", max_length=64, description="Name of the passenger Wi-Fi network."
    )
    lost_property_phone: str = Field(default="0898-6575 1234", max_length=40, description="Lost property phone number.")
    emergency_phone: str = Field(default="0898-6575 0110", max_length=40, description="Airport emergency phone number.")
    central_url: Annotated[str, Field(pattern=r"^https?://[^/\s?#]+(/[^\s?#]*)?$")] = Field(
        default="http://127.0.0.1:8080",
        description="The address of central's pages as passengers' phones reach it (central's [http] public_url):"
        " the QR codes a passenger takes away (a flight's live page, an info point) start with it.",
    )


class KioskSettings(BaseModel):
    """Everything the kiosk reads from its TOML file and ``KIOSK_*`` variables."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    app: AppSection = Field(default_factory=AppSection)
    bus: DeviceBusSection = Field(default_factory=DeviceBusSection)
    ui: UiSection = Field(default_factory=UiSection)
    health: HealthSection = Field(default_factory=HealthSection)
    info: InfoSection = Field(default_factory=InfoSection)
    video: VideoSection = Field(default_factory=VideoSection)
    printer: PrinterSection = Field(default_factory=PrinterSection)
