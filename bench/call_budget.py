"""A call on a Raspberry Pi's CPU budget: the kiosk's side under a CPU quota, with and without adaptation.

``python -m bench.call_budget [--levels 100,50,25,15] [--seconds S] [--json PATH] [--quick]``

For each quota level (a share of one core, set with a cgroup: ``cpu.cfs_quota_us`` under cgroup v1 or
``cpu.max`` under v2, which needs root), three runs, each in a child process that puts itself in the quota
cgroup once it has started the agent (so the agent, a real aiortc peer in a process of its own, is never
limited):

- **kiosk, adapting**: the kiosk's window and video help flow on its Qt + asyncio thread (qasync) and the
  call on its media thread (video/media_thread.py), as in the kiosk, sending 640x480@30 from a synthetic
  camera with ``[video] adapt`` on;
- **kiosk, fixed**: the same with adaptation off (the backlog it shows is what adaptation avoids): no
  receive-side adaptation either, aiortc's unbounded decoder queue, every picture the agent sends;
- **bare peer**: a bare aiortc peer connection sending the same picture, no UI: the floor. It encodes,
  decodes every picture it gets (aiortc does) and reads the clock stamps, but converts nothing for display;
- **bare + conversion**: the bare peer also doing the kiosk's display conversions, with the kiosk's own
  functions (kiosk/ui/call/frames.py) in a worker thread: every agent picture to Qt's 32-bit format, the
  camera's pictures to the self-view's size, mirrored, at the self-view's rate. What is left between it
  and the kiosk is the UI.

Both ends stamp the shared monotonic clock into every picture (video/clock_stamp.py) and read the other's
stamps from the decoded pictures, so the one-way delay is measured per frame, both ways. Per run: frames
per second each way, delay median and p95 each way, the sender's time per frame, the picture sent at the
end and how often it changed, the agent's picture received at the end ("getting") and how often the kiosk
asked the agent for another ("asked", video/receive_adaptation.py), the kiosk's CPU share, and the UI
heartbeat's p99 and worst gap (a 10 ms QTimer). Goals (issue 15): at 25% of a core ≥ 15 frames per second
each way and delay p95 ≤ 200 ms; at 100% delay p95 ≤ 100 ms and CPU ≤ 1.05x the bare peer; heartbeat p99
≤ 20 ms, worst ≤ 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.report import percentile, table, yes

LEVELS = (100, 50, 25, 15)
VARIANTS = ("kiosk, adapting", "kiosk, fixed", "bare peer", "bare + conversion")
AGENT_VIEW = (984, 1000)  # about the kiosk's agent view at 1080x1920: the agent's 640x480 is converted at its own size
SELF_VIEW = (240, 180)
WIDTH, HEIGHT, FPS = 640, 480, 30
SETTLE_S = 3.0  # after the first picture: keyframes, rate control, the first adaptation steps
HEARTBEAT_MS = 10
PERIOD_MS = 10
"""The quota's period. A share of a core is given out per period: at 25% of a 100 ms period (the kernel's
default) the process runs 25 ms and then stands still for 75 ms, UI thread and all, which no slower CPU
does; at 10 ms the stops are 7.5 ms, closer to a core that is simply slower. ``--period-ms 100`` shows the
difference."""
CHILD_TIMEOUT_S = 180


class QuotaUnavailable(Exception):
    """This machine cannot limit a process's CPU here; the message says why."""


# --- the quota ------------------------------------------------------------------------------------------


@contextlib.contextmanager
def cpu_quota(percent: int, period_ms: int = PERIOD_MS) -> Iterator[Path]:
    """A cgroup limiting its processes to ``percent`` of one core, given out per ``period_ms``; removed
    afterwards."""
    name = f"airport-bench-{os.getpid()}-{percent}"
    v1 = Path("/sys/fs/cgroup/cpu")
    v2 = Path("/sys/fs/cgroup")
    period_us = period_ms * 1000
    quota = period_us * percent // 100
    if (v1 / "cpu.cfs_quota_us").exists():
        group = v1 / name
        files = {"cpu.cfs_period_us": str(period_us), "cpu.cfs_quota_us": str(quota)}
    elif "cpu" in _read(v2 / "cgroup.controllers").split():
        group = v2 / name
        files = {"cpu.max": f"{quota} {period_us}"}
    else:
        raise QuotaUnavailable("no cgroup CPU controller here (neither cgroup v1's cpu nor v2's cpu.max)")
    try:
        group.mkdir()
        for file, value in files.items():
            (group / file).write_text(value)
    except OSError as exc:
        with contextlib.suppress(OSError):
            group.rmdir()
        raise QuotaUnavailable(f"cannot set a CPU quota in {group} ({exc}); it needs root") from None
    try:
        yield group
    finally:
        for _ in range(50):  # the child has exited; the kernel may take a moment to let the group go
            try:
                group.rmdir()
                break
            except OSError:
                time.sleep(0.1)


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


