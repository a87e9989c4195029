"""Posters for the info points: a PDF at A4 and at A5 per point, one A4 sheet of all points (cards to cut
out), and a PNG and an SVG per point for screens and print shops.

The QR is encoded once per point and drawn by every format from the same module matrix:

- error correction level Q (25 % of the code can be lost): posters hang in a terminal where they are
  scuffed, stickered over, folded and lit by glare. H (30 %) would make the modules smaller for the same
  printed size and so harder to scan from a step away; the URL is short, so Q still gives a version-4 code;
- a quiet zone of 4 modules, the minimum ISO/IEC 18004 asks for, kept white inside the poster itself so
  that a frame or a wall colour can never eat into it;
- big modules: about 2.2 mm on A4 and 1.6 mm on A5, readable by phone cameras from about a metre.

Every layout is computed once in millimetres (:func:`poster_layout`) and drawn three ways, so the PDF, the
PNG and the SVG say the same thing in the same place.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import qrcode
from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from central.points.fonts import CjkFont, find_cjk_font
from central.points.registry import InfoPoint

QUIET_ZONE_MODULES = 4
ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_Q
INSTRUCTION_ZH = "扫码查航班、视频咨询"
INSTRUCTION_EN = "Scan for flights and video help"
HEADING = "信息点 · Info point"
PNG_WIDTH_PX = 1240  # A5 at 212 dpi, A4 at 150 dpi: sharp on screens, enough for a quick print
FONT_NAME = "PosterCJK"
ACCENT = (0x1F, 0x5F, 0xBF)
SHEET_COLUMNS = 3
SHEET_ROWS = 4
PAGE_SIZES_MM = {"A4": (210.0, 297.0), "A5": (148.0, 210.0)}


def point_url(base_url: str, point_id: str) -> str:
    """What the QR says: short, the point's id in the path, ``?s=q`` so a scan counts as one."""
    return f"{base_url.rstrip('/')}/p/{point_id}?s=q"


def qr_modules(text: str) -> list[list[bool]]:
    """The code's dark modules, without a quiet zone (the layouts leave their own)."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECTION, border=0)
    code.add_data(text)
    code.make(fit=True)
    matrix: list[list[bool]] = code.get_matrix()
    return matrix


@dataclass(frozen=True)
class Text:
    x: float  # mm from the left; the centre of the line
    y: float  # mm from the top; the baseline
    size: float  # mm, the font size
    text: str
    colour: tuple[int, int, int] = (0, 0, 0)


@dataclass(frozen=True)
class Code:
    x: float  # mm, the left edge of the quiet zone
    y: float  # mm, the top edge of the quiet zone
    size: float  # mm, quiet zone included
    modules: list[list[bool]]

    @property
    def module_mm(self) -> float:
        return self.size / (len(self.modules) + 2 * QUIET_ZONE_MODULES)

    def dark_cells(self) -> Iterable[tuple[float, float, float, float]]:
        """Runs of dark modules as rectangles (x, y, width, height in mm): fewer shapes than modules."""
        step = self.module_mm
        offset = QUIET_ZONE_MODULES * step
        for row, line in enumerate(self.modules):
            column = 0
            while column < len(line):
                if not line[column]:
                    column += 1
                    continue
                start = column
                while column < len(line) and line[column]:
                    column += 1
                yield self.x + offset + start * step, self.y + offset + row * step, (column - start) * step, step


@dataclass(frozen=True)
class Layout:
    width: float
    height: float
    texts: list[Text]
    codes: list[Code]
    frames: list[tuple[float, float, float, float]]  # thin cutting guides, mm


class PosterFont:
    """The CJK font, registered once with ReportLab (for PDFs and for measuring) and opened for Pillow."""

    def __init__(self, font: CjkFont | None = None) -> None:
        self.font = font or find_cjk_font()
        if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(FONT_NAME, str(self.font.path), subfontIndex=self.font.index))
        self._pillow: dict[int, ImageFont.FreeTypeFont] = {}

    def width_mm(self, text: str, size_mm: float) -> float:
        return float(pdfmetrics.stringWidth(text, FONT_NAME, size_mm))

    def fit(self, text: str, size_mm: float, width_mm: float) -> float:
        """``size_mm``, or smaller so that ``text`` fits in ``width_mm``."""
        width = self.width_mm(text, size_mm)
        return size_mm if width <= width_mm else size_mm * width_mm / width

    def pillow(self, size_px: int) -> ImageFont.FreeTypeFont:
        if size_px not in self._pillow:
            self._pillow[size_px] = ImageFont.truetype(str(self.font.path), size_px, index=self.font.index)
        return self._pillow[size_px]


def poster_layout(point: InfoPoint, url: str, paper: str, font: PosterFont) -> Layout:
    """One point's poster on A4 or A5, portrait; A5 is A4 scaled by 1/√2, so one design serves both."""
    width, height = PAGE_SIZES_MM[paper]
    k = width / 210.0
    margin = 15 * k
    inner = width - 2 * margin
    centre = width / 2
    where = f"{point.terminal} · {point.area} · {point.floor}F"
    texts = [
        Text(centre, 26 * k, 7 * k, HEADING, ACCENT),
        Text(centre, 50 * k, font.fit(point.name.zh, 17 * k, inner), point.name.zh),
        Text(centre, 66 * k, font.fit(point.name.en, 11 * k, inner), point.name.en),
        Text(centre, 78 * k, font.fit(where, 6.5 * k, inner), where, (0x44, 0x4C, 0x5C)),
    ]
    code_size = 120 * k
    code = Code(centre - code_size / 2, 88 * k, code_size, qr_modules(url))
    below = code.y + code_size
    texts += [
        Text(centre, below + 18 * k, font.fit(INSTRUCTION_ZH, 12 * k, inner), INSTRUCTION_ZH, ACCENT),
        Text(centre, below + 32 * k, font.fit(INSTRUCTION_EN, 9 * k, inner), INSTRUCTION_EN, ACCENT),
        Text(centre, below + 46 * k, font.fit(url, 4.5 * k, inner), url, (0x44, 0x4C, 0x5C)),
        Text(centre, height - 10 * k, 3.5 * k, point.id, (0x88, 0x90, 0x9C)),
    ]
    return Layout(width, height, texts, [code], [])


