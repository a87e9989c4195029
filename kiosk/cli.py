"""``kiosk [--config PATH]``: start the touchscreen app."""

from __future__ import annotations

import argparse
import sys
import time

from config.loader import SETTINGS_ERROR_EXIT_STATUS
from config.program import add_config_option, program_settings
from kiosk.settings import ENV_PREFIX, KioskSettings


def main(argv: list[str] | None = None) -> int:
    started = time.monotonic()
    parser = argparse.ArgumentParser(prog="kiosk", description="Airport video-inquiry kiosk (touchscreen app).")
    add_config_option(parser, ENV_PREFIX)
    settings = program_settings("kiosk", KioskSettings, ENV_PREFIX, parser.parse_args(argv).config)
    if settings is None:
        return SETTINGS_ERROR_EXIT_STATUS

    from video.allocator import limit_malloc_arenas

    limit_malloc_arenas()  # before Qt, paho or aiortc start a thread: see video.allocator

    from kiosk.ui.app import run  # Qt is loaded only once the settings are known to be good

    status: int = run(settings, started)
    return status


if __name__ == "__main__":
    sys.exit(main())