def join_cgroup(group: Path) -> None:
    """Move this whole process (every thread) into ``group``; threads started later follow."""
    (group / "cgroup.procs").write_text(str(os.getpid()))


# --- the kiosk's side, in the child -----------------------------------------------------------------------


def monotonic_ms() -> int:
    return time.monotonic_ns() // 1_000_000


class StampedSource:
    """The synthetic camera with the clock stamped into every picture as it is taken."""

    def __init__(self, width: int, height: int) -> None:
        from hardware.camera import SyntheticSource

        self._source = SyntheticSource(width, height)
        self.width, self.height = width, height

    def read(self) -> Any:
        from video import clock_stamp

        picture = self._source.read()
        clock_stamp.stamp(picture, monotonic_ms())
        return picture

    def close(self) -> None:
        close = getattr(self._source, "close", None)
        if close is not None:
            close()


def delay_of(frame: Any) -> float | None:
    """The delay of a decoded yuv420p picture from its stamp, read from the luma plane without conversion."""
    import numpy as np

    from video import clock_stamp

    plane = frame.planes[0]
    luma = np.frombuffer(plane, np.uint8).reshape(frame.height, plane.line_size)[:, : frame.width]
    return clock_stamp.delay_ms(luma, monotonic_ms())


def summary(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"median": None, "p95": None}
    return {"median": statistics.median(values), "p95": percentile(values, 0.95)}


async def kiosk_side(adapt: bool, seconds: float, group: Path | None) -> dict[str, Any]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from bench.agent_process import PipeSignalling
    from bench.ui_stall import Heartbeat
    from demo.desk import SignallingDesk
    from device.i18n import Catalogue
    from hardware.camera import CameraOwner
    from kiosk.session import PassengerSession
    from kiosk.settings import KioskSettings
    from kiosk.ui.call.flow import VideoHelpFlow
    from kiosk.ui.window import KioskWindow
    from video.settings import VideoSection

    settings = KioskSettings.model_validate({"ui": {"fullscreen": False, "language": "en"}})
    video = VideoSection(width=WIDTH, height=HEIGHT, fps=FPS, adapt=adapt)
    window = KioskWindow(settings, Catalogue.from_package("kiosk"), PassengerSession("en"))
    window.resize(1080, 1920)
    window.show()
    agent = await PipeSignalling.spawn(WIDTH, HEIGHT, stamped=True)
    if group is not None:
        join_cgroup(group)  # after the agent started: it stays outside the quota
    desk = SignallingDesk(agent, video)
    if desk.camera is not None:
        await desk.camera.stop()
    desk.camera = CameraOwner(StampedSource(WIDTH, HEIGHT), FPS)
    flow = VideoHelpFlow(window, desk)
    heartbeat = Heartbeat()
    delays: list[float] = []
    received = 0
    getting = (0, 0)
    try:
        flow.start("en", [])
        while flow.session is None or flow.session.remote_frames < 1:  # nothing announces it: poll
            await asyncio.sleep(0.05)
        session = flow.session
        shown = session.on_remote_video

        def on_frame(frame: Any) -> None:
            nonlocal received, getting
            received += 1
            getting = (frame.width, frame.height)
            delay = delay_of(frame)
            if delay is not None:
                delays.append(delay)
            shown(frame)

        session.on_remote_video = on_frame
        await asyncio.sleep(SETTLE_S)
        await agent.command("stats")  # forget the delays so far
        delays.clear()
        received_before = received
        sent_before = (await agent.command("stats") or {})["frames_received"]
        changes_before = len(session.adaptation.changes)
        works: list[float] = []
        cpu0, wall0 = time.process_time(), time.perf_counter()
        heartbeat.start()
        while time.perf_counter() - wall0 < seconds:
            await asyncio.sleep(0.25)
            if session.frame_work_ms is not None:
                works.append(session.frame_work_ms)
        window_ticks = heartbeat.stop()
        wall = time.perf_counter() - wall0
        cpu = time.process_time() - cpu0
        stats = await agent.command("stats") or {}
        sending = session.sending or (0, 0, 0.0)
        figures = {
            "to_agent_fps": (stats["frames_received"] - sent_before) / wall,
            "to_kiosk_fps": (received - received_before) / wall,
            "to_agent_delay": summary(stats.get("delays_ms", [])),
            "to_kiosk_delay": summary(delays),
            "work_ms": statistics.median(works) if works else None,
            "sending": f"{sending[0]}x{sending[1]}@{sending[2]:g}",
            "getting": f"{getting[0]}x{getting[1]}",
            "changes": len(session.adaptation.changes) - changes_before,
            "asked": len(session.receive_adaptation.changes),
            "cpu_percent": 100 * cpu / wall,
            "heartbeat_p99_ms": percentile(window_ticks.gaps_ms, 0.99),
            "heartbeat_worst_ms": max(window_ticks.gaps_ms),
        }
        await agent.command("hangup")
        while flow.session is not None and flow.session.phase.value != "ended":
            await asyncio.sleep(0.05)
        return figures
    finally:
        await agent.close()
        await desk.stop()
        window.close()


