"""What a call costs the kiosk while it lasts: CPU and pictures per second each way for VP8 and H.264, beside a
bare aiortc peer with the same media; and the kiosk's memory after 1 call and after 20 in a row.

``python -m bench.call_media [--seconds S] [--rounds R] [--calls N] [--json PATH] [--trace] [--quick]``

The agent (the scripted switchboard + agent of the tests) runs in a process of its own
(:mod:`bench.agent_process`), so this process's CPU time and memory are the kiosk's side alone: its camera
thread, conversions, encoder and decoder threads and the asyncio loop. See ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from aiortc import RTCPeerConnection, RTCSessionDescription

import video.session
from bench.agent_process import PipeSignalling
from bench.call_setup import (
    CONTEXT,
    FPS,
    HEIGHT,
    WIDTH,
    bare_offerer,
    environment,
)
from bench.procmem import process_memory
from bench.report import Spread, table, write_figures, yes
from bus.messages.call import CallRequest, Connect, SdpAnswer, SdpOffer
from hardware.camera import CameraOwner, SyntheticSource
from video.allocator import KIOSK_ARENA_MAX, limit_malloc_arenas, return_freed_memory
from video.peer import close_peer_connection, negotiated_video_codec
from video.session import CallSession, SessionPhase
from video.settings import VideoSection

CODECS = ("vp8", "h264")
SETTLE_S = 1.0  # after the first picture: keyframes, the encoder's rate control and the first RTCP go by
FRAMES_PER_SHORT_CALL = 15
GOAL_GROWTH = 0.10
GOAL_FPS_SHARE = 0.9  # pictures delivered per second, as a share of the configured rate
SIGNAL_TIMEOUT_S = 15.0
MB = 2**20
REPO_ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class MediaSample:
    """One call held for a while: the kiosk's CPU share of one core, and pictures per second each way."""

    kind: str
    codec: str
    answered_codec: str | None
    seconds: float
    cpu_percent: float
    to_kiosk_fps: float
    to_agent_fps: float


@dataclass(frozen=True)
class MemoryFigures:
    """RSS after each of a run of calls (after a full garbage collection), and what tracing found."""

    rss_mb: list[float]
    peer_connections_alive: int
    malloc_arena_max: int | None
    trimmed: bool
    python_heap_growth_kb: float | None
    top_growth: list[str]

    @property
    def growth(self) -> float:
        return (self.rss_mb[-1] - self.rss_mb[0]) / self.rss_mb[0]

    @property
    def half(self) -> int:
        """Calls 2..half and half+1..N are the two halves compared for creep (the first call is warm-up)."""
        return 1 + (len(self.rss_mb) - 1) // 2

    @property
    def creep(self) -> float:
        """Growth of the median RSS from the first to the second half of calls 2..N: a trend, not noise."""
        early, late = self.rss_mb[1 : self.half], self.rss_mb[self.half :]
        return (statistics.median(late) - statistics.median(early)) / statistics.median(early)


def cpu_s() -> float:
    times = os.times()
    return times.user + times.system


async def agent_frames(agent: PipeSignalling) -> int:
    reply = await agent.command("stats")
    assert reply is not None
    return int(reply["frames_received"])


async def hold(
    agent: PipeSignalling, kiosk_frames: Callable[[], int], seconds: float
) -> tuple[float, float, float, float]:
    """Measure over ``seconds``: wall time, CPU share, pictures per second to the kiosk and to the agent."""
    await asyncio.sleep(SETTLE_S)
    wall0, cpu0, in0, out0 = time.perf_counter(), cpu_s(), kiosk_frames(), await agent_frames(agent)
    await asyncio.sleep(seconds)
    wall1, cpu1, in1, out1 = time.perf_counter(), cpu_s(), kiosk_frames(), await agent_frames(agent)
    wall = wall1 - wall0
    return wall, (cpu1 - cpu0) / wall * 100, (in1 - in0) / wall, (out1 - out0) / wall


