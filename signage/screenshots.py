"""``python -m signage.screenshots --out DIR``: the signage board in each language and orientation as PNGs.

Offscreen and with no broker. Files are named ``signage-<board|gate|belt>-<landscape|portrait>-<zh|en>.png``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

LANGUAGES = {"zh-CN": "zh", "en": "en"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m signage.screenshots", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="directory for the PNG files (made if missing)")
    parser.add_argument("--scale", type=float, default=1.0, help="scale the pictures (0.4 for the docs)")
    args = parser.parse_args(argv)
    if not 0.1 <= args.scale <= 1.0:
        parser.error(f"--scale {args.scale} is outside 0.1 .. 1.0")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # a picture of the screen needs no screen

    from signage.ui.screenshots import save_screenshots  # Qt only after the arguments are known to be good

    try:
        args.out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        print(f"signage.screenshots: cannot use {args.out}: {exc.strerror}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="signage-pictures-") as state:
        saved = save_screenshots(args.out, LANGUAGES, Path(state), args.scale)
    print(f"signage.screenshots: {len(saved)} pictures saved to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