async def bare_side(seconds: float, group: Path | None, convert: bool = False) -> dict[str, Any]:
    from aiortc import AudioStreamTrack, RTCPeerConnection, RTCSessionDescription, VideoStreamTrack
    from av import VideoFrame

    from bench.agent_process import PipeSignalling
    from bus.messages.call import CallRequest, Connect, SdpAnswer, SdpOffer
    from video.peer import close_peer_connection, codec_preferences

    if convert:
        from PySide6.QtCore import QSize

        from kiosk.ui.call.frames import agent_picture, camera_picture, self_view_interval
    agent_box, self_box = QSize(*AGENT_VIEW) if convert else None, QSize(*SELF_VIEW) if convert else None
    source = StampedSource(WIDTH, HEIGHT)
    returned: list[float] = []
    works: list[float] = []
    self_view_due = 0.0

    class Camera(VideoStreamTrack):
        async def recv(self) -> VideoFrame:
            nonlocal self_view_due
            now = time.perf_counter()
            if returned:
                works.append((now - returned[-1]) * 1000)
            pts, time_base = await self.next_timestamp()
            picture = source.read()
            if convert and now >= self_view_due:  # the self-view's picture, as and as often as the kiosk makes it
                self_view_due = max(self_view_due, now - 0.5) + self_view_interval(FPS)
                await asyncio.to_thread(camera_picture, picture, self_box)
            frame = VideoFrame.from_ndarray(picture, format="bgr24")
            frame.pts, frame.time_base = pts, time_base
            returned.append(time.perf_counter())
            return frame

    agent = await PipeSignalling.spawn(WIDTH, HEIGHT, stamped=True)
    if group is not None:
        join_cgroup(group)
    pc = RTCPeerConnection()
    tracks = [Camera(), AudioStreamTrack()]
    pc.addTransceiver(tracks[0], direction="sendrecv").setCodecPreferences(codec_preferences("vp8"))
    pc.addTransceiver(tracks[1], direction="sendrecv")
    pc.createDataChannel("help")
    delays: list[float] = []
    received = 0
    consumers: set[asyncio.Task[None]] = set()

    def on_track(track: Any) -> None:
        async def consume() -> None:
            nonlocal received
            while True:
                frame = await track.recv()
                if track.kind == "video":
                    received += 1
                    delay = delay_of(frame)
                    if delay is not None:
                        delays.append(delay)
                    if convert:  # the agent's picture for display, as the kiosk makes it
                        await asyncio.to_thread(agent_picture, frame, agent_box)

        consumers.add(asyncio.ensure_future(consume()))

    pc.on("track", on_track)
    try:
        await agent.send(CallRequest(call="bench-budget", language="en"))
        message = await agent.receive()
        while not isinstance(message, Connect):
            message = await agent.receive()
        await pc.setLocalDescription(await pc.createOffer())
        await agent.send(SdpOffer(call="bench-budget", sdp=pc.localDescription.sdp))
        answer = await agent.receive()
        while not isinstance(answer, SdpAnswer):
            answer = await agent.receive()
        await pc.setRemoteDescription(RTCSessionDescription(sdp=answer.sdp, type="answer"))
        while received < 1:
            await asyncio.sleep(0.05)
        await asyncio.sleep(SETTLE_S)
        await agent.command("stats")
        delays.clear()
        works.clear()
        received_before = received
        sent_before = (await agent.command("stats") or {})["frames_received"]
        cpu0, wall0 = time.process_time(), time.perf_counter()
        await asyncio.sleep(seconds)
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        stats = await agent.command("stats") or {}
        return {
            "to_agent_fps": (stats["frames_received"] - sent_before) / wall,
            "to_kiosk_fps": (received - received_before) / wall,
            "to_agent_delay": summary(stats.get("delays_ms", [])),
            "to_kiosk_delay": summary(delays),
            "work_ms": statistics.median(works) if works else None,
            "sending": f"{WIDTH}x{HEIGHT}@{FPS}",
            "getting": f"{WIDTH}x{HEIGHT}",
            "changes": 0,
            "asked": 0,
            "cpu_percent": 100 * cpu / wall,
            "heartbeat_p99_ms": None,
            "heartbeat_worst_ms": None,
        }
    finally:
        for task in consumers:
            task.cancel()
        await asyncio.gather(*consumers, return_exceptions=True)
        await close_peer_connection(pc)
        for track in tracks:
            track.stop()
        await agent.command("hangup")
        await agent.close()


