"""What every program does first: ``--config PATH``, logging, and its settings or one clear error."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from config.loader import SettingsError, load_settings

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

SettingsT = TypeVar("SettingsT", bound=BaseModel)


def add_config_option(parser: argparse.ArgumentParser, env_prefix: str) -> None:
    parser.add_argument(
        "--config",
        type=Path,
        default=None,
        metavar="PATH",
        help=f"TOML settings file; without one, defaults apply; {env_prefix}* environment variables override both",
    )


def program_settings(program: str, model: type[SettingsT], env_prefix: str, path: Path | None) -> SettingsT | None:
    """Log to stderr, one line per event, and load the settings; on a bad configuration print one line
    per problem (the key, where it was set, what it must be) and return None (the program then exits
    with status 2)."""
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format=LOG_FORMAT)
    try:
        settings = load_settings(model, env_prefix, path)
    except SettingsError as exc:
        for problem in exc.problems:
            print(f"{program}: {problem}", file=sys.stderr, flush=True)
        return None
    level = getattr(getattr(settings, "app", None), "log_level", "INFO")
    logging.getLogger().setLevel(level)
    return settings
