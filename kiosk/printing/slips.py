"""The slips, from templates in one place: each is a typed model, printed in Chinese and English.

Every template fits 58 and 80 mm paper: labels and values wrap to the profile's line, free text from
outside is cut after a fixed number of lines, and the QR codes are sent as data for the printer to draw.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from device.i18n import Catalogue
from hardware.printer.commands import Align, Receipt
from hardware.printer.profile import PrinterProfile

Short = Annotated[str, Field(min_length=1, max_length=64)]
Url = Annotated[str, Field(min_length=1, max_length=300)]
AGENT_TEXT_MAX_LINES = 12
LANGUAGES = ("zh-CN", "en")


class _Slip(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WifiVoucher(_Slip):
    template: Literal["wifi_voucher"] = "wifi_voucher"
    ssid: Short
    code: Short

    @property
    def qr(self) -> str:
        """The Wi-Fi QR form phones join from (special characters escaped as the format asks)."""
        return f"WIFI:T:WPA;S:{_wifi_escape(self.ssid)};P:{_wifi_escape(self.code)};;"


class FlightSlip(_Slip):
    template: Literal["flight"] = "flight"
    flight: Annotated[str, Field(pattern=r"^[A-Z0-9]{2}[A-Z]? ?[0-9]{1,5}[A-Z]?$")]
    destination_zh: Short
    destination_en: Short
    gate: Annotated[str, Field(max_length=8)] = ""
    boarding_time: Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")] | None = None
    url: Url


class AgentSlip(_Slip):
    """What an agent sent the passenger during a call (the ``print`` push)."""

    template: Literal["agent"] = "agent"
    text: Annotated[str, Field(max_length=4000)] = ""
    qr: Annotated[str, Field(max_length=1000)] = ""


class QueueTicket(_Slip):
    template: Literal["queue_ticket"] = "queue_ticket"
    number: Annotated[str, Field(pattern=r"^[A-Z]?[0-9]{1,4}$")]
    service_zh: Short
    service_en: Short


class TestPage(_Slip):
    template: Literal["test_page"] = "test_page"
    firmware: Annotated[str, Field(max_length=200)] = ""


Slip = Annotated[WifiVoucher | FlightSlip | AgentSlip | QueueTicket | TestPage, Field(discriminator="template")]
TEMPLATES = ("wifi_voucher", "flight", "agent", "queue_ticket", "test_page")
_SLIP = TypeAdapter[Slip](Slip)


class UnknownTemplate(ValueError):
    """A slip whose template this kiosk does not have."""


class BadSlip(ValueError):
    """A slip of a known template with fields that do not fit it."""


def slip_from_data(data: dict[str, Any]) -> Slip:
    """The slip for ``data`` (as stored in the queue or received); raises UnknownTemplate or BadSlip."""
    template = data.get("template")
    if template not in TEMPLATES:
        raise UnknownTemplate(f"no slip template {template!r}; known: {', '.join(TEMPLATES)}")
    try:
        return _SLIP.validate_python(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'][1:]))}: {e['msg']}" for e in exc.errors())
        raise BadSlip(f"{template} slip: {problems}") from exc


def agent_slip(text: str, qr: str | None) -> AgentSlip:
    """The slip for an agent's ``print`` push: its ``text``, and its ``url`` as the QR."""
    return AgentSlip(text=text[:4000], qr=(qr or "")[:1000])


def slip_data(slip: Slip) -> dict[str, Any]:
    return slip.model_dump(mode="json")


CHARACTER_CLASSES = (
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "abcdefghijklmnopqrstuvwxyz",
    "0123456789 !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~",
    "中文：海口美兰国际机场欢迎您",
    "全角：，。！？（）【】《》“”",
    "Latin: café Zürich",
    "ΑΒΓΔ αβγδ АБВГ абвг ①②③",
    "Not printable, shown as ?: Å 😀",
)