def child(variant: str, seconds: float, group: Path | None) -> None:
    if variant in ("bare peer", "bare + conversion"):
        figures = asyncio.run(bare_side(seconds, group, convert=variant == "bare + conversion"))
    else:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from PySide6.QtWidgets import QApplication

        from device.ui.runner import new_event_loop

        app = QApplication(sys.argv[:1])
        loop = new_event_loop(app)  # the loop the kiosk runs on
        asyncio.set_event_loop(loop)
        with loop:
            figures = loop.run_until_complete(kiosk_side(variant == "kiosk, adapting", seconds, group))
    print("FIGURES " + json.dumps(figures), flush=True)


# --- the run ------------------------------------------------------------------------------------------------


def run_child(variant: str, seconds: float, group: Path) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.call_budget", "--child", variant, "--seconds", str(seconds)]
    done = subprocess.run(
        [*command, "--cgroup", str(group)],
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT_S,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        start_new_session=True,
    )
    for line in done.stdout.splitlines():
        if line.startswith("FIGURES "):
            figures: dict[str, Any] = json.loads(line.removeprefix("FIGURES "))
            return figures
    raise RuntimeError(f"{variant} at {group.name} gave no figures (exit {done.returncode}):\n{done.stderr[-3000:]}")


def ms(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f}"


def render(results: dict[int, dict[str, dict[str, Any]]]) -> str:
    rows = [
        [
            "quota",
            "run",
            "fps →agent",
            "fps →kiosk",
            "delay →agent p50/p95 ms",
            "delay →kiosk p50/p95 ms",
            "ms/frame",
            "sending",
            "changes",
            "getting",
            "asked",
            "CPU %",
            "UI p99/worst ms",
        ]
    ]
    for level, runs in results.items():
        for variant, f in runs.items():
            out, back = f["to_agent_delay"], f["to_kiosk_delay"]
            rows.append(
                [
                    f"{level}%",
                    variant,
                    f"{f['to_agent_fps']:.1f}",
                    f"{f['to_kiosk_fps']:.1f}",
                    f"{ms(out['median'])}/{ms(out['p95'])}",
                    f"{ms(back['median'])}/{ms(back['p95'])}",
                    ms(f["work_ms"]) if f["work_ms"] is None else f"{f['work_ms']:.1f}",
                    f["sending"],
                    str(f["changes"]),
                    f.get("getting", "–"),
                    str(f.get("asked", 0)),
                    f"{f['cpu_percent']:.0f}",
                    heartbeat(f),
                ]
            )
    return table(rows)


