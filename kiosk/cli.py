"""``kiosk [--config PATH]``: start the touchscreen app; ``kiosk scan IMAGE…``: print the codes in images."""

from __future__ import annotations

import argparse
import sys
import time

from config.loader import SETTINGS_ERROR_EXIT_STATUS
from config.program import add_config_option, program_settings
from kiosk.settings import ENV_PREFIX, KioskSettings


def main(argv: list[str] | None = None) -> int:
    started = time.monotonic()
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["scan"]:
        return scan(args[1:])
    parser = argparse.ArgumentParser(prog="kiosk", description="Airport video-inquiry kiosk (touchscreen app).")
    add_config_option(parser, ENV_PREFIX)
    parser.epilog = "kiosk scan IMAGE...: print the codes found in image files as JSON lines (see README)"
    settings = program_settings("kiosk", KioskSettings, ENV_PREFIX, parser.parse_args(args).config)
    if settings is None:
        return SETTINGS_ERROR_EXIT_STATUS

    from video.allocator import limit_malloc_arenas

    limit_malloc_arenas()  # before Qt, paho or aiortc start a thread: see video.allocator

    from kiosk.ui.app import run  # Qt is loaded only once the settings are known to be good

    status: int = run(settings, started)
    return status


def scan(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="kiosk scan",
        description="Decode QR, PDF417, Aztec and Data Matrix codes in image files; print one JSON line per code,"
        " with the boarding pass read from it (or why it cannot be read).",
    )
    parser.add_argument("images", nargs="+", metavar="IMAGE", help="PNG, JPEG or other image files")
    images = parser.parse_args(argv).images
    from kiosk.scanning.files import scan_files  # OpenCV and zxing-cpp only for this command

    return scan_files(images)


if __name__ == "__main__":
    sys.exit(main())
