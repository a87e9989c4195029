"""A receipt as a PNG the width of the paper, and its text and QR payloads as JSON beside it.

Text is drawn with a CJK font found with ``fc-match`` (Chinese characters take two columns, as on the
printer); QR codes are drawn from their data, so a test can decode them back and compare.
"""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
from pathlib import Path

import qrcode
from PIL import Image, ImageDraw, ImageFont

from hardware.printer.commands import char_width
from hardware.printer.emulator.printer import LINE_DOTS
from hardware.printer.emulator.receipt import Barcode, Feed, QrCode, Raster, Receipt, TextLine
from hardware.printer.profile import DOTS_PER_MM, FONT_A_DOT_WIDTH, PRINTABLE_DOTS

FONT_DOTS = 24
FALLBACK_FONTS = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
)
_QR_LEVELS = (
    qrcode.constants.ERROR_CORRECT_L,
    qrcode.constants.ERROR_CORRECT_M,
    qrcode.constants.ERROR_CORRECT_Q,
    qrcode.constants.ERROR_CORRECT_H,
)
TORN_EDGE_DOTS = 12


@functools.cache
def cjk_font_path() -> Path:
    """A font with Chinese glyphs: what fontconfig says for zh-cn, else a known path."""
    if shutil.which("fc-match"):
        found = subprocess.run(
            ["fc-match", "-f", "%{file}", ":lang=zh-cn"], capture_output=True, text=True, check=False, timeout=10
        ).stdout.strip()
        if found and Path(found).exists():
            return Path(found)
    for path in FALLBACK_FONTS:
        if path.exists():
            return path
    raise FileNotFoundError("no CJK font found (install fonts-wqy-microhei)")


@functools.cache
def _font(height_dots: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(cjk_font_path()), height_dots)


def render_png(receipt: Receipt) -> Image.Image:
    printable = PRINTABLE_DOTS[receipt.paper_mm]
    paper = receipt.paper_mm * DOTS_PER_MM
    margin = (paper - printable) // 2
    blocks = [_element_image(element, printable) for element in receipt.elements]
    height = sum(block.height for block in blocks) + 2 * margin + (0 if receipt.complete else TORN_EDGE_DOTS)
    page = Image.new("L", (paper, max(height, 2 * margin)), 255)
    y = margin
    for block in blocks:
        page.paste(block, (margin, y))
        y += block.height
    if not receipt.complete:
        draw = ImageDraw.Draw(page)
        for x in range(0, paper, 12):  # a torn edge says "this one did not finish"
            draw.line([(x, page.height - 1), (x + 6, page.height - TORN_EDGE_DOTS), (x + 12, page.height - 1)], 0)
    return page


def _element_image(element: TextLine | QrCode | Raster | Barcode | Feed, printable: int) -> Image.Image:
    if isinstance(element, Feed):
        return Image.new("L", (printable, element.dots), 255)
    if isinstance(element, TextLine):
        return _text_line(element, printable)
    if isinstance(element, QrCode):
        return _placed(_qr(element), element.align, printable)
    if isinstance(element, Raster):
        return _placed(_raster(element), element.align, printable)
    return _barcode(element, printable)


