"""The info points' posters: each format's QR, read back from the rendered page, is the point's URL; the
names and instructions are there in both languages; without a Chinese font the command says what to do.

Writing the posters takes over a second and reading them back starts pdftoppm, so those tests are in the
slow run; the quick run keeps the font checks."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw

from central.cli import main
from central.points import fonts
from central.points.posters import INSTRUCTION_EN, INSTRUCTION_ZH, point_url, write_posters
from central.points.registry import load_registry

BASE = "https://central.hak.example"


def decode(image: Image.Image) -> str:
    pixels = cv2.cvtColor(np.asarray(image.convert("RGB")), cv2.COLOR_RGB2BGR)
    text, points, _ = cv2.QRCodeDetector().detectAndDecode(pixels)
    assert points is not None, "no QR code found"
    return str(text)


def decode_all(image: Image.Image) -> list[str]:
    pixels = cv2.cvtColor(np.asarray(image.convert("RGB")), cv2.COLOR_RGB2BGR)
    found, texts, _, _ = cv2.QRCodeDetector().detectAndDecodeMulti(pixels)
    assert found
    return [str(text) for text in texts if text]


def render_pdf(pdf: Path, dpi: int = 100) -> list[Image.Image]:
    prefix = pdf.with_suffix("")
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(prefix)], check=True, timeout=60)
    return [Image.open(page) for page in sorted(pdf.parent.glob(f"{prefix.name}-*.png"))]


def pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True, timeout=60).stdout


def rasterise_svg_code(svg: str, px_per_mm: float = 4) -> Image.Image:
    """Draw the SVG's QR path (rectangles in mm) as the SVG says, white page included."""
    width, height = (float(v) for v in re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg).groups())
    image = Image.new("L", (round(width * px_per_mm), round(height * px_per_mm)), 255)
    draw = ImageDraw.Draw(image)
    path = re.search(r'<path class="qr"[^>]* d="([^"]+)"', svg).group(1)
    for x, y, w, h in re.findall(r"M([\d.]+) ([\d.]+)h([\d.]+)v([\d.]+)", path):
        x0, y0 = float(x) * px_per_mm, float(y) * px_per_mm
        draw.rectangle((x0, y0, x0 + float(w) * px_per_mm - 1, y0 + float(h) * px_per_mm - 1), fill=0)
    return image


@pytest.fixture(scope="module")
def posters(tmp_path_factory: pytest.TempPathFactory) -> Path:
    registry = load_registry()
    points = [registry.get("T1-GATE-13"), registry.get("T2-TRANSFER")]
    out = tmp_path_factory.mktemp("posters")
    write_posters([point for point in points if point is not None], BASE, out)
    return out


@pytest.mark.slow  # writes posters (over a second) and renders them with pdftoppm
@pytest.mark.parametrize("paper", ["A4", "A5"])
def test_the_printed_code_reads_back_as_the_points_url(posters: Path, paper: str) -> None:
    [page] = render_pdf(posters / f"T1-GATE-13-{paper}.pdf")
    assert decode(page) == point_url(BASE, "T1-GATE-13") == f"{BASE}/p/T1-GATE-13?s=q"
    text = pdf_text(posters / f"T1-GATE-13-{paper}.pdf")
    for wanted in ("13号登机口", "Gate 13", INSTRUCTION_ZH, INSTRUCTION_EN):
        assert wanted in text  # the Chinese is real text in an embedded font, not boxes


@pytest.mark.slow  # writes posters (over a second) and renders them with pdftoppm
def test_the_png_and_the_svg_carry_the_same_code(posters: Path) -> None:
    assert decode(Image.open(posters / "T2-TRANSFER.png")) == f"{BASE}/p/T2-TRANSFER?s=q"
    svg = (posters / "T2-TRANSFER.svg").read_text(encoding="utf-8")
    assert decode(rasterise_svg_code(svg)) == f"{BASE}/p/T2-TRANSFER?s=q"
    assert "中转柜台" in svg and INSTRUCTION_ZH in svg and INSTRUCTION_EN in svg


@pytest.mark.slow  # writes posters (over a second) and renders them with pdftoppm
def test_the_quiet_zone_is_four_modules_of_white(posters: Path) -> None:
    svg = (posters / "T2-TRANSFER.svg").read_text(encoding="utf-8")
    cells = [tuple(map(float, cell)) for cell in re.findall(r"M([\d.]+) ([\d.]+)h([\d.]+)", svg)]
    module = min(w for _, _, w in cells)
    left, top = min(x for x, _, _ in cells), min(y for _, y, _ in cells)
    width = max(x + w for x, _, w in cells) - left
    # the code is centred in its box of (modules + 8) modules: 4 white modules on each side
    box = width + 8 * module
    assert box == pytest.approx(120 * 148 / 210, abs=0.01)  # the A5 code box, mm
    assert left - (148 / 2 - box / 2) == pytest.approx(4 * module, abs=0.01)
    assert top - 88 * 148 / 210 == pytest.approx(4 * module, abs=0.01)


@pytest.mark.slow  # about a second: the sheet is rendered at 150 dpi for its smaller codes
def test_the_sheet_of_all_points_carries_every_code(posters: Path) -> None:
    pages = render_pdf(posters / "all-points.pdf", dpi=150)
    assert len(pages) == 1
    assert sorted(decode_all(pages[0])) == [f"{BASE}/p/T1-GATE-13?s=q", f"{BASE}/p/T2-TRANSFER?s=q"]


def test_without_a_chinese_font_the_command_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(fonts, "cjk_truetype_fonts", list)
    assert main(["posters", "--out", str(tmp_path / "out"), "--url", BASE]) == 1
    assert "apt-get install fonts-wqy-microhei" in capsys.readouterr().err
    assert not list((tmp_path / "out").glob("*.pdf")) if (tmp_path / "out").exists() else True


def test_fontconfig_finds_a_truetype_chinese_font_here() -> None:
    font = fonts.find_cjk_font()
    assert font.path.suffix.lower() in (".ttf", ".ttc") and font.path.exists()
