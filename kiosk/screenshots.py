"""``python -m kiosk.screenshots --out DIR``: every kiosk screen, in each language, as PNG files.

Offscreen, with no broker and no camera (the call screens show a synthetic picture), so the pictures in
the docs are made from the code as it is. Files are named ``kiosk-<scene>-<language>.png`` (language
``zh`` or ``en``), plus ``kiosk-<scene>-large-<language>.png`` for the large-text scenes.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

LANGUAGES = {"zh-CN": "zh", "en": "en"}
# enough to show what large text and high contrast look like
LARGE_TEXT_SCENES = ("home", "wifi-paper-out", "in-call-qr")


def parse_size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not WIDTHxHEIGHT, e.g. 1080x1920") from None
    if not (320 <= width <= 7680 and 240 <= height <= 4320):
        raise argparse.ArgumentTypeError(f"{text!r} is outside 320x240 .. 7680x4320")
    return width, height


def parse_scale(text: str) -> float:
    try:
        scale = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0.1 <= scale <= 1.0:
        raise argparse.ArgumentTypeError(f"{text!r} is outside 0.1 .. 1.0")
    return scale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kiosk.screenshots", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="directory for the PNG files (made if missing)")
    parser.add_argument("--size", type=parse_size, default=(1080, 1920), help="screen size, default 1080x1920")
    parser.add_argument("--scale", type=parse_scale, default=1.0, help="scale the pictures (0.4 for the docs)")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # a picture of the screen needs no screen

    from kiosk.ui.screenshots import save_screenshots  # Qt only after the arguments are known to be good

    try:
        args.out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        print(f"kiosk.screenshots: cannot use {args.out}: {exc.strerror}", file=sys.stderr)
        return 2
    saved = save_screenshots(args.out, args.size, LANGUAGES, LARGE_TEXT_SCENES, args.scale)
    print(f"kiosk.screenshots: {len(saved)} screens saved to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
