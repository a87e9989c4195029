"""Central with a fleet of simulated devices on one Mosquitto: central's CPU, RSS and staleness beside the
broker's own CPU, measured in the same run.

``python -m bench.fleet [--devices N] [--health-every S] [--event-every S] [--warmup S] [--seconds S] [--quick]``

Three processes, each started and stopped here: Mosquitto (our own config on a free loopback port), the real
``central`` program, and the fleet simulator (``python -m demo.fleet``: every device its own connection). This
process signs in as facilities staff and reads the facilities page's live stream (``/api/fleet/events``), as
the console does. Once every device is online and ``--warmup`` has passed, for ``--seconds``:

- CPU share of a core of central, of the broker (the baseline) and of the simulator: user + system time
  of each process over the wall time;
- staleness: for each health snapshot that reaches the stream, the stream's arrival time minus the
  snapshot's ``ts`` (set by the simulated device as it publishes; one clock, one machine);
- central's RSS at the end.

Goals (issue 11): staleness p99 ≤ 2 s, central under half a core and under the broker's CPU.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import psutil

from bench.network import free_port
from bench.report import percentile, table, yes
from central.accounts import AgentAccounts, Role
from central.service import ACCOUNTS_FILE

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
ROOT = Path(__file__).resolve().parent.parent
STAFF = ("bench-ops", "bench ops password")
GOAL_STALENESS_S = 2.0
GOAL_CENTRAL_SHARE = 0.5
START_TIMEOUT_S = 60.0
SPARE_FILES = 256


def wait_for_port(port: int, process: subprocess.Popen[bytes], timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"nothing listens on port {port}") from None
            time.sleep(0.05)


def raise_open_files_limit(wanted: int) -> None:
    """Every device is a socket in the simulator and one in the broker (both inherit this limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        new = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (new, hard))


@dataclass
class Programs:
    """The processes this run started, stopped in reverse order whatever happens."""

    started: list[tuple[str, subprocess.Popen[bytes]]] = field(default_factory=list)

    def start(self, name: str, args: list[str], env: dict[str, str] | None = None, log: Path | None = None) -> int:
        out = log.open("wb") if log is not None else subprocess.DEVNULL
        process = subprocess.Popen(
            args, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=out, stderr=subprocess.STDOUT
        )
        if log is not None:
            out.close()  # type: ignore[union-attr]
        self.started.append((name, process))
        return process.pid

    def process(self, name: str) -> subprocess.Popen[bytes]:
        return next(p for n, p in self.started if n == name)

    def stop_all(self) -> None:
        for _name, process in reversed(self.started):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(5)


def cpu_s(pid: int) -> float:
    times = psutil.Process(pid).cpu_times()
    return float(times.user + times.system)


def rss_mib(pid: int) -> float:
    return float(psutil.Process(pid).memory_info().rss) / (1024 * 1024)


def start_broker(programs: Programs, workdir: Path, devices: int) -> int:
    port = free_port()
    conf = workdir / "mosquitto.conf"
    lines = [
        f"listener {port} 127.0.0.1",
        "allow_anonymous true",
        "persistence false",
        "max_connections -1",
        "log_dest none",
    ]
    if os.geteuid() == 0:
        lines.append("user root")
    conf.write_text("\n".join(lines) + "\n")
    programs.start("mosquitto", [MOSQUITTO, "-c", str(conf)], log=workdir / "mosquitto.log")
    wait_for_port(port, programs.process("mosquitto"))
    return port


def add_staff(state_dir: Path) -> None:
    state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    accounts = AgentAccounts(state_dir / ACCOUNTS_FILE)
    try:
        accounts.add(STAFF[0], "Bench Ops", [], STAFF[1], roles=[Role.FACILITIES.value])
    finally:
        accounts.close()


