"""Does a video call freeze the kiosk's screen? Gaps of a 10 ms Qt timer heartbeat during a call.

``python -m bench.ui_stall [--seconds 30] [--codec vp8|h264] [--quick]``

The kiosk window and its video help flow run in this process on one Qt + asyncio thread (qasync), as in
the kiosk; the scripted switchboard + agent (a real aiortc peer) runs in a process of its own
(:mod:`bench.agent_process`), so this process pays only for the kiosk's side of the call. A QTimer asks
for a tick every 10 ms; each gap between ticks beyond 10 ms is time the screen could not be redrawn.
Measured first with no call (the baseline, same process, same window), then during a call at 640x480,
30 fps each way, with the agent's video shown and the self-view running. The longest gaps are put down to
a cause by :mod:`bench.stall_probe` (garbage collection, the whole process starved, or busy code).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import itertools
import os
import statistics
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import qasync
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from bench.report import percentile, table, yes
from bench.stall_probe import StallProbe

HEARTBEAT_MS = 10
LONGEST_SHOWN = 5
QUICK_SECONDS = 1.0
GOAL_P99_MS = 20.0
GOAL_WORST_MS = 50.0


class Heartbeat:
    """Records the time between consecutive ticks of a 10 ms QTimer."""

    def __init__(self) -> None:
        self.ticks: list[float] = []
        self._timer = QTimer(interval=HEARTBEAT_MS)
        self._timer.timeout.connect(self._tick)
        self.probe = StallProbe(lambda: self.ticks[-1] if self.ticks else time.perf_counter())

    def start(self) -> None:
        self.ticks = [time.perf_counter()]
        self._timer.start()

    def stop(self) -> Window:
        self._timer.stop()
        return Window(list(self.ticks), self.probe)

    def _tick(self) -> None:
        self.ticks.append(time.perf_counter())


class Window:
    """The ticks of one measurement, and what the probe saw meanwhile."""

    def __init__(self, ticks: list[float], probe: StallProbe) -> None:
        self.ticks = ticks
        self.gaps_ms = [(b - a) * 1000 for a, b in itertools.pairwise(ticks)]
        self.longest = sorted(range(len(self.gaps_ms)), key=lambda i: self.gaps_ms[i], reverse=True)[:LONGEST_SHOWN]
        self._probe = probe

    @property
    def causes(self) -> list[str]:
        """Read once the probe has stopped: the bystander reports only then."""
        return [self._probe.explain(self.ticks[i], self.ticks[i + 1]) for i in self.longest]

    @property
    def gc(self) -> tuple[int, float, float]:
        return self._probe.gc_total(self.ticks[0], self.ticks[-1])


async def run(seconds: float, codec: str) -> tuple[Window, Window, dict[str, float]]:
    from bench.agent_process import PipeSignalling
    from demo.desk import SignallingDesk
    from device.i18n import Catalogue
    from kiosk.session import PassengerSession
    from kiosk.settings import KioskSettings
    from kiosk.ui.call.flow import VideoHelpFlow
    from kiosk.ui.window import KioskWindow
    from video.settings import VideoSection

    settings = KioskSettings.model_validate({"ui": {"fullscreen": False, "language": "en"}})
    video = VideoSection(codec=codec, width=640, height=480, fps=30)  # type: ignore[arg-type]
    window = KioskWindow(settings, Catalogue.from_package("kiosk"), PassengerSession("en"))
    window.resize(1080, 1920)
    window.show()
    agent = await PipeSignalling.spawn(video.width, video.height)
    desk = SignallingDesk(agent, video)
    flow = VideoHelpFlow(window, desk)
    heartbeat = Heartbeat()
    heartbeat.probe.start()

    heartbeat.start()
    await asyncio.sleep(seconds)
    idle = heartbeat.stop()

    try:
        flow.start("en", [])
        while window.in_call.agent_video.frames_shown < 1:  # nothing announces it; a benchmark may poll
            await asyncio.sleep(0.05)
        shown_before = window.in_call.agent_video.frames_shown
        received_before = (await agent.command("stats") or {})["frames_received"]
        cpu_before = time.process_time()
        heartbeat.start()
        began = time.perf_counter()
        await asyncio.sleep(seconds)
        in_call = heartbeat.stop()
        wall = time.perf_counter() - began
        received = (await agent.command("stats") or {})["frames_received"]
        figures = {
            "agent frames shown on the kiosk / s": (window.in_call.agent_video.frames_shown - shown_before) / wall,
            "kiosk frames received by the agent / s": (received - received_before) / wall,
            "kiosk process CPU, % of one core": 100.0 * (time.process_time() - cpu_before) / wall,
        }
        await agent.command("hangup")
        while flow.session is not None and flow.session.phase.value != "ended":
            await asyncio.sleep(0.05)
    finally:
        heartbeat.probe.stop()
        await agent.close()
        await desk.stop()
    window.close()
    return idle, in_call, figures


def gap_row(name: str, measured: Window) -> list[str]:
    gaps = measured.gaps_ms
    count, total_ms, longest_ms = measured.gc
    return [
        name,
        str(len(gaps)),
        f"{statistics.median(gaps):.1f}",
        f"{percentile(gaps, 0.99):.1f}",
        f"{max(gaps):.1f}",
        f"{count} / {total_ms:.0f} / {longest_ms:.0f}",
    ]


def render(seconds: float, codec: str, idle: Window, in_call: Window, figures: dict[str, float]) -> str:
    p99, worst = percentile(in_call.gaps_ms, 0.99), max(in_call.gaps_ms)
    ratio = p99 / percentile(idle.gaps_ms, 0.99)
    rows = [
        ["", "ticks", "p50 ms", "p99 ms", "max ms", "gc passes / total ms / longest ms"],
        gap_row("no call (baseline)", idle),
        gap_row("in a call", in_call),
    ]
    lines = [
        f"UI heartbeat gaps (10 ms QTimer), {seconds:g} s each, call at 640x480@30 {codec.upper()}",
        f"on {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} after the runs;"
        f" gc thresholds {gc.get_threshold()}, {gc.get_freeze_count()} objects frozen",
        "",
        table(rows),
        f"call / baseline p99: {ratio:.2f}×",
        "",
        *(f"{name}: {value:.1f}" for name, value in figures.items()),
        "",
        "longest gaps in the call, and what the probe saw during each:",
        *(f"  {in_call.gaps_ms[i]:6.1f} ms  {cause}" for i, cause in zip(in_call.longest, in_call.causes, strict=True)),
        "longest gaps without a call:",
        *(f"  {idle.gaps_ms[i]:6.1f} ms  {cause}" for i, cause in zip(idle.longest, idle.causes, strict=True)),
        "",
        f"p99 ≤ {GOAL_P99_MS:g} ms: {yes(p99 <= GOAL_P99_MS)} ({p99:.1f} ms)",
        f"worst ≤ {GOAL_WORST_MS:g} ms: {yes(worst <= GOAL_WORST_MS)} ({worst:.1f} ms)",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ui_stall", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="length of each measurement (default 30)")
    parser.add_argument("--codec", choices=("vp8", "h264"), default="vp8")
    quick_help = f"{QUICK_SECONDS:g} s each: checks that it runs, measures little"
    parser.add_argument("--quick", action="store_true", help=quick_help)
    args = parser.parse_args(argv)
    seconds = QUICK_SECONDS if args.quick else args.seconds

    app = QApplication.instance() or QApplication(sys.argv[:1])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        idle, in_call, figures = loop.run_until_complete(run(seconds, args.codec))
    print(render(seconds, args.codec, idle, in_call, figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
