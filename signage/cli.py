"""``signage [--config PATH]``: start a display with no touch."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from config.loader import SETTINGS_ERROR_EXIT_STATUS, SettingsError, load_settings
from signage.settings import ENV_PREFIX, SignageSettings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="signage", description="Airport flight information display.")
    parser.add_argument("--config", type=Path, help="TOML settings file; SIGNAGE_* variables override it")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        settings = load_settings(SignageSettings, ENV_PREFIX, args.config)
    except SettingsError as exc:
        print(f"signage: {exc}", file=sys.stderr)
        return SETTINGS_ERROR_EXIT_STATUS
    logging.getLogger().setLevel(settings.app.log_level)

    from signage.ui.app import run  # Qt is loaded only once the settings are known to be good

    status: int = run(settings)
    return status


if __name__ == "__main__":
    sys.exit(main())