async def session_call(agent: PipeSignalling, codec: str, run: str, seconds: float | None) -> MediaSample | None:
    """A kiosk call: held for ``seconds`` and measured, or (None) ended after a few pictures."""
    camera = CameraOwner(SyntheticSource(WIDTH, HEIGHT), FPS)
    session = CallSession(agent, camera, VideoSection(codec=codec), CONTEXT, call_id=f"bench-media-{run}")
    enough = asyncio.Event()

    def on_frame(_frame: object) -> None:
        if session.remote_frames >= FRAMES_PER_SHORT_CALL:
            enough.set()

    session.on_remote_video = on_frame
    try:
        await session.start("en")
        await asyncio.wait_for(enough.wait(), SIGNAL_TIMEOUT_S)
        sample = None
        if seconds is not None:
            wall, cpu, to_kiosk, to_agent = await hold(agent, lambda: session.remote_frames, seconds)
            sample = MediaSample("call", codec, session.video_codec, wall, cpu, to_kiosk, to_agent)
        if session.phase is not SessionPhase.IN_CALL:
            raise RuntimeError(f"the call ended early: {session.end_reason}")
        await session.hangup()
        return sample
    finally:
        await camera.stop()


async def bare_call(agent: PipeSignalling, codec: str, run: str, seconds: float) -> MediaSample:
    """The same call from a bare peer connection: request, connect, offer, answer, media; nothing else."""
    await agent.send(CallRequest(call=run, language="en"))
    message = await asyncio.wait_for(agent.receive(), SIGNAL_TIMEOUT_S)
    while not (isinstance(message, Connect) and message.call == run):  # skips the ends of earlier calls
        message = await asyncio.wait_for(agent.receive(), SIGNAL_TIMEOUT_S)
    pc, tracks = bare_offerer(codec)
    frames = 0
    first = asyncio.Event()
    tasks: set[asyncio.Task[None]] = set()

    def count(track: object) -> None:
        async def consume() -> None:
            nonlocal frames
            while True:
                await track.recv()  # type: ignore[attr-defined]
                if track.kind == "video":  # type: ignore[attr-defined]
                    frames += 1
                    first.set()

        tasks.add(asyncio.ensure_future(consume()))

    pc.on("track", count)
    try:
        await pc.setLocalDescription(await pc.createOffer())
        await agent.send(SdpOffer(call=message.call, sdp=pc.localDescription.sdp))
        answer = await asyncio.wait_for(agent.receive(), SIGNAL_TIMEOUT_S)
        while not (isinstance(answer, SdpAnswer) and answer.call == run):
            answer = await asyncio.wait_for(agent.receive(), SIGNAL_TIMEOUT_S)
        await pc.setRemoteDescription(RTCSessionDescription(sdp=answer.sdp, type="answer"))
        await asyncio.wait_for(first.wait(), SIGNAL_TIMEOUT_S)
        wall, cpu, to_kiosk, to_agent = await hold(agent, lambda: frames, seconds)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await close_peer_connection(pc)
        for track in tracks:
            track.stop()
        await agent.command("hangup")
    return MediaSample("bare", codec, negotiated_video_codec(answer.sdp), wall, cpu, to_kiosk, to_agent)


def _where(traceback: tracemalloc.Traceback) -> str:
    """The innermost frame of the project's own code that led to an allocation, and the allocating frame."""
    frames = list(traceback)  # oldest first
    ours = [f for f in frames if f.filename.startswith(str(REPO_ROOT)) and "/.venv/" not in f.filename]
    inner = frames[-1]
    where = (
        f"{ours[-1].filename.removeprefix(str(REPO_ROOT) + '/')}:{ours[-1].lineno}" if ours else "outside the project"
    )
    return f"{where} (allocated at {inner.filename}:{inner.lineno})"


def peer_connections_alive() -> int:
    return sum(isinstance(o, RTCPeerConnection) for o in gc.get_objects())


def rss_mb() -> float:
    memory = process_memory(os.getpid())
    assert memory is not None
    return memory.rss / MB


async def repeated_calls(agent: PipeSignalling, calls: int, trace: bool, arena_max: int | None) -> MemoryFigures:
    """``calls`` short kiosk calls in a row; RSS after each one, after a full garbage collection."""
    rss: list[float] = []
    for n in range(1, calls + 1):
        if trace and n == 2:
            tracemalloc.start(25)
            before = tracemalloc.take_snapshot()
        await session_call(agent, "vp8", f"mem-{n}", None)
        gc.collect()
        rss.append(rss_mb())
        print(f"call {n}/{calls}: RSS {rss[-1]:.1f} MB", file=sys.stderr)
    heap_kb, top = None, []
    if trace:
        after = tracemalloc.take_snapshot()
        tracemalloc.stop()
        diff = after.compare_to(before, "traceback")
        heap_kb = sum(d.size_diff for d in diff) / 1024
        top = [f"{d.size_diff / 1024:+.0f} kB {d.count_diff:+d} blocks at {_where(d.traceback)}" for d in diff[:8]]
    trimmed = video.session.return_freed_memory is return_freed_memory
    return MemoryFigures(rss, peer_connections_alive(), arena_max, trimmed, heap_kb, top)


