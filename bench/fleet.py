"""Central with a fleet of simulated devices on one Mosquitto, and on a two-node ejabberd cluster (devices on
node A, central on node B): central's CPU, RSS and staleness beside the broker's own CPU, measured in the same run.

``python -m bench.fleet [--broker mosquitto|cluster|both] [--devices N] [--health-every S] [--event-every S]
[--warmup S] [--seconds S] [--quick]``

The full run measures both brokers, one after the other with fresh processes, and prints one table side by side;
``--quick`` measures Mosquitto only (the cluster's part is the full run's, or ``--quick --broker cluster``).

Three processes, each started and stopped here: the broker (Mosquitto with our own config on a free loopback
port, or the two ejabberd nodes of ``tests/peers/ejabberd.py``, everyone signed in as its one user), the real
``central`` program, and the fleet simulator (``python -m demo.fleet``: every device its own connection). This
process signs in as facilities staff and reads the facilities page's live stream (``/api/fleet/events``), as
the console does. Once every device is online and ``--warmup`` has passed, for ``--seconds``:

- CPU share of a core of central, of the broker (the baseline; for the cluster the sum of both nodes' Erlang
  VMs, each shown too) and of the simulator: user + system time of each process over the wall time;
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
from collections.abc import Callable
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
CLUSTER_START_FACTOR = 2.0
"""The fleet took about twice as long to be all online at central through the cluster (docs/scale-out.md)."""
BROKERS = ("mosquitto", "cluster")
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
    watched: dict[str, int] = field(default_factory=dict)
    """Processes measured that another owner starts and stops (the ejabberd nodes), by name: their pids."""
    stoppers: list[Callable[[], None]] = field(default_factory=list)

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

    def pids(self) -> dict[str, int]:
        return {**{name: process.pid for name, process in self.started}, **self.watched}

    def stop_all(self) -> None:
        for stop in reversed(self.stoppers):
            stop()
        self.stoppers.clear()
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


@dataclass(frozen=True)
class Broker:
    """Where the fleet connects, where central connects, and the sign-in both use (None: anonymous)."""

    devices_url: str
    central_url: str
    username: str | None = None
    password: str | None = None

    def central_env(self) -> dict[str, str]:
        env = {"CENTRAL_BUS__URL": self.central_url}
        if self.username is not None and self.password is not None:
            env |= {"CENTRAL_BUS__USERNAME": self.username, "CENTRAL_BUS__PASSWORD": self.password}
        return env

    def fleet_args(self) -> list[str]:
        args = ["--broker", self.devices_url]
        if self.username is not None and self.password is not None:
            args += ["--username", self.username, "--password", self.password]
        return args


def start_cluster(programs: Programs) -> Broker:
    """Two clustered ejabberd nodes (the tests' own helper, so the bench runs what the failover test runs); their
    Erlang VMs are measured as ``ejabberd A`` (the devices') and ``ejabberd B`` (central's)."""
    from tests.peers.ejabberd import EjabberdCluster  # the repository's tests are beside bench/; only this run needs it

    cluster = EjabberdCluster(size=2)
    programs.stoppers.append(cluster.stop)
    cluster.start()
    node_a, node_b = cluster.nodes
    for name, node in (("ejabberd A", node_a), ("ejabberd B", node_b)):
        assert node.process is not None
        programs.watched[name] = node.process.pid
    return Broker(node_a.url, node_b.url, cluster.username, cluster.password)


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


@dataclass
class Measured:
    """One broker's run: what each process used while measuring, and what the facilities stream showed."""

    broker: str
    share: dict[str, float]
    cpu: dict[str, float]
    rss: dict[str, float]
    wall: float
    staleness_s: list[float]
    online_after_s: float
    online: int
    total: int
    kiosks: int

    def broker_names(self) -> list[str]:
        return ["mosquitto"] if self.broker == "mosquitto" else ["ejabberd A", "ejabberd B"]

    @property
    def broker_share(self) -> float:
        return sum(self.share[name] for name in self.broker_names())

    @property
    def central_per_broker(self) -> float:
        return self.share["central"] / self.broker_share if self.broker_share > 0 else float("inf")


async def measure(args: argparse.Namespace, workdir: Path, programs: Programs, broker_kind: str) -> Measured:
    devices = args.devices
    raise_open_files_limit(2 * devices + SPARE_FILES)
    if broker_kind == "cluster":
        broker = start_cluster(programs)
        start_timeout_s = START_TIMEOUT_S * CLUSTER_START_FACTOR
    else:
        port = start_broker(programs, workdir, devices)
        broker = Broker(f"mqtt://127.0.0.1:{port}", f"mqtt://127.0.0.1:{port}")
        start_timeout_s = START_TIMEOUT_S
    state = workdir / "central"
    add_staff(state)
    http_port = free_port()
    central_log = workdir / "central.log"
    central_env = {
        **broker.central_env(),
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
                sys.executable, "-m", "demo.fleet", *broker.fleet_args(),
                "--devices", str(devices), "--health-every", str(args.health_every),
                "--event-every", str(args.event_every), "--ramp", str(ramp), "--report-every", "3600",
            ]  # fmt: skip
            programs.start("fleet", fleet_args, log=sim_log)
            deadline = time.monotonic() + start_timeout_s + ramp
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
            online_after_s = time.monotonic() - (deadline - start_timeout_s - ramp)
            await asyncio.sleep(args.warmup)

            pids = programs.pids()
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

    samples = stream.staleness_s
    if not samples:
        raise RuntimeError("no health reached the facilities stream while measuring")
    return Measured(
        broker=broker_kind,
        share={name: (after[name] - before[name]) / wall for name in after},
        cpu={name: after[name] - before[name] for name in after},
        rss=rss,
        wall=wall,
        staleness_s=samples,
        online_after_s=online_after_s,
        online=int(snapshot["counts"]["online"]),
        total=int(snapshot["counts"]["total"]),
        kiosks=sum(1 for d in snapshot["devices"] if d["kind"] == "kiosk"),
    )


def headline(args: argparse.Namespace, run: Measured, where: str, online: str) -> str:
    return (
        f"bench.fleet{where}: {args.devices} simulated devices ({run.kiosks} kiosks, {args.devices - run.kiosks} "
        f"displays), health every {args.health_every:g} s, an event every {args.event_every:g} s; {args.seconds:g} s "
        f"measured after {args.warmup:g} s, {online}; central's simulated flight day off"
    )


def report_one(args: argparse.Namespace, run: Measured) -> str:
    """One broker's run, as this benchmark has always printed it."""
    names = [(name, f"{name} (baseline)" if name == "mosquitto" else name) for name in run.broker_names()]
    rows = [["process", "CPU share of a core", "CPU s", "RSS MiB"]]
    for name, label in [("central", "central"), *names, ("fleet", "fleet simulator")]:
        rows.append([label, f"{run.share[name]:.3f}", f"{run.cpu[name]:.1f}", f"{run.rss[name]:.0f}"])
    p50, p99, worst = (percentile(run.staleness_s, 0.5), percentile(run.staleness_s, 0.99), max(run.staleness_s))
    where = "" if run.broker == "mosquitto" else " across a 2-node ejabberd cluster (devices on A, central on B)"
    lines = [
        headline(args, run, where, f"all online at central {run.online_after_s:.1f} s after the simulator started"),
        "",
        table(rows),
        "",
        f"health snapshots on the facilities stream while measuring: {len(run.staleness_s)} "
        f"({len(run.staleness_s) / run.wall:.0f}/s; the fleet sends {args.devices / args.health_every:.0f}/s)",
        f"staleness, device publish → facilities stream: p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, "
        f"max {worst * 1000:.0f} ms",
        f"central's JSON API at the end: {run.online} online of {run.total}",
        f"central / broker CPU: {run.central_per_broker:.2f}x"
        + ("" if run.broker == "mosquitto" else f" (both nodes: {run.broker_share:.3f} of a core)"),
        *goals(run, ""),
    ]
    return "\n".join(lines)


def goals(run: Measured, suffix: str) -> list[str]:
    p99 = percentile(run.staleness_s, 0.99)
    return [
        f"goal staleness p99 ≤ {GOAL_STALENESS_S:g} s{suffix} .................. {yes(p99 <= GOAL_STALENESS_S)}",
        f"goal central under {GOAL_CENTRAL_SHARE:g} of a core{suffix} ............. "
        f"{yes(run.share['central'] < GOAL_CENTRAL_SHARE)}",
        f"goal central under the broker's CPU{suffix} ........ {yes(run.central_per_broker < 1)}",
    ]


def report_both(args: argparse.Namespace, mosquitto: Measured, cluster: Measured) -> str:
    """Both brokers' runs in one table, Mosquitto's column the baseline."""
    runs = (mosquitto, cluster)

    def each(figure: Callable[[Measured], str]) -> list[str]:
        return [figure(run) for run in runs]

    def stale(share: float) -> Callable[[Measured], str]:
        return lambda run: f"{percentile(run.staleness_s, share) * 1000:.0f}"

    rows = [
        ["figure", "one Mosquitto", "ejabberd cluster"],
        ["central: CPU share of a core", *each(lambda r: f"{r.share['central']:.3f}")],
        ["central: CPU s", *each(lambda r: f"{r.cpu['central']:.1f}")],
        ["central: RSS MiB", *each(lambda r: f"{r.rss['central']:.0f}")],
        ["broker: CPU share of a core (all nodes)", *each(lambda r: f"{r.broker_share:.3f}")],
        ["  node A (the devices')", "-", f"{cluster.share['ejabberd A']:.3f}"],
        ["  node B (central's)", "-", f"{cluster.share['ejabberd B']:.3f}"],
        ["broker: RSS MiB (all nodes)", *each(lambda r: f"{sum(r.rss[n] for n in r.broker_names()):.0f}")],
        ["fleet simulator: CPU share of a core", *each(lambda r: f"{r.share['fleet']:.3f}")],
        ["health snapshots on the stream / s", *each(lambda r: f"{len(r.staleness_s) / r.wall:.0f}")],
        ["staleness p50 ms", *each(stale(0.5))],
        ["staleness p99 ms", *each(stale(0.99))],
        ["staleness max ms", *each(stale(1.0))],
        ["all online at central after s", *each(lambda r: f"{r.online_after_s:.1f}")],
        ["online at central at the end", *each(lambda r: f"{r.online} of {r.total}")],
        ["central / broker CPU", *each(lambda r: f"{r.central_per_broker:.2f}x")],
        ["broker CPU / Mosquitto's", "1.00x", f"{cluster.broker_share / max(mosquitto.broker_share, 1e-9):.1f}x"],
    ]
    online = "each broker with fresh processes, one after the other; devices on node A, central on node B"
    return "\n".join(
        [
            headline(args, mosquitto, " on one Mosquitto and on a 2-node ejabberd cluster", online),
            "",
            table(rows),
            "",
            *goals(mosquitto, " (Mosquitto)"),
            *goals(cluster, " (cluster)"),
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fleet", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--devices", type=int, default=2000)
    parser.add_argument("--health-every", type=float, default=5.0, metavar="S")
    parser.add_argument("--event-every", type=float, default=10.0, metavar="S")
    parser.add_argument("--warmup", type=float, default=20.0, metavar="S")
    parser.add_argument("--seconds", type=float, default=60.0, metavar="S")
    parser.add_argument(
        "--broker",
        choices=[*BROKERS, "both"],
        default=None,
        help="one Mosquitto, the 2-node ejabberd cluster, or both in turn (the default; --quick: mosquitto)",
    )
    parser.add_argument("--quick", action="store_true", help="200 devices for 20 s: shows it still works")
    args = parser.parse_args(argv)
    if args.quick:
        args.devices, args.warmup, args.seconds = 200, 5.0, 15.0
    chosen = args.broker or ("mosquitto" if args.quick else "both")
    kinds = BROKERS if chosen == "both" else (chosen,)
    runs: list[Measured] = []
    for kind in kinds:
        programs = Programs()
        with tempfile.TemporaryDirectory(prefix="bench-fleet-") as tmp:
            try:
                runs.append(asyncio.run(measure(args, Path(tmp), programs, kind)))
            finally:
                programs.stop_all()
    print(report_one(args, runs[0]) if len(runs) == 1 else report_both(args, runs[0], runs[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