def heartbeat(f: dict[str, Any]) -> str:
    if f["heartbeat_p99_ms"] is None:
        return "–"
    return f"{f['heartbeat_p99_ms']:.0f}/{f['heartbeat_worst_ms']:.0f}"


def within(values: list[float | None], most: float) -> bool:
    return all(v is not None and v <= most for v in values)


def goals(results: dict[int, dict[str, dict[str, Any]]]) -> list[tuple[str, bool]]:
    answers = []
    if 25 in results:
        f = results[25]["kiosk, adapting"]
        fps_ok = min(f["to_agent_fps"], f["to_kiosk_fps"]) >= 15
        p95s = [f["to_agent_delay"]["p95"], f["to_kiosk_delay"]["p95"]]
        answers.append(("at 25%: ≥ 15 frames per second each way (adapting)", fps_ok))
        answers.append(("at 25%: delay p95 ≤ 200 ms both ways (adapting)", within(p95s, 200)))
    if 100 in results:
        f, bare = results[100]["kiosk, adapting"], results[100]["bare peer"]
        p95s = [f["to_agent_delay"]["p95"], f["to_kiosk_delay"]["p95"]]
        answers.append(("at 100%: delay p95 ≤ 100 ms both ways", within(p95s, 100)))
        answers.append(("at 100%: CPU ≤ 1.05x the bare peer", f["cpu_percent"] <= 1.05 * bare["cpu_percent"]))
        converting = results[100].get("bare + conversion")
        if converting is not None:
            answers.append(
                (
                    "at 100%: CPU ≤ 1.05x the bare peer + conversion (not the issue's goal: the UI's own cost)",
                    f["cpu_percent"] <= 1.05 * converting["cpu_percent"],
                )
            )
    kiosk = [r for runs in results.values() for v, r in runs.items() if v == "kiosk, adapting"]
    answers.append(
        ("UI heartbeat p99 ≤ 20 ms in every adapting run", within([r["heartbeat_p99_ms"] for r in kiosk], 20))
    )
    answers.append(
        ("UI heartbeat worst ≤ 50 ms in every adapting run", within([r["heartbeat_worst_ms"] for r in kiosk], 50))
    )
    return answers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.call_budget", description=__doc__.splitlines()[0])
    parser.add_argument("--levels", default=",".join(map(str, LEVELS)), help="quota levels, %% of one core")
    parser.add_argument("--seconds", type=float, default=20.0, help="measured seconds per run")
    parser.add_argument("--period-ms", type=int, default=PERIOD_MS, help="the quota's period (default %(default)s)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--quick", action="store_true", help="a short run that only shows it still works")
    parser.add_argument("--child", choices=VARIANTS, help=argparse.SUPPRESS)
    parser.add_argument("--cgroup", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.seconds, args.cgroup)
        return 0
    levels = [int(level) for level in args.levels.split(",")]
    if args.quick:
        levels, args.seconds = [25], 1.5
    if not 1 <= args.period_ms <= 1000:
        parser.error("--period-ms must be from 1 to 1000")
    print(
        f"machine: {os.cpu_count()} CPUs; {WIDTH}x{HEIGHT}@{FPS} VP8 each way; {args.seconds:g} s measured per run; "
        f"quota given out per {args.period_ms} ms"
    )
    results: dict[int, dict[str, dict[str, Any]]] = {}
    try:
        for level in levels:
            results[level] = {}
            for variant in VARIANTS:
                with cpu_quota(level, args.period_ms) as group:
                    results[level][variant] = run_child(variant, args.seconds, group)
    except QuotaUnavailable as exc:
        print(f"call_budget: {exc}", file=sys.stderr)
        return 2
    print("\nThe kiosk's side of a call under a CPU quota (share of one core), beside a bare aiortc peer\n")
    print(render(results))
    print()
    answers = goals(results)
    for what, ok in answers:
        print(f"goal {what}: {yes(ok)}")
    for level, runs in results.items():
        kiosk = runs["kiosk, adapting"]["cpu_percent"]
        ratios = ", ".join(f"{kiosk / runs[v]['cpu_percent']:.2f}x the {v}" for v in VARIANTS[2:])
        print(f"CPU at {level}%: the adapting kiosk {kiosk:.0f}% of a core, {ratios}")
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
