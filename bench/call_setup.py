"""Call set-up time: from ``CallSession.start()`` to the agent's first picture decoded at the kiosk, beside
the floor, a bare aiortc offer/answer between two peer connections from ``createOffer`` to the first picture.

``python -m bench.call_setup [--calls N] [--codec vp8|h264] [--json PATH] [--quick]``

Both run in this process over loopback. The call goes through everything a kiosk's call does (request,
queue, connect, offer and answer over in-memory signalling with the scripted agent of the tests, the camera
owner's thread, the call's tracks); the floor is what aiortc needs for the same media without any of it.
Calls and floors alternate, after one unmeasured warm-up of each; see ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import platform
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

from aiortc import AudioStreamTrack, MediaStreamTrack, RTCPeerConnection, RTCRtpTransceiver

from bench.report import Spread, table, write_figures, yes
from bus.messages.call import CallContext
from demo.agent_peer import AgentPeer, SyntheticVideoTrack
from hardware.camera import CameraOwner, SyntheticSource
from video.peer import close_peer_connection, codec_preferences, negotiated_video_codec
from video.session import CallSession, SessionPhase
from video.settings import VideoSection
from video.signalling import MemorySignallingPair

WIDTH, HEIGHT, FPS = 640, 480, 30
GOAL_RATIO = 1.5
GOAL_MS = 1000.0
FIRST_FRAME_TIMEOUT_S = 15.0
CONTEXT = CallContext(screen="bench", location="bench")


@dataclass(frozen=True)
class SetupSample:
    """One measured set-up, in ms from its start; the parts are the call's phases (None for the floor)."""

    kind: str
    run: int
    first_frame_ms: float
    connect_ms: float | None = None
    """start() to the switchboard's connect (request, queued, connect over signalling)."""
    connected_ms: float | None = None
    """start() to the peer connection's "connected" (offer, answer, ICE, DTLS)."""
    codec: str | None = None


async def measure_call(run: int, codec: str) -> SetupSample:
    """One kiosk call against the scripted agent: start() to the first decoded picture of the agent."""
    pair = MemorySignallingPair()
    camera = CameraOwner(SyntheticSource(WIDTH, HEIGHT), FPS)
    session = CallSession(pair.device, camera, VideoSection(codec=codec), CONTEXT, call_id=f"bench-setup-{run}")
    marks: dict[str, float] = {}
    first_frame = asyncio.Event()

    def on_phase(phase: SessionPhase) -> None:
        marks.setdefault(phase.value, time.perf_counter())

    def on_frame(_frame: object) -> None:
        marks.setdefault("frame", time.perf_counter())
        first_frame.set()

    session.on_phase, session.on_remote_video = on_phase, on_frame
    try:
        async with AgentPeer(pair.switchboard, width=WIDTH, height=HEIGHT):
            began = time.perf_counter()
            await session.start("en")
            await asyncio.wait_for(first_frame.wait(), FIRST_FRAME_TIMEOUT_S)
            await session.hangup()
    finally:
        await camera.stop()

    def ms(mark: str) -> float:
        return (marks[mark] - began) * 1000

    return SetupSample(
        "call", run, ms("frame"), ms(SessionPhase.CONNECTING), ms(SessionPhase.IN_CALL), session.video_codec
    )


def bare_offerer(codec: str) -> tuple[RTCPeerConnection, list[MediaStreamTrack]]:
    """A kiosk-like peer connection without the session: a moving picture, silence, the ``help`` channel."""
    pc = RTCPeerConnection()
    tracks: list[MediaStreamTrack] = [SyntheticVideoTrack(WIDTH, HEIGHT), AudioStreamTrack()]
    pc.addTransceiver(tracks[0], direction="sendrecv").setCodecPreferences(codec_preferences(codec))
    pc.addTransceiver(tracks[1], direction="sendrecv")
    pc.createDataChannel("help")
    return pc, tracks


def bare_answerer() -> tuple[RTCPeerConnection, list[MediaStreamTrack]]:
    """The agent's side as the scripted agent builds it, once the offer is applied: see :func:`answer_with`."""
    return RTCPeerConnection(), [SyntheticVideoTrack(WIDTH, HEIGHT), AudioStreamTrack()]


def answer_with(transceivers: list[RTCRtpTransceiver], tracks: list[MediaStreamTrack]) -> None:
    for transceiver in transceivers:
        track = tracks[0] if transceiver.kind == "video" else tracks[1]
        transceiver.sender.replaceTrack(track)
        transceiver.direction = "sendrecv"


def on_first_video_frame(pc: RTCPeerConnection, arrived: asyncio.Event, tasks: set[asyncio.Task[None]]) -> None:
    """Consume every remote track of ``pc``; set ``arrived`` at the first decoded picture."""

    async def consume(track: MediaStreamTrack) -> None:
        while True:
            await track.recv()
            if track.kind == "video":
                arrived.set()

    def on_track(track: MediaStreamTrack) -> None:
        task = asyncio.ensure_future(consume(track))
        tasks.add(task)

    pc.on("track", on_track)