def _text_line(line: TextLine, printable: int) -> Image.Image:
    height = max((run.height for run in line.runs), default=1) * LINE_DOTS
    image = Image.new("L", (printable, height), 255)
    draw = ImageDraw.Draw(image)
    used = sum(char_width(c) * FONT_A_DOT_WIDTH * run.width for run in line.runs for c in run.text)
    x = {"left": 0, "center": (printable - used) // 2, "right": printable - used}[line.align]
    for run in line.runs:
        font = _font(FONT_DOTS * run.height)
        for char in run.text:
            cell = char_width(char) * FONT_A_DOT_WIDTH * run.width
            natural = char_width(char) * FONT_A_DOT_WIDTH * run.height
            drawn = max(natural, int(font.getlength(char)) + 2)
            glyph = Image.new("L", (drawn, LINE_DOTS * run.height), 255)
            # the baseline sits at 80 % of the cell so that descenders (g, y, p) stay on the paper
            baseline = (int(FONT_DOTS * 0.8) + 1) * run.height
            ImageDraw.Draw(glyph).text(
                (0, baseline), char, font=font, fill=0, anchor="ls", stroke_width=1 if run.bold else 0
            )
            # a proportional font's W or M is wider than the printer's 12-dot cell: squeeze it in
            if glyph.width != cell:
                glyph = glyph.resize((cell, glyph.height))
            image.paste(glyph, (x, height - glyph.height))
            if run.underline:
                draw.line([(x, height - 2), (x + cell, height - 2)], 0, 2)
            x += cell
    return image


def _qr(element: QrCode) -> Image.Image:
    code = qrcode.QRCode(
        box_size=element.module_dots, border=4, error_correction=_QR_LEVELS[min(3, max(0, element.error_correction))]
    )
    code.add_data(element.data)
    code.make(fit=True)
    matrix = code.get_matrix()
    size = len(matrix) * element.module_dots
    image = Image.new("L", (size, size), 255)
    draw = ImageDraw.Draw(image)
    for row, cells in enumerate(matrix):
        for col, dark in enumerate(cells):
            if dark:
                x, y = col * element.module_dots, row * element.module_dots
                draw.rectangle([x, y, x + element.module_dots - 1, y + element.module_dots - 1], 0)
    return image


def _raster(element: Raster) -> Image.Image:
    image = Image.frombytes("1", (element.width_dots, element.height_dots), element.bits)
    # in ESC/POS a set bit is a black dot; in PIL's mode "1" it is white
    return Image.eval(image.convert("L"), lambda value: 255 - value)


def _barcode(element: Barcode, printable: int) -> Image.Image:
    image = Image.new("L", (printable, 3 * LINE_DOTS), 255)
    draw = ImageDraw.Draw(image)
    x = 10
    for index, char in enumerate(element.data.encode()):
        for bit in range(8):
            if (char >> bit) & 1 and x < printable - 10:
                draw.line([(x, 2), (x, 2 * LINE_DOTS)], 0, 2 if index % 2 else 1)
            x += 3
    draw.text((10, 2 * LINE_DOTS + 2), element.data, font=_font(FONT_DOTS - 4), fill=0)
    return image


def _placed(image: Image.Image, align: str, printable: int) -> Image.Image:
    if image.width > printable:
        image = image.crop((0, 0, printable, image.height))  # the head is only so wide
    row = Image.new("L", (printable, image.height), 255)
    x = {"left": 0, "center": (printable - image.width) // 2, "right": printable - image.width}.get(align, 0)
    row.paste(image, (x, 0))
    return row


def receipt_record(receipt: Receipt, index: int) -> dict[str, object]:
    return {
        "index": index,
        "paper_mm": receipt.paper_mm,
        "complete": receipt.complete,
        "cut": receipt.cut,
        "text": receipt.text_lines,
        "qr": receipt.qr_payloads,
        "barcodes": [element.data for element in receipt.elements if isinstance(element, Barcode)],
        "images": sum(1 for element in receipt.elements if isinstance(element, Raster)),
        "wrapped_lines": receipt.wrapped_lines,
        "unknown_commands": receipt.unknown,
    }


def save(receipt: Receipt, folder: Path, index: int) -> Path:
    """Write ``receipt-NNNN.png`` and ``receipt-NNNN.json`` into ``folder``; returns the PNG's path."""
    folder.mkdir(parents=True, exist_ok=True)
    png = folder / f"receipt-{index:04d}.png"
    render_png(receipt).save(png)
    record = json.dumps(receipt_record(receipt, index), ensure_ascii=False, indent=1)
    # the JSON appears last and whole: whoever waits for it finds the PNG done
    partial = png.with_suffix(".json.partial")
    partial.write_text(record + "\n", encoding="utf-8")
    partial.replace(png.with_suffix(".json"))
    return png
