"""The demo's command line, checked before anything starts: a wrong option is one line and exit status 2."""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

OPTION_ERROR_EXIT_STATUS = 2
# the same form the programs' [bus] url accepts (config.sections), so a broker the demo accepts works for all
_BROKER = re.compile(r"^mqtts?://(?P<host>[^:/\s]+):(?P<port>[0-9]{1,5})/?$")


@dataclass(frozen=True)
class Options:
    broker: str | None
    http_port: int
    state_dir: Path
    duration_s: float | None
    call: bool
    broker_wait_s: float = 20.0
    fleet: int = 40


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # argparse's own error repeats the whole usage first; one line that names the option is enough
        self.exit(OPTION_ERROR_EXIT_STATUS, f"{self.prog}: {message} (see: {self.prog} --help)\n")


def broker_url(text: str) -> str:
    match = _BROKER.match(text)
    if match is None or not 1 <= int(match["port"]) <= 65535:
        raise argparse.ArgumentTypeError(
            f"must be mqtt://host:port or mqtts://host:port, e.g. mqtt://127.0.0.1:1883 (got {text!r})"
        )
    return text.rstrip("/")


def tcp_port(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"must be a port number from 1 to 65535 (got {text!r})")
    return int(text)


def seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a number of seconds greater than 0 (got {text!r})")
    return value


def fleet_size(text: str) -> int:
    if not text.isdigit() or int(text) > 10_000:
        raise argparse.ArgumentTypeError(f"must be a number of devices from 0 to 10000 (got {text!r})")
    return int(text)


def parse(argv: list[str] | None = None) -> Options:
    parser = _Parser(prog="demo", description="Run the airport kiosk system on this machine.")
    parser.add_argument(
        "--broker",
        type=broker_url,
        metavar="URL",
        help="use this MQTT broker (mqtt://host:port or mqtts://host:port) instead of an embedded one",
    )
    parser.add_argument(
        "--broker-wait",
        type=seconds,
        default=20.0,
        metavar="SECONDS",
        help="how long to wait for a --broker that does not answer before giving up (default 20)",
    )
    parser.add_argument(
        "--http-port", type=tcp_port, default=8080, metavar="PORT", help="central's web port (default 8080)"
    )
    parser.add_argument(
        "--state-dir", type=Path, default=Path("demo-state"), metavar="DIR", help="where the demo keeps its files"
    )
    parser.add_argument(
        "--duration", type=seconds, default=None, metavar="SECONDS", help="stop by itself after this many seconds"
    )
    parser.add_argument(
        "--call",
        action="store_true",
        help="also run a simulated passenger (no display needed) who asks for video help, "
        "talks with the agent who answers in the console, and rates the call",
    )
    parser.add_argument(
        "--fleet",
        type=fleet_size,
        default=40,
        metavar="N",
        help="simulated kiosks and displays beside the real ones, for the facilities page (default 40; 0: none)",
    )
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    return Options(args.broker, args.http_port, args.state_dir, args.duration, args.call, args.broker_wait, args.fleet)
