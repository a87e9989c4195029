"""Does the kiosk keep anything from one call to the next? RSS, open files, threads and asyncio tasks after
2 calls and after 100, each after a full garbage collection.

``python -m bench.call_memory [--calls N] [--json PATH] [--quick]``

Each call is the kiosk's ``CallSession`` (VP8, 640x480 at 30 fps from a synthetic camera) against the
scripted switchboard + agent, a real aiortc peer, in a process of its own (:mod:`bench.agent_process`), so
this process's figures are the kiosk's side alone; the call lasts until the kiosk has received 15 of the
agent's pictures, then the passenger hangs up. As in the kiosk, one camera owner serves every call and
glibc's malloc arenas are limited (``video.allocator``). The baseline is the same process after its second
call: the first call loads codecs and grows pools that later calls reuse. Goal (issue 15): RSS after
N calls ≤ +5% over after 2.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import statistics
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.agent_process import PipeSignalling
from bench.call_media import FRAMES_PER_SHORT_CALL, SIGNAL_TIMEOUT_S, peer_connections_alive
from bench.call_setup import CONTEXT, FPS, HEIGHT, WIDTH, environment
from bench.procmem import process_memory
from bench.report import table, write_figures, yes
from hardware.camera import CameraOwner, SyntheticSource
from video.allocator import KIOSK_ARENA_MAX, limit_malloc_arenas, return_freed_memory
from video.session import CallSession, SessionPhase
from video.settings import VideoSection

BASELINE_CALL = 2
GOAL_GROWTH = 0.05
MB = 2**20


@dataclass(frozen=True)
class Snapshot:
    """The process after one call, after ``gc.collect()``."""

    call: int
    rss_mb: float
    rss_trimmed_mb: float
    """After one more ``malloc_trim``: what the allocator still held freed, taken out (the session trims once,
    as the call ends; what its threads free after that stays in the allocator until the next trim)."""
    open_files: int
    threads: int
    """Native threads of the process (``/proc/self/task``): aiortc's codec threads and the default executor's
    are not all Python ``threading`` threads the interpreter knows of."""
    asyncio_tasks: int
    peer_connections: int
    gc_objects: int


def _rss_mb() -> float:
    memory = process_memory(os.getpid())
    assert memory is not None
    return memory.rss / MB


def snapshot(call: int) -> Snapshot:
    gc.collect()
    rss_mb = _rss_mb()
    return_freed_memory()
    return Snapshot(
        call=call,
        rss_mb=rss_mb,
        rss_trimmed_mb=_rss_mb(),
        open_files=len(os.listdir("/proc/self/fd")),
        threads=len(os.listdir("/proc/self/task")),
        asyncio_tasks=len(asyncio.all_tasks()),
        peer_connections=peer_connections_alive(),
        gc_objects=len(gc.get_objects()) - (call - 1),  # less this benchmark's own: a Snapshot per call before
    )


async def short_call(agent: PipeSignalling, camera: CameraOwner, call_id: str) -> None:
    session = CallSession(agent, camera, VideoSection(codec="vp8"), CONTEXT, call_id=call_id)
    enough = asyncio.Event()

    def on_frame(_frame: object) -> None:
        if session.remote_frames >= FRAMES_PER_SHORT_CALL:
            enough.set()

    session.on_remote_video = on_frame
    await session.start("en")
    await asyncio.wait_for(enough.wait(), SIGNAL_TIMEOUT_S)
    if session.phase is not SessionPhase.IN_CALL:
        raise RuntimeError(f"the call ended early: {session.end_reason}")
    await session.hangup()


async def repeated_calls(calls: int) -> list[Snapshot]:
    """``calls`` short calls in a row, a snapshot after each."""
    agent = await PipeSignalling.spawn(WIDTH, HEIGHT)
    camera = CameraOwner(SyntheticSource(WIDTH, HEIGHT), FPS)
    shots: list[Snapshot] = []
    try:
        for n in range(1, calls + 1):
            await short_call(agent, camera, f"mem-{n}")
            shots.append(snapshot(n))
            s = shots[-1]
            print(
                f"call {n}/{calls}: RSS {s.rss_mb:.1f} MB ({s.rss_trimmed_mb:.1f} trimmed), {s.open_files} fds, "
                f"{s.threads} threads "
                f"({threading.active_count()} Python), {s.asyncio_tasks} tasks, {s.gc_objects} objects",
                file=sys.stderr,
                flush=True,
            )
    finally:
        await camera.stop()
        await agent.close()
    return shots


FIGURES = (
    ("RSS MB", "rss_mb"),
    ("RSS MB after one more malloc_trim", "rss_trimmed_mb"),
    ("open files", "open_files"),
    ("threads", "threads"),
    ("asyncio tasks", "asyncio_tasks"),
    ("peer connections alive", "peer_connections"),
    ("Python objects tracked by gc", "gc_objects"),
)


def _value(shot: Snapshot, field: str) -> str:
    value = getattr(shot, field)
    return f"{value:.1f}" if isinstance(value, float) else str(value)


def _ratio(after: float, before: float) -> str:
    return f"{after / before:.3f}×" if before else ("1.000×" if after == before else "—")


def _nothing_left(base: Snapshot, last: Snapshot) -> bool:
    return (
        last.peer_connections == 0 and last.asyncio_tasks <= base.asyncio_tasks and last.open_files <= base.open_files
    )


def render(shots: list[Snapshot], env: dict[str, str], took_s: float) -> str:
    base, last = shots[BASELINE_CALL - 1], shots[-1]
    rows = [["", f"after {base.call} calls (baseline)", f"after {last.call} calls", "ratio"]]
    for name, field in FIGURES:
        rows.append(
            [name, _value(base, field), _value(last, field), _ratio(getattr(last, field), getattr(base, field))]
        )
    later = [s.rss_mb for s in shots[BASELINE_CALL:]]
    trimmed = [s.rss_trimmed_mb for s in shots[BASELINE_CALL:]]
    half = len(later) // 2
    growth = last.rss_mb / base.rss_mb - 1
    lines = [
        f"Kiosk call session, {len(shots)} short VP8 calls in a row at {WIDTH}x{HEIGHT} against an aiortc agent in"
        f" its own process; malloc arenas limited to {KIOSK_ARENA_MAX} as in the kiosk",
        f"on {env['machine']} (load average {env['load_before']} before the run); Python {env['python']},"
        f" aiortc {env['aiortc']}, av {env['av']}",
        "",
        table(rows),
        "",
        f"RSS over calls {BASELINE_CALL + 1}..{last.call}: lowest {min(later):.1f} MB, highest {max(later):.1f} MB"
        if later
        else "",
        f"  after one more malloc_trim: lowest {min(trimmed):.1f} MB, highest {max(trimmed):.1f} MB" if later else "",
    ]
    if half:
        early, late = statistics.median(later[:half]), statistics.median(later[half:])
        lines.append(f"creep, median RSS of the second half of those calls over the first: {late / early - 1:+.1%}")
    lines += [
        f"goal RSS after {last.call} calls ≤ +{GOAL_GROWTH:.0%} over after {base.call}: "
        f"{yes(growth <= GOAL_GROWTH)} ({growth:+.1%})",
        f"no peer connection, task or open file left by the calls: {yes(_nothing_left(base, last))}",
        "(threads: asyncio's default executor adds workers as calls need them, up to min(32, CPUs + 4))",
        f"whole benchmark: {took_s:.1f} s",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.call_memory", description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=100, help="calls in a row (default 100)")
    parser.add_argument("--json", type=Path, help="write every call's figures to this file")
    parser.add_argument("--quick", action="store_true", help="4 calls: checks that it runs")
    args = parser.parse_args(argv)
    if args.quick:
        args.calls = 4
    if args.calls < BASELINE_CALL + 1:
        parser.error(f"--calls must be at least {BASELINE_CALL + 1}")
    if not limit_malloc_arenas(KIOSK_ARENA_MAX):  # as kiosk.cli does, before any thread allocates
        raise OSError("mallopt(M_ARENA_MAX) refused")
    load_before = os.getloadavg()[0]
    began = time.monotonic()
    shots = asyncio.run(repeated_calls(args.calls))
    took_s = time.monotonic() - began
    env = environment(load_before)
    print(render(shots, env, took_s))
    if args.json:
        write_figures(args.json, env, took_s, calls=[asdict(s) for s in shots])
    return 0


if __name__ == "__main__":
    sys.exit(main())