def sheet_layouts(points: list[InfoPoint], base_url: str, font: PosterFont) -> list[Layout]:
    """All points on A4 pages, 3 × 4 cards each, with cutting guides: a code and a name per card."""
    width, height = PAGE_SIZES_MM["A4"]
    card_w, card_h = (width - 20) / SHEET_COLUMNS, (height - 20) / SHEET_ROWS
    per_page = SHEET_COLUMNS * SHEET_ROWS
    pages: list[Layout] = []
    for first in range(0, len(points), per_page):
        texts: list[Text] = []
        codes: list[Code] = []
        frames: list[tuple[float, float, float, float]] = []
        for slot, point in enumerate(points[first : first + per_page]):
            left = 10 + (slot % SHEET_COLUMNS) * card_w
            top = 10 + (slot // SHEET_COLUMNS) * card_h
            centre = left + card_w / 2
            frames.append((left, top, card_w, card_h))
            code_size = 40.0
            codes.append(Code(centre - code_size / 2, top + 3, code_size, qr_modules(point_url(base_url, point.id))))
            texts += [
                Text(centre, top + 49, font.fit(point.name.zh, 4.5, card_w - 6), point.name.zh),
                Text(centre, top + 54.5, font.fit(point.name.en, 3.5, card_w - 6), point.name.en),
                Text(centre, top + 59.5, font.fit(INSTRUCTION_ZH, 2.8, card_w - 6), INSTRUCTION_ZH, ACCENT),
                Text(centre, top + 63.5, font.fit(INSTRUCTION_EN, 2.6, card_w - 6), INSTRUCTION_EN, ACCENT),
                Text(centre, top + card_h - 1.5, 2.2, point.id, (0x88, 0x90, 0x9C)),
            ]
        pages.append(Layout(width, height, texts, codes, frames))
    return pages


# --- the three renderers ----------------------------------------------------------------------------


def write_pdf(path: Path, pages: list[Layout], title: str) -> None:
    first = pages[0]
    pdf = canvas.Canvas(str(path), pagesize=(first.width * mm, first.height * mm), pageCompression=1)
    pdf.setTitle(title)
    pdf.setCreator("airport-terminal central posters")
    for layout in pages:
        page_h = layout.height * mm
        pdf.setStrokeColorRGB(0.8, 0.8, 0.8)
        pdf.setLineWidth(0.3)
        pdf.setDash(2, 2)
        for x, y, w, h in layout.frames:
            pdf.rect(x * mm, page_h - (y + h) * mm, w * mm, h * mm, stroke=1, fill=0)
        pdf.setDash()
        pdf.setFillColorRGB(0, 0, 0)
        for code in layout.codes:
            for x, y, w, h in code.dark_cells():
                # a hair wider than the module, so that no white seam shows between neighbours when rasterised
                pdf.rect(x * mm, page_h - (y + h) * mm, w * mm + 0.01, h * mm + 0.01, stroke=0, fill=1)
        for text in layout.texts:
            pdf.setFillColorRGB(*(channel / 255 for channel in text.colour))
            pdf.setFont(FONT_NAME, text.size * mm)
            pdf.drawCentredString(text.x * mm, page_h - text.y * mm, text.text)
        pdf.showPage()
    pdf.save()


def write_png(path: Path, layout: Layout, font: PosterFont, width_px: int = PNG_WIDTH_PX) -> None:
    scale = width_px / layout.width
    image = Image.new("RGB", (width_px, math.ceil(layout.height * scale)), "white")
    draw = ImageDraw.Draw(image)
    for code in layout.codes:
        for x, y, w, h in code.dark_cells():
            draw.rectangle(
                (round(x * scale), round(y * scale), round((x + w) * scale) - 1, round((y + h) * scale) - 1),
                fill="black",
            )
    for text in layout.texts:
        size = max(1, round(text.size * scale))
        draw.text((text.x * scale, text.y * scale), text.text, font=font.pillow(size), fill=text.colour, anchor="ms")
    image.save(path, optimize=True)


def svg_text(layout: Layout) -> str:
    """The poster as SVG in millimetres. The text names the fonts rather than embedding one (a CJK font is
    megabytes): print shops open it where a Chinese font is installed; the PDF is the one to print as is."""
    families = (
        "'WenQuanYi Micro Hei','Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei',sans-serif"
    )
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{layout.width}mm" height="{layout.height}mm" '
        f'viewBox="0 0 {layout.width} {layout.height}">',
        f'<rect width="{layout.width}" height="{layout.height}" fill="#fff"/>',
    ]
    for code in layout.codes:
        cells = "".join(f"M{x:.3f} {y:.3f}h{w:.3f}v{h:.3f}h{-w:.3f}z" for x, y, w, h in code.dark_cells())
        parts.append(f'<path class="qr" fill="#000" shape-rendering="crispEdges" d="{cells}"/>')
    for text in layout.texts:
        colour = "#{:02x}{:02x}{:02x}".format(*text.colour)
        parts.append(
            f'<text x="{text.x:.2f}" y="{text.y:.2f}" font-size="{text.size:.2f}" text-anchor="middle" '
            f'font-family={quoteattr(families)} fill="{colour}">{escape(text.text)}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


@dataclass(frozen=True)
class PosterFiles:
    point_id: str
    a4_pdf: Path
    a5_pdf: Path
    png: Path
    svg: Path


def write_posters(
    points: list[InfoPoint], base_url: str, out_dir: Path, font: PosterFont | None = None
) -> tuple[list[PosterFiles], Path]:
    """Every point's A4 and A5 PDF, PNG and SVG, and ``all-points.pdf``; returns what was written."""
    font = font or PosterFont()
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[PosterFiles] = []
    for point in points:
        url = point_url(base_url, point.id)
        files = PosterFiles(
            point.id,
            out_dir / f"{point.id}-A4.pdf",
            out_dir / f"{point.id}-A5.pdf",
            out_dir / f"{point.id}.png",
            out_dir / f"{point.id}.svg",
        )
        title = f"{point.name.zh} · {point.name.en}"
        write_pdf(files.a4_pdf, [poster_layout(point, url, "A4", font)], title)
        write_pdf(files.a5_pdf, [poster_layout(point, url, "A5", font)], title)
        a5 = poster_layout(point, url, "A5", font)
        write_png(files.png, a5, font)
        files.svg.write_text(svg_text(a5), encoding="utf-8")
        written.append(files)
    sheet = out_dir / "all-points.pdf"
    write_pdf(sheet, sheet_layouts(points, base_url, font), "Info points · 信息点")
    return written, sheet