async def run_all(
    seconds: float, rounds: int, calls: int, trace: bool, arena_max: int | None
) -> tuple[MemoryFigures, list[MediaSample]]:
    """The memory run, then per codec ``rounds`` rounds of a bare peer and a call, alternating.

    Alternating within a round means a change in the machine's load (neighbours, CPU frequency) lands on
    both kinds alike; the rounds give the spread that says how far one figure can be trusted.
    """
    agent = await PipeSignalling.spawn(WIDTH, HEIGHT)
    try:
        memory = await repeated_calls(agent, calls, trace, arena_max)
        samples: list[MediaSample] = []
        for codec in CODECS:
            for round_no in range(1, rounds + 1):
                # the kind measured first changes from round to round, so neither always follows the other
                kinds = ("bare", "call") if round_no % 2 else ("call", "bare")
                for kind in kinds:
                    run = f"{kind}-{codec}-{round_no}"
                    if kind == "bare":
                        sample = await bare_call(agent, codec, run, seconds)
                    else:
                        measured = await session_call(agent, codec, run, seconds)
                        assert measured is not None
                        sample = measured
                    samples.append(sample)
                    print(
                        f"{run}: CPU {sample.cpu_percent:.0f}%, {sample.to_kiosk_fps:.1f} fps to the kiosk, "
                        f"{sample.to_agent_fps:.1f} fps to the agent",
                        file=sys.stderr,
                    )
    finally:
        await agent.close()
    return memory, samples


def render(memory: MemoryFigures, samples: list[MediaSample], env: dict[str, str], took_s: float) -> str:
    rows = [["", "answered", "CPU % of a core", "ratio", "fps to kiosk", "fps to agent"]]
    checks = []
    rounds = 0
    for codec in CODECS:
        bare = [s for s in samples if s.codec == codec and s.kind == "bare"]
        call = [s for s in samples if s.codec == codec and s.kind == "call"]
        rounds = len(call)
        # the ratio of each round's call to the same round's bare peer: its spread is the honest one
        ratios = Spread.of([c.cpu_percent / b.cpu_percent for b, c in zip(bare, call, strict=True)])
        for kind, runs in (("bare", bare), ("call", call)):
            name = f"{codec}: {'bare aiortc peer' if kind == 'bare' else 'CallSession + camera'}"
            cpu = Spread.of([s.cpu_percent for s in runs])
            ratio = "1.00×" if kind == "bare" else f"{ratios.median:.2f}× ({ratios.low:.2f}–{ratios.high:.2f})"
            answered = "/".join(sorted({s.answered_codec or "?" for s in runs}))
            to_kiosk = Spread.of([s.to_kiosk_fps for s in runs])
            to_agent = Spread.of([s.to_agent_fps for s in runs])
            rows.append([name, answered, str(cpu), ratio, _fps(to_kiosk), _fps(to_agent)])
        low = min(min(s.to_kiosk_fps, s.to_agent_fps) for s in call)
        checks.append(
            f"{codec}: pictures ≥ {GOAL_FPS_SHARE:.0%} of {FPS} fps each way in every round:"
            f" {yes(low >= GOAL_FPS_SHARE * FPS)} (slowest way {low:.1f} fps)"
        )
    rss = memory.rss_mb
    half = memory.half
    memory_rows = [
        ["", "RSS MB", "growth"],
        ["after 1 call", f"{rss[0]:.1f}", ""],
        ["after 2 calls", f"{rss[1]:.1f}", f"{(rss[1] - rss[0]) / rss[0]:+.1%}"],
        [f"after {len(rss)} calls", f"{rss[-1]:.1f}", f"{memory.growth:+.1%}"],
        [f"calls 2 to {len(rss)}: lowest–highest", f"{min(rss[1:]):.0f}–{max(rss[1:]):.0f}", ""],
        [f"creep: median of calls {half + 1}–{len(rss)} against 2–{half}", "", f"{memory.creep:+.1%}"],
    ]
    arenas = f"at most {memory.malloc_arena_max}" if memory.malloc_arena_max else "glibc's default number of"
    lines = [
        f"Media of one call at {WIDTH}x{HEIGHT}, {FPS} fps, each way; {rounds} rounds of bare peer and call,"
        f" alternating, {samples[0].seconds:.0f} s measured each after {SETTLE_S:g} s to settle;"
        " the agent in its own process; median (lowest–highest) of the rounds",
        f"on {env['machine']} (load average {env['load_before']} before the runs);"
        f" Python {env['python']}, aiortc {env['aiortc']}, av {env['av']}",
        "",
        table(rows),
        "",
        *checks,
        "",
        table(memory_rows),
        "",
        f"goal: growth ≤ {GOAL_GROWTH:.0%} from 1 to {len(rss)} calls: {yes(memory.growth <= GOAL_GROWTH)}"
        f" ({memory.growth:+.1%}), with {arenas} malloc arenas,"
        f" {'with' if memory.trimmed else 'WITHOUT'} the session's malloc_trim after each call;"
        f" peer connections still alive after the calls: {memory.peer_connections_alive}",
    ]
    if memory.python_heap_growth_kb is not None:
        growth_kb = memory.python_heap_growth_kb
        lines += [f"Python heap growth over calls 2..{len(rss)} (tracemalloc): {growth_kb:+.0f} kB, largest:"]
        lines += [f"  {line}" for line in memory.top_growth]
    lines += [
        "",
        "Notes:",
        "- CPU: this process's user + system time over wall time (100% = one core): the kiosk's side only, with",
        "  aiortc's encoder and decoder threads; the bare peer sends the same moving pattern without the camera",
        "  thread, the resize/convert step or the session.",
        "- fps to the kiosk: agent pictures decoded here; fps to the agent: kiosk pictures the agent decoded.",
        "- ratio: each round's call over the same round's bare peer, median and range over the rounds.",
        "- Memory: RSS of this process after gc.collect(); calls of about half a second each (until 15 agent",
        "  pictures), VP8, one after the other against the same agent process.",
        f"- Whole benchmark: {took_s:.1f} s.",
    ]
    return "\n".join(lines)


