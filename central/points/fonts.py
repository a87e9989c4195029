"""The Chinese font the posters embed, found through fontconfig.

PDF viewers and printers cannot be trusted to have a Chinese font, so the posters carry one. ReportLab
embeds TrueType outlines only (not the CFF outlines of Noto Sans CJK's .otf files), so the font must be a
TrueType font or collection that covers Chinese: WenQuanYi Micro Hei (Debian: fonts-wqy-microhei) is
preferred, any other that loads will do.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

PREFERRED = ("wqy-microhei", "wqy-zenhei", "droidsansfallback", "notosanssc")
FC_LIST_TIMEOUT_S = 20


class FontError(RuntimeError):
    """No font that can print Chinese was found."""


@dataclass(frozen=True)
class CjkFont:
    """A TrueType file (or collection, with the face's index) that covers Chinese."""

    path: Path
    index: int


def cjk_truetype_fonts() -> list[CjkFont]:
    """Every TrueType face fontconfig says covers Chinese, the preferred first."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        raise FontError("fc-list (fontconfig) is not installed, so no Chinese font can be found for the posters")
    result = subprocess.run(
        [fc_list, ":lang=zh", "file", "index", "fontformat"],
        capture_output=True,
        text=True,
        timeout=FC_LIST_TIMEOUT_S,
        check=False,
    )
    fonts: list[CjkFont] = []
    for line in result.stdout.splitlines():
        file, _, rest = line.partition(": ")
        fields = dict(part.split("=", 1) for part in rest.strip(":").split(":") if "=" in part)
        if fields.get("fontformat") != "TrueType" or not file.lower().endswith((".ttf", ".ttc")):
            continue
        fonts.append(CjkFont(Path(file), int(fields.get("index", "0") or 0)))

    def rank(font: CjkFont) -> tuple[int, int, str]:
        name = font.path.name.lower().replace("_", "").replace(" ", "")
        preferred = next((i for i, key in enumerate(PREFERRED) if key in name), len(PREFERRED))
        return preferred, font.index, str(font.path)

    return sorted(set(fonts), key=rank)


def find_cjk_font() -> CjkFont:
    """The font the posters use; :class:`FontError` says what to install when there is none."""
    fonts = cjk_truetype_fonts()
    if not fonts:
        raise FontError(
            "no TrueType font that covers Chinese was found through fontconfig; "
            "install one (Debian/Ubuntu: apt-get install fonts-wqy-microhei)"
        )
    return fonts[0]
