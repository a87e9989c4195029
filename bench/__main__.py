"""Every benchmark in one run: ``python -m bench [--quick] [--only NAME…] [--skip NAME…] [--json PATH]``.

Each benchmark runs as its own program (``python -m bench.NAME``), one after the other, so that one's Qt
application, event loop or leftover memory never colours the next one's figures, and a crash stops only
that benchmark. Its table is printed as it comes; at the end a summary gives every benchmark's status
(ok, failed, or skipped with the reason: a benchmark that cannot run on this machine says so, it is never
left out), its seconds, and whether the goals it states were met.

Adding a benchmark is one line in ``BENCHMARKS``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
QUICK_TIMEOUT_S = 300.0  # a quick run takes seconds; this only stops one that hangs
FULL_TIMEOUT_S = 3 * 3600.0


def missing_mosquitto() -> str | None:
    if shutil.which("mosquitto") or Path("/usr/sbin/mosquitto").exists():
        return None
    return "needs Mosquitto (apt-get install mosquitto)"


def missing_chromium() -> str | None:
    return None if Path(CHROMIUM).exists() else f"needs Chromium at {CHROMIUM} (apt-get install chromium)"


def missing_postgres() -> str | None:
    found = list(Path("/usr/lib/postgresql").glob("*/bin/initdb")) or shutil.which("pg_config")
    return None if found else "needs PostgreSQL (apt-get install postgresql)"


def missing_root() -> str | None:
    # A CPU quota is a cgroup's cpu.max, which only root may write
    return None if os.geteuid() == 0 else "needs root to put its calls under a CPU quota (cgroup cpu.max)"


@dataclass(frozen=True)
class Benchmark:
    """One benchmark module, what it needs from the machine, and how it says it cannot run."""

    name: str
    needs: tuple[Callable[[], str | None], ...] = ()
    # An exit status by which the module says the machine cannot run it (its stderr says why)
    unavailable_status: int | None = None


# Every benchmark module in bench/, in the order they run: the cheap, self-contained ones first.
BENCHMARKS: tuple[Benchmark, ...] = (
    Benchmark("switchboard"),
    Benchmark("live_calls"),
    Benchmark("reports"),
    Benchmark("stores", needs=(missing_postgres,), unavailable_status=2),
    Benchmark("kb"),
    Benchmark("board_update"),
    Benchmark("scan"),
    Benchmark("printer"),
    Benchmark("call_setup"),
    Benchmark("transfer"),
    Benchmark("ui_stall"),
    Benchmark("call_media"),
    Benchmark("call_memory"),
    Benchmark("outbox", needs=(missing_mosquitto,)),
    Benchmark("flights", needs=(missing_mosquitto,)),
    Benchmark("signage_repaint", needs=(missing_mosquitto,)),
    Benchmark("fleet", needs=(missing_mosquitto,)),
    Benchmark("bus_receive", needs=(missing_mosquitto,)),
    Benchmark("startup", needs=(missing_chromium,)),
    Benchmark("signage_cpu", needs=(missing_chromium,)),
    Benchmark("phone_page", needs=(missing_chromium,)),
    Benchmark("phone_call_page", needs=(missing_chromium,)),
    Benchmark("soak", needs=(missing_mosquitto, missing_chromium)),
    Benchmark("call_budget", needs=(missing_root,), unavailable_status=2),
)

# A goal line: "goal …: yes", "goal … ...... no", "goal … raster  yes (…)", "p99 ≤ 5 ms: yes (…)",
# "every report ≤ 1 s (median): yes"
GOAL_LINE = re.compile(r"^(?P<what>.*?(?:goal|≤|≥).*?)(?::|\s\.{2,}|\s{2,})\s*(?P<answer>yes|no)\b", re.IGNORECASE)


@dataclass
class Outcome:
    """What one benchmark did in this run."""

    name: str
    status: str  # "ok", "failed" or "skipped"
    seconds: float = 0.0
    reason: str = ""
    goals: list[tuple[str, bool]] = field(default_factory=list)
    output: str = ""

    def goals_met(self) -> str:
        if not self.goals:
            return "-"
        missed = [what for what, ok in self.goals if not ok]
        return "yes" if not missed else f"no ({len(missed)} of {len(self.goals)} missed)"


def goals_in(output: str) -> list[tuple[str, bool]]:
    """The goal lines a benchmark printed, each with its answer."""
    found = []
    for line in output.splitlines():
        match = GOAL_LINE.match(line.strip())
        if match:
            found.append((match["what"].strip(" .:"), match["answer"].lower() == "yes"))
    return found


def last_lines(text: str, count: int = 3) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return " / ".join(lines[-count:])


def run(benchmark: Benchmark, quick: bool, timeout_s: float) -> Outcome:
    """Run one benchmark as a program, echoing its output as it comes."""
    for need in benchmark.needs:
        reason = need()
        if reason is not None:
            return Outcome(benchmark.name, "skipped", reason=reason)
    command = [sys.executable, "-m", f"bench.{benchmark.name}", *(["--quick"] if quick else [])]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    started = time.monotonic()
    lines: list[str] = []
    with tempfile.TemporaryFile("w+") as errors:
        # A session of its own, so that a benchmark that hangs is stopped with everything it started
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=errors, text=True, start_new_session=True
        )
        assert process.stdout is not None
        # Read on a thread, so that a benchmark that hangs without printing is still stopped on time
        echo = threading.Thread(target=copy_lines, args=(process.stdout, lines), daemon=True)
        echo.start()
        timed_out = False
        try:
            process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            timed_out = True
            stop_group(process)
        except BaseException:  # Ctrl-C or SIGTERM: the benchmark has a session of its own, so stop it here
            stop_group(process)
            raise
        echo.join(timeout=10)
        errors.seek(0)
        stderr = errors.read()
    seconds = time.monotonic() - started
    output = "".join(lines)
    if timed_out:
        return Outcome(benchmark.name, "failed", seconds, f"no end after {timeout_s:.0f} s; stopped", output=output)
    if benchmark.unavailable_status is not None and process.returncode == benchmark.unavailable_status:
        return Outcome(benchmark.name, "skipped", seconds, last_lines(stderr, 1) or "cannot run here", output=output)
    if process.returncode != 0:
        print(stderr[-3000:], end="", file=sys.stderr)
        reason = f"exit status {process.returncode}: {last_lines(stderr)}"
        return Outcome(benchmark.name, "failed", seconds, reason, goals_in(output), output)
    return Outcome(benchmark.name, "ok", seconds, goals=goals_in(output), output=output)


def copy_lines(stream: Iterable[str], lines: list[str]) -> None:
    for line in stream:
        print(line, end="", flush=True)
        lines.append(line)


def stop_group(process: subprocess.Popen[str]) -> None:
    """SIGTERM to the benchmark's whole session, SIGKILL if it has not gone in 10 s."""
    for sig, wait_s in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait_s)
            return
        except subprocess.TimeoutExpired:
            continue