def _fps(spread: Spread) -> str:
    return f"{spread.median:.1f} ({spread.low:.1f}–{spread.high:.1f})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.call_media", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per row (default 10)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of bare peer + call per codec (default 3)")
    parser.add_argument("--calls", type=int, default=20, help="calls in a row for the memory figure (default 20)")
    parser.add_argument("--trace", action="store_true", help="also diff the Python heap with tracemalloc (slower)")
    parser.add_argument(
        "--no-trim", action="store_true", help="skip the session's malloc_trim after each call, to see what it saves"
    )
    parser.add_argument(
        "--malloc-arena-max",
        type=int,
        default=KIOSK_ARENA_MAX,
        help=f"limit glibc's malloc arenas as the kiosk does (default {KIOSK_ARENA_MAX}); 0 for glibc's default",
    )
    parser.add_argument("--json", type=Path, help="write the raw figures to this file")
    parser.add_argument("--quick", action="store_true", help="1 s, 1 round, 3 calls: checks that it runs")
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds, args.rounds, args.calls = 1.0, 1, 3
    if args.seconds <= 0 or args.calls < 3 or args.rounds < 1:
        # three calls at least: the creep compares two halves of the calls after the first
        parser.error("--seconds must be positive, --calls at least 3 and --rounds at least 1")
    logging.basicConfig(level=logging.WARNING)
    if args.malloc_arena_max and not limit_malloc_arenas(args.malloc_arena_max):  # before any thread allocates
        raise OSError("mallopt(M_ARENA_MAX) refused")
    if args.no_trim:  # an investigation switch: the session looks the function up at each call's end
        video.session.return_freed_memory = lambda: False
    load_before = os.getloadavg()[0]
    began = time.monotonic()
    memory, samples = asyncio.run(run_all(args.seconds, args.rounds, args.calls, args.trace, args.malloc_arena_max))
    took_s = time.monotonic() - began
    env = environment(load_before)
    print(render(memory, samples, env, took_s))
    if args.json:
        write_figures(args.json, env, took_s, memory=asdict(memory), samples=[asdict(s) for s in samples])
    return 0


if __name__ == "__main__":
    sys.exit(main())
