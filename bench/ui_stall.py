"""Does a video call freeze the kiosk's screen? Gaps of a 10 ms Qt timer heartbeat during a call.

``python -m bench.ui_stall [--seconds 30] [--codec vp8|h264]``

The kiosk window, its video help flow and a real aiortc agent peer (over in-memory signalling) run in
this process on one Qt + asyncio thread (qasync), as in the kiosk. A QTimer asks for a tick every 10 ms;
each gap between ticks beyond 10 ms is time the screen could not be redrawn. Measured first with no call
(the baseline, same process, same window), then during a call at the configured size and rate with the
agent's video shown and the self-view running.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import qasync
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

HEARTBEAT_MS = 10
GOAL_P99_MS = 20.0
GOAL_WORST_MS = 50.0


class Heartbeat:
    """Records the time between consecutive ticks of a 10 ms QTimer."""

    def __init__(self) -> None:
        self.gaps_ms: list[float] = []
        self._last = 0.0
        self._timer = QTimer(interval=HEARTBEAT_MS)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        self.gaps_ms.clear()
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> list[float]:
        self._timer.stop()
        return list(self.gaps_ms)

    def _tick(self) -> None:
        now = time.perf_counter()
        self.gaps_ms.append((now - self._last) * 1000.0)
        self._last = now


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def run(seconds: float, codec: str) -> tuple[list[float], list[float], dict[str, float]]:
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

    heartbeat.start()
    await asyncio.sleep(seconds)
    idle = heartbeat.stop()

    try:
        flow.start("en", [])
        while window.in_call.agent_video.frames_shown < 1:
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
        await agent.close()
        await desk.stop()
    window.close()
    return idle, in_call, figures


def row(name: str, gaps: list[float]) -> str:
    return f"{name:<22} {len(gaps):>7} {statistics.median(gaps):>8.1f} {percentile(gaps, 0.99):>8.1f} {max(gaps):>8.1f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.ui_stall", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="length of each measurement")
    parser.add_argument("--codec", choices=("vp8", "h264"), default="vp8")
    args = parser.parse_args(argv)

    app = QApplication.instance() or QApplication(sys.argv[:1])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        idle, in_call, figures = loop.run_until_complete(run(args.seconds, args.codec))

    print(f"UI heartbeat gaps (10 ms QTimer), {args.seconds:g} s each, call at 640x480@30 {args.codec.upper()}")
    print(f"on {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} after the runs")
    print()
    print(f"{'':<22} {'ticks':>7} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    print(row("no call (baseline)", idle))
    print(row("in a call", in_call))
    ratio = percentile(in_call, 0.99) / percentile(idle, 0.99)
    print(f"{'call / baseline p99':<22} {'':>7} {'':>8} {ratio:>7.2f}×")
    print()
    for name, value in figures.items():
        print(f"{name}: {value:.1f}")
    p99, worst = percentile(in_call, 0.99), max(in_call)
    print(f"p99 ≤ {GOAL_P99_MS:g} ms: {'yes' if p99 <= GOAL_P99_MS else 'no'} ({p99:.1f} ms)")
    print(f"worst ≤ {GOAL_WORST_MS:g} ms: {'yes' if worst <= GOAL_WORST_MS else 'no'} ({worst:.1f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