def wait_for_line(log: Path, text: str, process: subprocess.Popen[bytes], timeout_s: float) -> str:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for line in log.read_text(errors="replace").splitlines():
            if text in line:
                return line
        if process.poll() is not None:
            raise RuntimeError(f"exited with {process.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.1)
    raise RuntimeError(f"no {text!r} within {timeout_s:g} s:\n{log.read_text(errors='replace')[-3000:]}")


@dataclass
class Stream:
    """What the facilities page's live stream showed: each device's state and the staleness of its health."""

    online: dict[str, bool] = field(default_factory=dict)
    last_ts: dict[str, str] = field(default_factory=dict)
    staleness_s: list[float] = field(default_factory=list)
    measuring: bool = False
    events: int = 0
    snapshot_devices: int = 0

    def take(self, name: str, data: str) -> None:
        self.events += 1
        if name == "snapshot":
            body = json.loads(data)
            self.snapshot_devices = len(body["devices"])
            for view in body["devices"]:
                self._device(view, now=None)
        elif name == "device":
            self._device(json.loads(data)["device"], now=time.time())

    def _device(self, view: dict[str, object], now: float | None) -> None:
        device_id = str(view["id"])
        self.online[device_id] = bool(view["online"])
        health = view.get("health")
        if not isinstance(health, dict):
            return
        ts = str(health["ts"])
        if self.last_ts.get(device_id) == ts:
            return  # a status change shown with the same health: no new snapshot
        self.last_ts[device_id] = ts
        if now is not None and self.measuring:
            self.staleness_s.append(now - datetime.fromisoformat(ts).astimezone(UTC).timestamp())


async def read_stream(http: aiohttp.ClientSession, url: str, stream: Stream) -> None:
    async with http.get(url, timeout=aiohttp.ClientTimeout(total=None, sock_read=60)) as response:
        response.raise_for_status()
        buffer = b""
        async for chunk in response.content.iter_any():
            buffer += chunk
            while b"\n\n" in buffer:
                block, buffer = buffer.split(b"\n\n", 1)
                name, data = "message", ""
                for line in block.decode().splitlines():
                    if line.startswith("event: "):
                        name = line[7:]
                    elif line.startswith("data: "):
                        data = line[6:]
                if data:
                    stream.take(name, data)


async def measure(args: argparse.Namespace, workdir: Path, programs: Programs) -> str:
    devices = args.devices
    raise_open_files_limit(2 * devices + SPARE_FILES)
    broker_port = start_broker(programs, workdir, devices)
    state = workdir / "central"
    add_staff(state)
    http_port = free_port()
    central_log = workdir / "central.log"
    central_env = {
        "CENTRAL_BUS__URL": f"mqtt://127.0.0.1:{broker_port}",
        "CENTRAL_HTTP__PORT": str(http_port),
        "CENTRAL_APP__STATE_DIR": str(state),
        "CENTRAL_APP__LOG_LEVEL": "WARNING",
        # the fleet's load alone: central's simulated flight day (its default with no feed) is not part of it
        "CENTRAL_FEEDS__SIMULATOR": "false",
    }
    programs.start("central", [sys.executable, "-m", "central"], central_env, log=central_log)
    wait_for_line(central_log, "facilities page at", programs.process("central"), START_TIMEOUT_S)
    base = f"http://127.0.0.1:{http_port}"

    stream = Stream()
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:  # unsafe: an IP host
        async with http.post(f"{base}/api/agent/login", json={"agent_id": STAFF[0], "password": STAFF[1]}) as r:
            r.raise_for_status()
        reader = asyncio.create_task(read_stream(http, f"{base}/api/fleet/events", stream))
        try:
            sim_log = workdir / "fleet.log"
            ramp = min(20.0, devices / 100)
            fleet_args = [
                sys.executable, "-m", "demo.fleet", "--broker", f"mqtt://127.0.0.1:{broker_port}",
                "--devices", str(devices), "--health-every", str(args.health_every),
                "--event-every", str(args.event_every), "--ramp", str(ramp), "--report-every", "3600",
            ]  # fmt: skip
            programs.start("fleet", fleet_args, log=sim_log)
            deadline = time.monotonic() + START_TIMEOUT_S + ramp
            while sum(stream.online.values()) < devices:
                if reader.done():
                    reader.result()  # raises what ended the stream
                    raise RuntimeError("the facilities stream ended")
                if time.monotonic() > deadline or programs.process("fleet").poll() is not None:
                    raise RuntimeError(
                        f"{sum(stream.online.values())} of {devices} devices online at central:\n"
                        + sim_log.read_text(errors="replace")[-2000:]
                    )
                await asyncio.sleep(0.2)
            online_after_s = time.monotonic() - (deadline - START_TIMEOUT_S - ramp)
            await asyncio.sleep(args.warmup)

            pids = {name: process.pid for name, process in programs.started}
            before = {name: cpu_s(pid) for name, pid in pids.items()}
            wall = time.monotonic()
            stream.measuring = True
            await asyncio.sleep(args.seconds)
            stream.measuring = False
            wall = time.monotonic() - wall
            after = {name: cpu_s(pid) for name, pid in pids.items()}
            rss = {name: rss_mib(pid) for name, pid in pids.items()}
            async with http.get(f"{base}/api/fleet") as r:
                snapshot = await r.json()
            if reader.done():
                reader.result()
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader

    share = {name: (after[name] - before[name]) / wall for name in after}
    samples = stream.staleness_s
    if not samples:
        raise RuntimeError("no health reached the facilities stream while measuring")
    p50, p99, worst = percentile(samples, 0.5), percentile(samples, 0.99), max(samples)
    rows = [
        ["process", "CPU share of a core", "CPU s", "RSS MiB"],
        ["central", f"{share['central']:.3f}", f"{after['central'] - before['central']:.1f}", f"{rss['central']:.0f}"],
        [
            "mosquitto (baseline)",
            f"{share['mosquitto']:.3f}",
            f"{after['mosquitto'] - before['mosquitto']:.1f}",
            f"{rss['mosquitto']:.0f}",
        ],
        ["fleet simulator", f"{share['fleet']:.3f}", f"{after['fleet'] - before['fleet']:.1f}", f"{rss['fleet']:.0f}"],
    ]
    ratio = share["central"] / share["mosquitto"] if share["mosquitto"] > 0 else float("inf")
    counts = snapshot["counts"]
    kiosks = sum(1 for d in snapshot["devices"] if d["kind"] == "kiosk")
    return "\n".join(
        [
            f"bench.fleet: {devices} simulated devices ({kiosks} kiosks, {devices - kiosks} displays), health every "
            f"{args.health_every:g} s, an event every {args.event_every:g} s; {args.seconds:g} s measured after "
            f"{args.warmup:g} s, all online at central {online_after_s:.1f} s after the simulator started; "
            "central's simulated flight day off",
            "",
            table(rows),
            "",
            f"health snapshots on the facilities stream while measuring: {len(samples)} "
            f"({len(samples) / wall:.0f}/s; the fleet sends {devices / args.health_every:.0f}/s)",
            f"staleness, device publish → facilities stream: p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, "
            f"max {worst * 1000:.0f} ms",
            f"central's JSON API at the end: {counts['online']} online of {counts['total']}",
            f"central / broker CPU: {ratio:.2f}x",
            f"goal staleness p99 ≤ {GOAL_STALENESS_S:g} s .................. {yes(p99 <= GOAL_STALENESS_S)}",
            f"goal central under {GOAL_CENTRAL_SHARE:g} of a core ............. {yes(share['central'] < 0.5)}",
            f"goal central under the broker's CPU ........ {yes(ratio < 1)}",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fleet", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--devices", type=int, default=2000)
    parser.add_argument("--health-every", type=float, default=5.0, metavar="S")
    parser.add_argument("--event-every", type=float, default=10.0, metavar="S")
    parser.add_argument("--warmup", type=float, default=20.0, metavar="S")
    parser.add_argument("--seconds", type=float, default=60.0, metavar="S")
    parser.add_argument("--quick", action="store_true", help="200 devices for 20 s: shows it still works")
    args = parser.parse_args(argv)
    if args.quick:
        args.devices, args.warmup, args.seconds = 200, 5.0, 15.0
    programs = Programs()
    with tempfile.TemporaryDirectory(prefix="bench-fleet-") as tmp:
        try:
            print(asyncio.run(measure(args, Path(tmp), programs)))
        finally:
            programs.stop_all()
    return 0


if __name__ == "__main__":
    sys.exit(main())
