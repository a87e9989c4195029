"""Figures of the start-up benchmark: one sample per run, the comparison table, and the raw JSON."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

from bench.report import Spread, table, yes

START_GOAL_MS = 2000.0
RSS_GOAL_MB = 150.0
MB = 2**20


@dataclass(frozen=True)
class Sample:
    """One cold start of one program."""

    program: str
    run: int
    start_ms: float
    """Wall clock from ``Popen`` to the program's report of its first paint."""
    in_process_ms: float | None
    """The kiosk's own figure, from the start of its ``main()``; None for Chromium."""
    cpu_ms: float
    """User + system CPU time of the process tree when the paint was reported: the wall clock less the
    waiting for a CPU that other work on the machine causes."""
    rss_bytes: int
    pss_bytes: int
    uss_bytes: int
    processes: int
    stop_ms: float
    """From SIGTERM to exit."""
    exit_code: int
    killed: int


@dataclass(frozen=True)
class Summary:
    """One program's runs boiled down to the figures in the table (memory in MB)."""

    runs: int
    start_ms: Spread
    first_start_ms: float
    in_process_ms: Spread | None
    cpu_ms: Spread
    rss_mb: float
    pss_mb: float
    processes: int
    stop_ms: float
    exit_codes: list[int]

    @classmethod
    def of(cls, samples: list[Sample]) -> Summary:
        in_process = [s.in_process_ms for s in samples if s.in_process_ms is not None]
        return cls(
            runs=len(samples),
            start_ms=Spread.of([s.start_ms for s in samples]),
            first_start_ms=min(samples, key=lambda s: s.run).start_ms,
            in_process_ms=Spread.of(in_process) if in_process else None,
            cpu_ms=Spread.of([s.cpu_ms for s in samples]),
            rss_mb=statistics.median(s.rss_bytes for s in samples) / MB,
            pss_mb=statistics.median(s.pss_bytes for s in samples) / MB,
            processes=max(s.processes for s in samples),
            stop_ms=statistics.median(s.stop_ms for s in samples),
            exit_codes=sorted({s.exit_code for s in samples}),
        )


def environment(chromium: str, load_before: float) -> dict[str, str]:
    """What the figures were measured on; ``load_before`` is the 1-minute load average before the runs."""
    try:
        done = subprocess.run([chromium, "--version"], capture_output=True, text=True, timeout=30, check=False)
        chromium_version = done.stdout.strip() or "unknown"
    except (OSError, subprocess.TimeoutExpired) as exc:
        chromium_version = f"unknown ({exc})"
    return {
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Linux {platform.release()}",
        "python": sys.version.split()[0],
        "pyside6": metadata.version("PySide6-Essentials"),
        "chromium": chromium_version,
        "load_before": f"{load_before:.2f}",
        # bench.startup compiles the project first: an installed kiosk has its .pyc files, a checkout
        # with PYTHONDONTWRITEBYTECODE set would recompile every module at every start.
        "bytecode": "project compiled to .pyc before the runs, as a wheel install does",
    }


def _row(name: str, s: Summary) -> list[str]:
    in_process = str(s.in_process_ms) if s.in_process_ms else "—"
    return [name, str(s.start_ms), in_process, str(s.cpu_ms), f"{s.rss_mb:.1f}", f"{s.pss_mb:.1f}", str(s.processes)]


def _taps(taps: dict[str, list[float]]) -> list[str]:
    """The first tap on Video help to its screen painted, each in a fresh process (bench.startup.first_tap_child)."""
    if not any(taps.values()):
        return []
    rows = [["first tap on Video help", "to its screen painted, ms median (min–max)", "runs"]]
    rows += [[f"  {way}", str(Spread.of(ms)), str(len(ms))] for way, ms in taps.items() if ms]
    return [
        "",
        table(rows),
        "  at once: a bare window tapped as soon as it painted, nothing built or loaded after the paint;",
        "  warmed: the kiosk's app tapped once its screens are built and the call stack loaded after the paint.",
    ]


def _overlap(a: Spread, b: Spread) -> str:
    # Overlapping ranges on a few runs mean the verdict could flip on the next run.
    return "; the min–max ranges overlap" if a.low <= b.high and b.low <= a.high else ""


