"""``kiosk [--config PATH]``: start the touchscreen app."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

from config.loader import SETTINGS_ERROR_EXIT_STATUS, SettingsError, load_settings
from kiosk.settings import ENV_PREFIX, KioskSettings


def main(argv: list[str] | None = None) -> int:
    started = time.monotonic()
    parser = argparse.ArgumentParser(prog="kiosk", description="Airport video-inquiry kiosk (touchscreen app).")
    parser.add_argument("--config", type=Path, help="TOML settings file; KIOSK_* variables override it")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        settings = load_settings(KioskSettings, ENV_PREFIX, args.config)
    except SettingsError as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return SETTINGS_ERROR_EXIT_STATUS
    logging.getLogger().setLevel(settings.app.log_level)

    from video.allocator import limit_malloc_arenas

    limit_malloc_arenas()  # before Qt, paho or aiortc start a thread: see video.allocator

    from kiosk.ui.app import run  # Qt is loaded only once the settings are known to be good

    status: int = run(settings, started)
    return status


if __name__ == "__main__":
    sys.exit(main())