async def measure_floor(run: int, codec: str) -> SetupSample:
    """Two bare peer connections in this process: createOffer to the offerer's first decoded picture."""
    kiosk, kiosk_tracks = bare_offerer(codec)
    agent, agent_tracks = bare_answerer()
    arrived = asyncio.Event()
    tasks: set[asyncio.Task[None]] = set()
    on_first_video_frame(kiosk, arrived, tasks)
    on_first_video_frame(agent, asyncio.Event(), tasks)
    try:
        began = time.perf_counter()
        await kiosk.setLocalDescription(await kiosk.createOffer())
        await agent.setRemoteDescription(kiosk.localDescription)
        answer_with(agent.getTransceivers(), agent_tracks)
        await agent.setLocalDescription(await agent.createAnswer())
        await kiosk.setRemoteDescription(agent.localDescription)
        await asyncio.wait_for(arrived.wait(), FIRST_FRAME_TIMEOUT_S)
        first_frame_ms = (time.perf_counter() - began) * 1000
        used = negotiated_video_codec(agent.localDescription.sdp)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for pc in (kiosk, agent):
            await close_peer_connection(pc)
        for track in kiosk_tracks + agent_tracks:
            track.stop()
    return SetupSample("floor", run, first_frame_ms, codec=used)


async def run_all(calls: int, codec: str, progress: bool = True) -> list[SetupSample]:
    """One warm-up of each (not returned), then ``calls`` rounds of floor then call."""
    await measure_floor(0, codec)
    await measure_call(0, codec)
    samples: list[SetupSample] = []
    for run in range(1, calls + 1):
        for measure in (measure_floor, measure_call):
            sample = await measure(run, codec)
            samples.append(sample)
            if progress:
                print(f"run {run}/{calls} {sample.kind:<5} {sample.first_frame_ms:7.1f} ms", file=sys.stderr)
    return samples


def environment(load_before: float) -> dict[str, str]:
    return {
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Linux {platform.release()}",
        "python": sys.version.split()[0],
        "aiortc": metadata.version("aiortc"),
        "av": metadata.version("av"),
        "load_before": f"{load_before:.2f}",
    }


def render(samples: list[SetupSample], codec: str, env: dict[str, str], took_s: float) -> str:
    calls = [s for s in samples if s.kind == "call"]
    floors = [s for s in samples if s.kind == "floor"]
    call, floor = Spread.of([s.first_frame_ms for s in calls]), Spread.of([s.first_frame_ms for s in floors])
    connect = statistics.median(s.connect_ms or 0.0 for s in calls)
    connected = statistics.median(s.connected_ms or 0.0 for s in calls)
    ratio = call.median / floor.median
    codecs = sorted({s.codec or "?" for s in samples})
    rows = [
        ["", "median ms", "min–max ms", "ratio"],
        ["floor: bare aiortc, createOffer → first picture", f"{floor.median:.0f}", _range(floor), "1.00×"],
        ["call: CallSession.start() → first picture", f"{call.median:.0f}", _range(call), f"{ratio:.2f}×"],
        ["  start() → connect (request, queued, connect)", f"{connect:.0f}", "", ""],
        ["  connect → connected (offer, answer, ICE, DTLS)", f"{connected - connect:.0f}", "", ""],
        ["  connected → first picture shown", f"{call.median - connected:.0f}", "", ""],
    ]
    return "\n".join(
        [
            f"Call set-up to the agent's first picture at the kiosk: {len(calls)} calls and {len(floors)} floors,"
            " alternating, after one warm-up of each",
            f"{WIDTH}x{HEIGHT} at {FPS} fps, {codec} preferred (answered: {', '.join(codecs)}), loopback, both ends"
            " in this process",
            f"on {env['machine']} (load average {env['load_before']} before the runs);"
            f" Python {env['python']}, aiortc {env['aiortc']}, av {env['av']}",
            "",
            table(rows),
            "",
            f"goal ≤ {GOAL_RATIO:g}× the floor: {yes(ratio <= GOAL_RATIO)} ({ratio:.2f}×)",
            f"goal ≤ {GOAL_MS:.0f} ms: {yes(call.median <= GOAL_MS)}"
            f" (median {call.median:.0f} ms, slowest {call.high:.0f} ms)",
            "",
            "Notes:",
            "- The phase rows are medians of each part, so they need not add up to the call's median exactly.",
            "- The floor has no camera thread, no signalling and no session. The call's signalling is in memory",
            "  and the scripted agent accepts at once: over a broker, request, connect, offer and answer each add",
            "  a bus hop (a few ms on a LAN), and a real agent's accepting takes seconds that are queue time, not",
            "  set-up.",
            "- Each call starts its camera owner from nothing (thread start and the first camera frame included).",
            f"- Whole benchmark: {took_s:.1f} s.",
        ]
    )


def _range(spread: Spread) -> str:
    return f"{spread.low:.0f}–{spread.high:.0f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.call_setup", description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=10, help="measured calls, and as many floors (default 10)")
    parser.add_argument("--codec", choices=("vp8", "h264"), default="vp8", help="video codec offered first")
    parser.add_argument("--json", type=Path, help="write every run's raw figures to this file")
    parser.add_argument("--quick", action="store_true", help="one call and one floor: checks that it runs")
    args = parser.parse_args(argv)
    if args.quick:
        args.calls = 1
    if args.calls < 1:
        parser.error("--calls must be at least 1")
    logging.basicConfig(level=logging.WARNING)
    load_before = os.getloadavg()[0]
    began = time.monotonic()
    samples = asyncio.run(run_all(args.calls, args.codec))
    took_s = time.monotonic() - began
    env = environment(load_before)
    print(render(samples, args.codec, env, took_s))
    if args.json:
        write_figures(args.json, env, took_s, samples=[asdict(s) for s in samples])
    return 0


if __name__ == "__main__":
    sys.exit(main())
