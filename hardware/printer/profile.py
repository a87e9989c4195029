"""What the templates need to know about a printer: paper width in dots and in characters."""

from __future__ import annotations

from dataclasses import dataclass

from hardware.printer.settings import PrinterSection

DOTS_PER_MM = 8  # 203 dpi, the thermal printers we buy
PRINTABLE_DOTS = {58: 384, 80: 576}
FONT_A_DOT_WIDTH = 12


@dataclass(frozen=True)
class PrinterProfile:
    paper_mm: int
    chars_per_line: int
    chinese_mode: bool = True

    @property
    def dots(self) -> int:
        return PRINTABLE_DOTS[self.paper_mm]

    @classmethod
    def for_paper(cls, paper_mm: int, chinese_mode: bool = True) -> PrinterProfile:
        return cls(paper_mm, PRINTABLE_DOTS[paper_mm] // FONT_A_DOT_WIDTH, chinese_mode)

    @classmethod
    def from_settings(cls, section: PrinterSection) -> PrinterProfile:
        default = cls.for_paper(section.paper_mm, section.chinese_mode)
        if section.chars_per_line is None:
            return default
        return cls(section.paper_mm, section.chars_per_line, section.chinese_mode)

    def describe(self) -> str:
        mode = "GB18030" if self.chinese_mode else "code page 437"
        return f"{self.paper_mm} mm, {self.chars_per_line} chars/line, {self.dots} dots, {mode}"