def summary(outcomes: Sequence[Outcome]) -> str:
    """One line a benchmark: name, status, seconds, goals met, and why it was skipped or failed."""
    rows = [["benchmark", "status", "seconds", "goals met", "why"]]
    for outcome in outcomes:
        seconds = f"{outcome.seconds:.1f}" if outcome.seconds else "-"
        rows.append([outcome.name, outcome.status, seconds, outcome.goals_met(), outcome.reason])
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]

    def line(row: list[str]) -> str:
        cells = [
            cell.rjust(width) if i == 2 else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        return "  ".join(cells).rstrip()

    return "\n".join([line(rows[0]), "  ".join("-" * width for width in widths), *map(line, rows[1:])])


def chosen(only: Sequence[str] | None, skip: Sequence[str] | None) -> list[Benchmark]:
    known = {benchmark.name for benchmark in BENCHMARKS}
    unknown = sorted({*(only or ()), *(skip or ())} - known)
    if unknown:
        raise SystemExit(f"python -m bench: no benchmark named {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    return [b for b in BENCHMARKS if (not only or b.name in only) and b.name not in (skip or ())]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="each benchmark's short run: shows they all still work")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="run only these benchmarks")
    parser.add_argument("--skip", nargs="+", metavar="NAME", help="leave these benchmarks out (named in the summary)")
    parser.add_argument("--timeout", type=float, help="seconds before one benchmark is stopped (default 300 quick)")
    parser.add_argument("--json", type=Path, help="also write every outcome (with its output) here")
    parser.add_argument("--list", action="store_true", help="name every benchmark and stop")
    args = parser.parse_args(argv)
    if args.list:
        print("\n".join(benchmark.name for benchmark in BENCHMARKS))
        return 0
    timeout_s = args.timeout or (QUICK_TIMEOUT_S if args.quick else FULL_TIMEOUT_S)
    # SIGTERM ends the run as Ctrl-C does: through the handler in run() that stops the benchmark's session
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    selected = chosen(args.only, args.skip)
    outcomes: list[Outcome] = []
    for benchmark in BENCHMARKS:
        if benchmark not in selected:
            if args.skip and benchmark.name in args.skip:
                outcomes.append(Outcome(benchmark.name, "skipped", reason="--skip"))
            continue
        print(f"\n=== bench.{benchmark.name}{' --quick' if args.quick else ''} ===", flush=True)
        outcome = run(benchmark, args.quick, timeout_s)
        if outcome.status != "ok":
            print(f"bench.{benchmark.name}: {outcome.status}: {outcome.reason}", flush=True)
        outcomes.append(outcome)
    note = " (quick runs: they show the benchmarks work, not how fast)" if args.quick else ""
    print(f"\n=== summary{note} ===")
    print(summary(outcomes))
    if args.json is not None:
        args.json.write_text(json.dumps([asdict(outcome) for outcome in outcomes], indent=2, ensure_ascii=False) + "\n")
    return 1 if any(outcome.status == "failed" for outcome in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
