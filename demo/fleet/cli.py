"""``python -m demo.fleet``: N simulated kiosks and displays on a broker, for load tests and the demo.

Each device has its own MQTT connection and client id (its device id), a Last Will, a retained birth,
health every ``--health-every`` seconds, an event every ``--event-every`` seconds and a reply to every
command; all of them run on one thread. A line every ``--report-every`` seconds says what the fleet did
and what CPU this process used; Ctrl-C or SIGTERM stops every device cleanly (``shutdown`` status).

Exit status: 0 after a stop, 1 when the fleet could not start, 2 for a wrong option.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import re
import resource
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

from pydantic import ValidationError

from bus.topics import Topics
from config.sections import BusSection
from demo.fleet.device import BrokerAddress, Pace
from demo.fleet.fleet import Fleet, FleetPlan, SeqFileError

OPTION_ERROR_EXIT_STATUS = 2
SPARE_FILES = 64
"""Files the process needs besides one socket per device (its own, Python's, the connect threads')."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(OPTION_ERROR_EXIT_STATUS, f"{self.prog}: {message} (see: {self.prog} --help)\n")


def _positive(kind: type[int] | type[float]) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a number greater than 0 (got {text!r})") from None
        if not value > 0 or value == float("inf"):
            raise argparse.ArgumentTypeError(f"must be a number greater than 0 (got {text!r})")
        return value

    return parse


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"must be a share from 0 to 1 (got {text!r})")
    return value


def _prefix(text: str) -> str:
    if not re.fullmatch(r"[a-z0-9-]{1,40}", text):
        raise argparse.ArgumentTypeError(f"must be 1-40 lower-case letters, digits or '-' (got {text!r})")
    return text


def parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m demo.fleet", description=(__doc__ or "").splitlines()[0])
    p.add_argument("--broker", default="mqtt://127.0.0.1:1883", metavar="URL", help="mqtt://host:port or mqtts://…")
    p.add_argument("--site", default="HAK", metavar="IATA", help="the airport's code (default HAK)")
    p.add_argument("--root", default="airport/{site}", metavar="ROOT", help="topic root (default airport/{site})")
    p.add_argument("--devices", type=_positive(int), default=40, metavar="N", help="how many (default 40)")
    p.add_argument("--signage-share", type=_share, default=0.4, metavar="F", help="share of displays (default 0.4)")
    p.add_argument("--prefix", type=_prefix, default="sim", help="device ids begin with this (default sim)")
    p.add_argument("--health-every", type=_positive(float), default=30.0, metavar="S", help="seconds (default 30)")
    p.add_argument("--event-every", type=_positive(float), default=60.0, metavar="S", help="seconds (default 60)")
    p.add_argument("--keepalive", type=_positive(int), default=60, metavar="S", help="MQTT keepalive (default 60)")
    p.add_argument("--ramp", type=float, default=None, metavar="S", help="spread the first connects over S seconds")
    p.add_argument("--report-every", type=_positive(float), default=10.0, metavar="S", help="seconds (default 10)")
    p.add_argument("--duration", type=_positive(float), default=None, metavar="S", help="stop after S seconds")
    p.add_argument("--seq-file", type=Path, default=None, metavar="PATH", help="keep event numbers across runs")
    p.add_argument("--username", default=None, help="one broker user for every device (default: anonymous)")
    p.add_argument("--password", default=None, help="its password")
    p.add_argument("--seed", type=int, default=1, help="the same seed, the same fleet and figures")
    return p


def raise_open_files_limit(wanted: int) -> int:
    """Lift the soft limit of open files towards ``wanted`` (never above the hard limit); the new limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        soft = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    return int(soft)


def say(text: str) -> None:
    print(f"fleet: {text}", flush=True)


async def run(args: argparse.Namespace, bus: BusSection) -> int:
    files = raise_open_files_limit(args.devices + SPARE_FILES)
    if files < args.devices + SPARE_FILES:
        say(f"only {files} open files allowed (ulimit -n); some of the {args.devices} devices cannot connect")
    broker = BrokerAddress(
        bus.host,
        bus.port,
        tls=bus.tls,
        ca_file=str(bus.ca_file) if bus.ca_file else None,
        username=args.username,
        password=args.password,
    )
    pace = Pace(args.health_every, args.event_every, keepalive_s=args.keepalive)
    plan = FleetPlan(args.devices, args.signage_share, args.prefix, args.seed)
    try:
        fleet = Fleet(plan, broker, Topics(bus.topic_root), pace, seq_file=args.seq_file)
    except SeqFileError as exc:
        say(str(exc))
        return 1
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopping.set)
    ramp = args.ramp if args.ramp is not None else min(10.0, args.devices / 200)
    where = f"{bus.host}:{bus.port} under {bus.topic_root}/device/"
    say(f"{args.devices} devices to {where}, first connects over {ramp:g} s")
    started = time.monotonic()
    fleet.start(ramp)
    reporter = asyncio.create_task(_report(fleet, args.report_every, started))
    try:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), args.duration)
    finally:
        reporter.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reporter
        await fleet.stop()
    cpu, share = fleet.cpu_share()
    counters = fleet.counters
    say(
        f"stopped after {time.monotonic() - started:.0f} s: {len(counters.ever_online)} of {args.devices} devices "
        f"came online, {counters.health_sent} health, {counters.events_made} events ({counters.events_acked} "
        f"acknowledged, {counters.events_lost} lost), {counters.commands_answered} commands answered; "
        f"CPU {cpu:.1f} s, {share:.3f} of a core"
    )
    return 0


async def _report(fleet: Fleet, every_s: float, started: float) -> None:
    counters = fleet.counters
    if await fleet.wait_online(fleet.plan.devices, every_s):
        say(f"all {fleet.plan.devices} devices online after {time.monotonic() - started:.1f} s")
    last_at, last = started, (0, 0, 0)
    while True:
        await asyncio.sleep(max(0.0, last_at + every_s - time.monotonic()))
        now = time.monotonic()
        span = now - last_at
        _cpu, share = fleet.cpu_share()
        say(
            f"{counters.online}/{fleet.plan.devices} online; last {span:.0f} s: "
            f"{(counters.health_sent - last[0]) / span:.1f} health/s, {(counters.events_made - last[1]) / span:.1f} "
            f"events/s, {counters.commands_answered - last[2]} commands answered; "
            f"{counters.connections_lost} connections lost, {counters.events_lost} events lost so far; "
            f"CPU {share:.3f} of a core since the start"
        )
        last_at, last = now, (counters.health_sent, counters.events_made, counters.commands_answered)


def main(argv: list[str] | None = None) -> int:
    p = parser()
    args = p.parse_args(argv)
    try:
        bus = BusSection(url=args.broker, site=args.site, root=args.root)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "url"
        option = {"url": "--broker"}.get(field, f"--{field}")
        value = {"url": args.broker, "site": args.site, "root": args.root}.get(field, "")
        hint = " (mqtt://host:port or mqtts://host:port)" if field == "url" else ""
        p.error(f"{option} {value!r}: {first['msg']}{hint}")
    return asyncio.run(run(args, bus))


if __name__ == "__main__":
    sys.exit(main())
