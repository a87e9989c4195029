"""``signage [--config PATH]``: start a display with no touch."""

from __future__ import annotations

import argparse
import sys

from config.loader import SETTINGS_ERROR_EXIT_STATUS
from config.program import add_config_option, program_settings
from signage.settings import ENV_PREFIX, SignageSettings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="signage", description="Airport flight information display.")
    add_config_option(parser, ENV_PREFIX)
    settings = program_settings("signage", SignageSettings, ENV_PREFIX, parser.parse_args(argv).config)
    if settings is None:
        return SETTINGS_ERROR_EXIT_STATUS

    from signage.ui.app import run  # Qt is loaded only once the settings are known to be good

    status: int = run(settings)
    return status


if __name__ == "__main__":
    sys.exit(main())
