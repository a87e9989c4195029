"""What has been printed on one receipt: lines of styled text, QR codes, images, barcodes, blank feed."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Run:
    text: str
    bold: bool
    width: int
    height: int
    underline: bool


@dataclass
class TextLine:
    runs: list[Run]
    align: str

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)


@dataclass
class QrCode:
    data: str
    module_dots: int
    error_correction: int
    align: str


@dataclass
class Raster:
    width_dots: int
    height_dots: int
    bits: bytes
    align: str


@dataclass
class Barcode:
    system: int
    data: str
    align: str


@dataclass
class Feed:
    dots: int


Element = TextLine | QrCode | Raster | Barcode | Feed


@dataclass
class Receipt:
    paper_mm: int
    elements: list[Element] = field(default_factory=list)
    cut: bool = False
    complete: bool = True
    wrapped_lines: int = 0
    unknown: list[str] = field(default_factory=list)

    @property
    def text_lines(self) -> list[str]:
        return [element.text for element in self.elements if isinstance(element, TextLine)]

    @property
    def qr_payloads(self) -> list[str]:
        return [element.data for element in self.elements if isinstance(element, QrCode)]

    @property
    def is_empty(self) -> bool:
        return not self.elements and not self.unknown
