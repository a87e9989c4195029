"""``central [--config PATH]``: run the central service until SIGTERM or SIGINT."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from pathlib import Path

from central.service import CentralService
from central.settings import ENV_PREFIX, CentralSettings
from config.loader import SETTINGS_ERROR_EXIT_STATUS, SettingsError, load_settings

log = logging.getLogger("central")

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
START_FAILED_EXIT_STATUS = 1


def main(argv: list[str] | None = None) -> int:
    """The console script; returns the exit status."""
    args = _parse_args(argv)
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format=LOG_FORMAT)
    try:
        settings = load_settings(CentralSettings, ENV_PREFIX, args.config)
    except SettingsError as exc:
        print(f"central: {exc}", file=sys.stderr, flush=True)
        return SETTINGS_ERROR_EXIT_STATUS
    logging.getLogger().setLevel(settings.app.log_level)
    return asyncio.run(_run(settings))


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="central", description="The services behind the kiosks and signage: fleet state and pages."
    )
    parser.add_argument(
        "--config",
        type=Path,
        default=None,
        metavar="PATH",
        help="TOML settings file; without one, defaults and CENTRAL_* environment variables apply",
    )
    return parser.parse_args(argv)


async def _run(settings: CentralSettings) -> int:
    service = CentralService(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, _on_signal, loop, stop, signum)
    try:
        await service.start()
    except OSError as exc:
        log.error("cannot start: %s", exc)
        await service.stop()
        return START_FAILED_EXIT_STATUS
    print(f"central: facilities page at {service.facilities_url}", flush=True)
    await stop.wait()
    await service.stop()
    log.info("stopped")
    return 0


def _on_signal(loop: asyncio.AbstractEventLoop, stop: asyncio.Event, signum: int) -> None:
    log.info("%s received, shutting down", signal.Signals(signum).name)
    # a second signal during shutdown acts as the default does (ends the process at once)
    for handled in (signal.SIGTERM, signal.SIGINT):
        loop.remove_signal_handler(handled)
    stop.set()