class SlipPrinter:
    """Turns a slip into ESC/POS bytes for one printer profile, with texts from the slip catalogue."""

    def __init__(self, profile: PrinterProfile, texts: Catalogue, now: Callable[[], datetime] = datetime.now) -> None:
        self.profile = profile
        self._texts = texts
        self._now = now

    def render(self, slip: Slip, *, raster_qr: bool = False) -> bytes:
        receipt = Receipt(self.profile)
        self._header(receipt)
        match slip:
            case WifiVoucher():
                self._wifi(receipt, slip, raster_qr)
            case FlightSlip():
                self._flight(receipt, slip, raster_qr)
            case AgentSlip():
                self._agent(receipt, slip, raster_qr)
            case QueueTicket():
                self._queue(receipt, slip)
            case TestPage():
                self._test_page(receipt, slip, raster_qr)
        receipt.rule()
        self._both(receipt, "slip.printed_at", align="center", time=self._now().strftime("%Y-%m-%d %H:%M"))
        receipt.cut()
        return bytes(receipt)

    def _text(self, language: str, key: str, **params: object) -> str:
        return self._texts.text(language, key, **params)

    def _both(
        self, receipt: Receipt, key: str, *, bold: bool = False, size: int = 1, align: Align = "left", **params: object
    ) -> None:
        """One line in each language (the same text once when both languages say the same)."""
        zh, en = (self._text(language, key, **params) for language in LANGUAGES)
        for text in (zh, en) if zh != en else (zh,):
            receipt.paragraph(text, bold=bold, size=size, align=align)

    def _header(self, receipt: Receipt) -> None:
        self._both(receipt, "slip.airport", bold=True, align="center")
        receipt.rule()

    def _title(self, receipt: Receipt, key: str) -> None:
        self._both(receipt, key, bold=True, size=2, align="center")
        receipt.feed(1)

    def _wifi(self, receipt: Receipt, slip: WifiVoucher, raster_qr: bool) -> None:
        self._title(receipt, "slip.wifi_title")
        self._both(receipt, "slip.wifi_network", ssid=slip.ssid)
        self._both(receipt, "slip.wifi_code", bold=True, code=slip.code)
        receipt.qr(slip.qr, raster=raster_qr)
        self._both(receipt, "slip.wifi_scan", align="center")

    def _flight(self, receipt: Receipt, slip: FlightSlip, raster_qr: bool) -> None:
        self._title(receipt, "slip.flight_title")
        receipt.paragraph(slip.flight, bold=True, size=2, align="center")
        receipt.paragraph(self._text("zh-CN", "slip.flight_destination", destination=slip.destination_zh))
        receipt.paragraph(self._text("en", "slip.flight_destination", destination=slip.destination_en))
        if slip.gate:
            self._both(
                receipt,
                "slip.flight_gate",
                bold=True,
                size=2 if self.profile.chars_per_line >= 40 else 1,
                gate=slip.gate,
            )
        if slip.boarding_time:
            self._both(receipt, "slip.flight_boarding", bold=True, time=slip.boarding_time)
        receipt.qr(slip.url, raster=raster_qr)
        self._both(receipt, "slip.flight_scan", align="center")
        self._both(receipt, "slip.flight_check", align="center")

    def _agent(self, receipt: Receipt, slip: AgentSlip, raster_qr: bool) -> None:
        self._both(receipt, "slip.agent_title", bold=True, align="center")
        receipt.feed(1)
        if slip.text:
            receipt.paragraph(slip.text, max_lines=AGENT_TEXT_MAX_LINES)
        if slip.qr:
            receipt.feed(1)
            receipt.qr(slip.qr, raster=raster_qr)
            self._both(receipt, "slip.agent_scan", align="center")

    def _queue(self, receipt: Receipt, slip: QueueTicket) -> None:
        self._title(receipt, "slip.queue_title")
        receipt.paragraph(slip.number, bold=True, size=3, align="center")
        receipt.feed(1)
        receipt.paragraph(self._text("zh-CN", "slip.queue_service", service=slip.service_zh), max_lines=2)
        receipt.paragraph(self._text("en", "slip.queue_service", service=slip.service_en), max_lines=2)
        self._both(receipt, "slip.queue_wait", align="center")

    def _test_page(self, receipt: Receipt, slip: TestPage, raster_qr: bool) -> None:
        self._title(receipt, "slip.test_title")
        self._both(receipt, "slip.test_profile", profile=self.profile.describe())
        self._both(receipt, "slip.test_firmware", firmware=slip.firmware or "-")
        self._both(receipt, "slip.test_characters", bold=True)
        for sample in CHARACTER_CLASSES:
            receipt.paragraph(sample)
        receipt.paragraph("Bold 粗体", bold=True)
        receipt.paragraph("2x 倍高", size=2)
        self._both(receipt, "slip.test_qr", bold=True)
        receipt.qr(f"TEST {self.profile.paper_mm}mm 测试", raster=raster_qr)


def _wifi_escape(value: str) -> str:
    for char in '\\;,:"':
        value = value.replace(char, "\\" + char)
    return value
