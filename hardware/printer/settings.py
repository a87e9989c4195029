"""The ``[printer]`` settings section: the port, the line, the paper, and the queue's patience."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator, model_validator

from config.sections import Section

BAUD_RATES = (9600, 19200, 38400, 57600, 115200)
PAPER_WIDTHS_MM = (58, 80)


class FlowControl(StrEnum):
    NONE = "none"
    RTS_CTS = "rtscts"
    XON_XOFF = "xonxoff"


class PrinterSection(Section):
    """The thermal ticket printer on a serial line (USB-serial, RS-232, or a pyserial URL)."""

    enabled: bool = Field(default=False, description="Whether this kiosk has a ticket printer.")
    port: str = Field(
        default="/dev/ttyUSB0",
        description="Device path (/dev/ttyUSB0, a stable udev name such as /dev/printer) or a pyserial URL.",
    )
    baud: int = Field(default=9600, description="Line speed in bits per second; must match the printer's DIP switches.")
    flow_control: FlowControl = Field(default=FlowControl.NONE, description="none, rtscts or xonxoff.")
    paper_mm: int = Field(default=80, description="Paper width in millimetres: 58 or 80.")
    chars_per_line: Annotated[int, Field(ge=16, le=64)] | None = Field(
        default=None, description="Characters per line in font A; 32 for 58 mm and 48 for 80 mm if unset."
    )
    chinese_mode: bool = Field(
        default=True,
        description="Print text as GB18030 in the printer's Chinese mode (FS &); off for a printer without it.",
    )
    status_interval_s: Annotated[float, Field(ge=0.2, le=600)] = Field(
        default=5.0, description="Seconds between status polls while idle."
    )
    reply_timeout_s: Annotated[float, Field(ge=0.05, le=30)] = Field(
        default=1.0, description="Seconds to wait for a status reply before calling the printer offline."
    )
    reopen_max_s: Annotated[float, Field(ge=0.1, le=600)] = Field(
        default=10.0, description="Cap of the delay between attempts to reopen a vanished port (doubles from 0.2 s)."
    )
    job_expiry_s: Annotated[float, Field(ge=10, le=7 * 86400)] = Field(
        default=1800.0, description="A job not printed within this many seconds is dropped (and reported)."
    )
    flight_page_url: str = Field(
        default="https://www.example-airport.cn/flight/{flight}",
        description="Address printed as the flight slip's QR; {flight} is replaced by the flight number.",
    )
    wifi_codes_file: Path | None = Field(
        default=None,
        description="Wi-Fi voucher codes, one a line, each used once; if unset codes are generated.",
    )

    @field_validator("baud")
    @classmethod
    def _a_standard_baud_rate(cls, value: int) -> int:
        if value not in BAUD_RATES:
            raise ValueError(f"must be one of {', '.join(map(str, BAUD_RATES))}")
        return value

    @field_validator("paper_mm")
    @classmethod
    def _paper_we_know(cls, value: int) -> int:
        if value not in PAPER_WIDTHS_MM:
            raise ValueError("must be 58 or 80")
        return value

    @model_validator(mode="after")
    def _line_fits_the_paper(self) -> PrinterSection:
        if self.chars_per_line is not None and self.chars_per_line > {58: 42, 80: 64}[self.paper_mm]:
            raise ValueError(f"chars_per_line {self.chars_per_line} does not fit {self.paper_mm} mm paper")
        return self