def render(
    samples: list[Sample], env: dict[str, str], took_s: float, taps: dict[str, list[float]] | None = None
) -> str:
    """The comparison table, the goal checks, and the notes that say how to read them."""
    kiosk = Summary.of([s for s in samples if s.program == "kiosk"])
    chromium = Summary.of([s for s in samples if s.program == "chromium"])
    rows = [
        [
            "",
            "start ms median (min–max)",
            "in-process paint ms",
            "CPU ms to paint",
            "RSS MB median",
            "PSS MB median",
            "processes",
        ],
        _row("kiosk", kiosk),
        _row("chromium", chromium),
        [
            "kiosk / chromium",
            f"{kiosk.start_ms.median / chromium.start_ms.median:.2f}×",
            "",
            f"{kiosk.cpu_ms.median / chromium.cpu_ms.median:.2f}×",
            "",
            f"{kiosk.pss_mb / chromium.pss_mb:.2f}×",
            "",
        ],
    ]
    killed = sum(s.killed for s in samples)
    return "\n".join(
        [
            f"Cold start to the first painted home screen: {kiosk.runs} runs each, alternating kiosk and Chromium",
            f"on {env['machine']} (load average {env['load_before']} before the runs)",
            f"Python {env['python']}, {env['bytecode']}; PySide6 {env['pyside6']}; {env['chromium']}",
            "",
            table(rows),
            "",
            f"start ≤ {START_GOAL_MS:.0f} ms: {yes(kiosk.start_ms.median <= START_GOAL_MS)}"
            f" (kiosk median {kiosk.start_ms.median:.0f} ms, slowest {kiosk.start_ms.high:.0f} ms)",
            f"faster than Chromium: {yes(kiosk.start_ms.median < chromium.start_ms.median)}"
            f" (median {kiosk.start_ms.median:.0f} ms against {chromium.start_ms.median:.0f} ms"
            f"{_overlap(kiosk.start_ms, chromium.start_ms)})",
            f"RSS ≤ {RSS_GOAL_MB:.0f} MB: {yes(kiosk.rss_mb <= RSS_GOAL_MB)} (kiosk median {kiosk.rss_mb:.1f} MB)",
            *_taps(taps or {}),
            "",
            "Notes:",
            "- start: wall clock from Popen to the paint report (the kiosk's stdout line; the page's /painted",
            "  request two animation frames after load), so it includes interpreter or browser start-up.",
            "  in-process: the kiosk's own figure, from the start of main() (after the interpreter and kiosk.cli).",
            "- CPU: user + system time of the process tree when the paint was reported (Chromium: 10 ms ticks);",
            "  the kiosk's own figure at its paint, in its paint line. On a busy machine the start's wall clock",
            "  grows with the neighbours' load; this figure hardly does.",
            "- Every run is a new process, but runs after the first hit the OS page cache for both programs;",
            f"  the first (coldest) runs took kiosk {kiosk.first_start_ms:.0f} ms,"
            f" Chromium {chromium.first_start_ms:.0f} ms.",
            "- Memory: after the paint, once RSS stops growing (polled every 0.1 s, at most 1 s), summed over the",
            "  process tree; MB = 2^20 bytes. Summed RSS counts shared pages once per process, PSS shares them",
            "  out, so PSS is the fair figure for a multi-process browser.",
            f"- Exit after SIGTERM: kiosk median {kiosk.stop_ms:.0f} ms (exit codes {kiosk.exit_codes}),"
            f" Chromium median {chromium.stop_ms:.0f} ms (exit codes {chromium.exit_codes});",
            f"  processes that had to be killed: {killed}. Whole benchmark: {took_s:.1f} s.",
        ]
    )


def write_json(
    path: Path, samples: list[Sample], env: dict[str, str], took_s: float, taps: dict[str, list[float]] | None = None
) -> None:
    """Every run's raw figures, for comparing machines and versions later."""
    data = {
        "environment": env,
        "took_s": round(took_s, 2),
        "samples": [asdict(s) for s in samples],
        "first_tap_ms": taps or {},
    }
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
