"""Transfer time: from the agent's Transfer (``Switchboard.agent_transfer``) to the passenger's first decoded
picture of the next agent, beside the baseline, a first call's set-up (``CallSession.start()`` to the first
agent's first picture), measured in the same run.

``python -m bench.transfer [--calls N] [--transfers N] [--quick]``

Everything runs in this process over loopback: the real switchboard (pure, on the wall clock, a memory
store), the kiosk's real call session with the synthetic camera, over in-memory signalling carrying the bus's
encoded messages, and two scripted consoles (aiortc peers with a moving picture) that accept a ring and
answer an offer at once: the time is the system's, not an agent's reaction. The call is passed back and
forth between the two agents; each transfer closes the kiosk's connection and makes a new one, as on site.
Chromium's own answer time is not in it (the end-to-end test covers the console; see bench/README.md).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import statistics
import sys
import time
from typing import Any

from aiortc import AudioStreamTrack, MediaStreamTrack, RTCPeerConnection, RTCSessionDescription

from bench.report import percentile, table, yes
from bus.messages.call import CallCancel, CallContext, CallHangup, CallIn, CallRequest, SdpOffer
from central.switchboard import MemoryCallStore, Switchboard, SwitchboardSettings
from central.switchboard.console.events import ConsoleEvent, Ring, SdpRelay, Transferred
from demo.agent_peer import SyntheticVideoTrack
from hardware.camera import CameraOwner, SyntheticSource
from video.peer import close_peer_connection
from video.session import CallSession
from video.settings import VideoSection
from video.signalling import MemorySignallingPair

WIDTH, HEIGHT, FPS = 640, 480, 30
GOAL_S = 1.5
FRAME_TIMEOUT_S = 15.0
CONTEXT = CallContext(screen="bench", location="bench")
AGENTS = ("agent.a", "agent.b")


class ScriptedConsole:
    """An agent console that accepts every ring and answers every offer at once (an ``AgentChannel``)."""

    def __init__(self, agent_id: str) -> None:
        self.agent_id = agent_id
        self.switchboard: Switchboard | None = None
        self.pc: RTCPeerConnection | None = None
        self._events: asyncio.Queue[ConsoleEvent] = asyncio.Queue()
        self._tracks: list[MediaStreamTrack] = []
        self._task = asyncio.ensure_future(self._run())

    def send(self, event: ConsoleEvent) -> None:
        self._events.put_nowait(event)

    async def _run(self) -> None:
        while True:
            event = await self._events.get()
            assert self.switchboard is not None
            if isinstance(event, Ring):
                self.switchboard.agent_accept(self.agent_id, event.call)
            elif isinstance(event, SdpRelay) and event.type == "offer":
                await self._answer(event)
            elif isinstance(event, Transferred) or event.type == "ended":
                await self._close()

    async def _answer(self, offer: SdpRelay) -> None:
        await self._close()
        pc = RTCPeerConnection()
        self.pc = pc
        pc.on("track", lambda track: asyncio.ensure_future(_drain(track)))
        await pc.setRemoteDescription(RTCSessionDescription(sdp=offer.sdp, type="offer"))
        self._tracks = [SyntheticVideoTrack(WIDTH, HEIGHT), AudioStreamTrack()]
        for transceiver in pc.getTransceivers():
            transceiver.sender.replaceTrack(self._tracks[0] if transceiver.kind == "video" else self._tracks[1])
            transceiver.direction = "sendrecv"
        await pc.setLocalDescription(await pc.createAnswer())
        assert self.switchboard is not None
        self.switchboard.agent_sdp(self.agent_id, offer.call, "answer", pc.localDescription.sdp)

    async def _close(self) -> None:
        pc, self.pc = self.pc, None
        if pc is not None:
            await close_peer_connection(pc)
        for track in self._tracks:
            track.stop()
        self._tracks = []

    async def stop(self) -> None:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        await self._close()


async def _drain(track: MediaStreamTrack) -> None:
    with contextlib.suppress(Exception):
        while True:
            await track.recv()


class KioskLine:
    """The kiosk's end of the memory signalling as the switchboard's ``CallerChannel``, and the pump back."""

    caller_id = "kiosk-bench"
    kind = "device"

    def __init__(self, pair: MemorySignallingPair, switchboard: Switchboard) -> None:
        self._pair = pair
        self._switchboard = switchboard
        self._out: asyncio.Queue[CallIn] = asyncio.Queue()
        self._tasks = [asyncio.ensure_future(self._to_kiosk()), asyncio.ensure_future(self._from_kiosk())]

    def send(self, message: Any) -> None:
        self._out.put_nowait(message)

    async def _to_kiosk(self) -> None:
        while True:
            await self._pair.switchboard.send(await self._out.get())

    async def _from_kiosk(self) -> None:
        sb = self._switchboard
        while True:
            message = await self._pair.switchboard.receive()
            if isinstance(message, CallRequest):
                sb.request(self, message)
            elif isinstance(message, SdpOffer):
                sb.caller_sdp(self.caller_id, message)
            elif isinstance(message, CallHangup):
                sb.caller_hangup(self.caller_id, message)
            elif isinstance(message, CallCancel):
                sb.cancel(self.caller_id, message)

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


async def one_call(run: int, transfers: int) -> tuple[float, list[float]]:
    """One call: its set-up time, then ``transfers`` passes between the two agents; all in seconds."""
    switchboard = Switchboard(SwitchboardSettings(wrap_up_s=0), time.time, MemoryCallStore())
    consoles = {agent_id: ScriptedConsole(agent_id) for agent_id in AGENTS}
    for agent_id, console in consoles.items():
        console.switchboard = switchboard
        switchboard.agent_sign_in(agent_id, agent_id, ["zh", "en"], console)
    switchboard.agent_presence(AGENTS[0], True)
    pair = MemorySignallingPair()
    line = KioskLine(pair, switchboard)
    camera = CameraOwner(SyntheticSource(WIDTH, HEIGHT), FPS)
    session = CallSession(
        pair.device, camera, VideoSection(width=WIDTH, height=HEIGHT), CONTEXT, call_id=f"bench-{run}"
    )
    frame = asyncio.Event()
    armed = [True]

    def on_agent(_agent: object) -> None:
        armed[0] = True  # a new leg: its first picture is the one that counts

    def on_frame(_frame: object) -> None:
        if armed[0]:
            armed[0] = False
            frame.set()

    session.on_agent, session.on_remote_video = on_agent, on_frame
    times: list[float] = []
    try:
        began = time.perf_counter()
        await session.start("en")
        await asyncio.wait_for(frame.wait(), FRAME_TIMEOUT_S)
        setup_s = time.perf_counter() - began
        current, other = AGENTS
        for number in range(transfers):
            switchboard.agent_presence(other, True)
            frame.clear()
            armed[0] = False
            began = time.perf_counter()
            switchboard.agent_transfer(current, session.call_id, to=other)
            await asyncio.wait_for(frame.wait(), FRAME_TIMEOUT_S)
            times.append(time.perf_counter() - began)
            print(f"call {run} transfer {number + 1}: {times[-1] * 1000:.0f} ms", file=sys.stderr)
            current, other = other, current
        await session.hangup()
    finally:
        await line.stop()
        for console in consoles.values():
            await console.stop()
        await camera.stop()
    return setup_s, times


def render(setups: list[float], transfers: list[float]) -> str:
    def row(name: str, values: list[float]) -> list[str]:
        return [
            name,
            str(len(values)),
            f"{statistics.median(values) * 1000:.0f}",
            f"{percentile(values, 0.95) * 1000:.0f}",
            f"{max(values) * 1000:.0f}",
        ]

    ratio = statistics.median(transfers) / statistics.median(setups)
    p95 = percentile(transfers, 0.95)
    return "\n".join(
        [
            "Transfer: Switchboard.agent_transfer() → the next agent's first picture at the kiosk",
            "",
            table(
                [
                    ["", "n", "median ms", "p95 ms", "max ms"],
                    row("baseline: first call set-up", setups),
                    row("transfer to the next agent", transfers),
                ]
            ),
            "",
            f"transfer / set-up (medians): {ratio:.2f}",
            f"goal: p95 transfer ≤ {GOAL_S:g} s: {yes(p95 <= GOAL_S)} ({p95:.2f} s)",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.transfer", description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=3, help="calls, each a baseline set-up (default 3)")
    parser.add_argument("--transfers", type=int, default=10, help="transfers in all (default 10)")
    parser.add_argument("--quick", action="store_true", help="one call, two transfers: checks that it runs")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    calls, transfers = (1, 2) if args.quick else (max(1, args.calls), max(1, args.transfers))
    per_call = [transfers // calls + (1 if i < transfers % calls else 0) for i in range(calls)]
    setups: list[float] = []
    passes: list[float] = []

    async def run() -> None:
        for run_number, count in enumerate(per_call, start=1):
            setup_s, times = await one_call(run_number, count)
            setups.append(setup_s)
            passes.extend(times)

    asyncio.run(run())
    print(render(setups, passes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
