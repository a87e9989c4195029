"""``python -m bench.scan [--seeds N] [--latency-runs N] [--quick]``: reading codes at the kiosk.

Two parts, in one run:

1. **Decoding**: generated 1280x720 camera frames (``hardware/scanner/samples.py``) with a QR code (an info
   point's address), a PDF417 and an Aztec code (a two-leg boarding pass), each under every trouble (none,
   rotation, blur, perspective, low contrast, glare, partly covered, moiré) and N seeds, plus frames with no
   code. Every frame goes through the kiosk's decoder (zxing-cpp, then its fallbacks), its live pass (what
   the camera feed runs on two frames in three: one zxing-cpp pass, the fallbacks only when that pass saw a
   code it could not read), zxing-cpp alone and OpenCV's QR detector alone (the baseline; it reads QR
   only). A frame counts as read when the expected text comes back. Times are wall clock per frame
   (``perf_counter``) on this thread.
2. **Pass to flight on screen**: the kiosk window offscreen with its scan flow (qasync), a synthetic camera
   at 30 fps that shows a boarding pass from a known frame on; from the moment that frame is read to the
   paint of the result screen with the flight.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from bench.report import percentile, table, yes
from hardware.scanner.bcbp import BoardingPass, Leg, encode
from hardware.scanner.decoder import Code, CodeFormat, decode, decode_live, decode_opencv, decode_zxing
from hardware.scanner.samples import Trouble, camera_frame, code_image

POINT_URL = "https://help.hak.example/p/t1-departures-a12"
PASS = encode(
    BoardingPass(
        name="ZHANG/SANFENG MR",
        electronic_ticket="E",
        version=6,
        issuer="HU",
        legs=(
            Leg("DEF456", "HAK", "PEK", "HU", "7181", 326, "Y", "012A", "0012", "1", airline_numeric_code="880"),
            Leg("DEF456", "PEK", "FRA", "LH", "0721", 327, "Y", "044C", "0007", "1", airline_numeric_code="220"),
        ),
    )
)
TEXTS = {CodeFormat.QR: POINT_URL, CodeFormat.PDF417: PASS, CodeFormat.AZTEC: PASS}
GOALS = {CodeFormat.QR: 0.98, CodeFormat.PDF417: 0.95, CodeFormat.AZTEC: 0.95}
MEDIAN_GOAL_MS = 30.0
LATENCY_GOAL_MS = 500.0
DECODERS: dict[str, Callable[..., list[Code]]] = {
    "kiosk (zxing-cpp + fallbacks)": decode,
    "kiosk live pass": decode_live,
    "zxing-cpp alone": decode_zxing,
    "OpenCV QR detector": decode_opencv,
}


@dataclass
class Tally:
    read: int = 0
    frames: int = 0

    def share(self) -> float:
        return self.read / self.frames if self.frames else 0.0


def decoding(seeds: int) -> tuple[str, bool]:
    troubles = [trouble for trouble in Trouble if trouble is not Trouble.NO_CODE]
    codes = {format_: code_image(text, format_) for format_, text in TEXTS.items()}
    # drawn one at a time as they are decoded: 300 frames of 1280x720 held at once would take 800 MB
    frames = (
        (format_, trouble, camera_frame(codes[format_], trouble, seed=1000 * index + seed))
        for index, format_ in enumerate(TEXTS)
        for trouble in troubles
        for seed in range(seeds)
    )
    frame_count = len(TEXTS) * len(troubles) * seeds
    empty_count = max(3, seeds)
    empty = (camera_frame(None, Trouble.NO_CODE, seed=9000 + seed) for seed in range(empty_count))
    tallies: dict[tuple[str, CodeFormat], Tally] = defaultdict(Tally)
    by_trouble: dict[tuple[CodeFormat, Trouble], Tally] = defaultdict(Tally)
    times: dict[str, list[float]] = defaultdict(list)
    times_by_format: dict[tuple[str, CodeFormat], list[float]] = defaultdict(list)
    empty_times: dict[str, list[float]] = defaultdict(list)
    false_reads: dict[str, int] = defaultdict(int)
    warm_up = camera_frame(codes[CodeFormat.QR], Trouble.NONE, seed=999)
    for decoder in DECODERS.values():  # first calls allocate
        decoder(warm_up)
    for format_, trouble, frame in frames:
        for name, decoder in DECODERS.items():  # each frame through every decoder, one after the other
            started = time.perf_counter()
            found = decoder(frame)
            elapsed = (time.perf_counter() - started) * 1000
            times[name].append(elapsed)
            times_by_format[(name, format_)].append(elapsed)
            tally = tallies[(name, format_)]
            tally.frames += 1
            ok = any(code.text == TEXTS[format_] for code in found)
            tally.read += ok
            if name == "kiosk (zxing-cpp + fallbacks)":
                by_trouble[(format_, trouble)].frames += 1
                by_trouble[(format_, trouble)].read += ok
    for frame in empty:
        for name, decoder in DECODERS.items():
            started = time.perf_counter()
            false_reads[name] += len(decoder(frame))
            empty_times[name].append((time.perf_counter() - started) * 1000)

    rows = [["decoder", "QR read", "PDF417 read", "Aztec read", "median ms", "p90 ms", "max ms", "no-code ms", "false"]]
    for name in DECODERS:
        shares = [f"{tallies[(name, f)].share():.1%}" for f in TEXTS]
        if name == "OpenCV QR detector":
            shares = [shares[0], "(QR only)", "(QR only)"]
        values = times[name]
        rows.append(
            [
                name,
                *shares,
                f"{statistics.median(values):.1f}",
                f"{percentile(values, 0.9):.1f}",
                f"{max(values):.1f}",
                f"{statistics.median(empty_times[name]):.1f}",
                str(false_reads[name]),
            ]
        )
    per_trouble = [["kiosk decoder, read", *(f.value for f in TEXTS)]]
    for trouble in troubles:
        per_trouble.append(
            [trouble.value, *(f"{by_trouble[(f, trouble)].read}/{by_trouble[(f, trouble)].frames}" for f in TEXTS)]
        )
    kiosk = "kiosk (zxing-cpp + fallbacks)"
    qr_kiosk = statistics.median(times_by_format[(kiosk, CodeFormat.QR)])
    qr_opencv = statistics.median(times_by_format[("OpenCV QR detector", CodeFormat.QR)])
    median = statistics.median(times[kiosk])
    goals_met = all(tallies[(kiosk, f)].share() >= goal for f, goal in GOALS.items()) and median <= MEDIAN_GOAL_MS
    lines = [
        f"Decoding {frame_count} frames of 1280x720 with a code ({seeds} per format and trouble)"
        f" and {empty_count} without",
        "",
        table(rows),
        "",
        table(per_trouble),
        "",
        f"QR frames: the kiosk's decoder takes {qr_kiosk:.1f} ms (median), OpenCV's detector {qr_opencv:.1f} ms:"
        f" {qr_opencv / qr_kiosk:.1f}x faster; read {tallies[(kiosk, CodeFormat.QR)].share():.1%}"
        f" against {tallies[('OpenCV QR detector', CodeFormat.QR)].share():.1%}",
        *(f"goal {f.value} read ≥ {goal:.0%}: {yes(tallies[(kiosk, f)].share() >= goal)}" for f, goal in GOALS.items()),
        f"goal median ≤ {MEDIAN_GOAL_MS:.0f} ms per frame: {yes(median <= MEDIAN_GOAL_MS)} ({median:.1f} ms)",
    ]
    return "\n".join(lines), goals_met


def latency(runs: int) -> tuple[str, bool]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import qasync
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication

    from device.i18n import Catalogue
    from hardware.camera import CameraOwner
    from hardware.scanner.samples import CodeSource
    from kiosk.scanning.flight import Departures
    from kiosk.session import PassengerSession
    from kiosk.settings import KioskSettings
    from kiosk.ui.scan.flow import ScanFlow
    from kiosk.ui.tour import SCAN_DAY, SCAN_FLIGHT, SCAN_TZ
    from kiosk.ui.window import KioskWindow

    app = QApplication.instance() or QApplication([])
    loop = qasync.QEventLoop(app, already_running=False)
    asyncio.set_event_loop(loop)
    settings = KioskSettings.model_validate({"ui": {"fullscreen": False, "width": 1080, "height": 1920}})
    window = KioskWindow(settings, Catalogue.from_package("kiosk"), PassengerSession("en"))
    window.resize(1080, 1920)
    window.show()
    board = Departures(flights=(SCAN_FLIGHT,), site="HAK", tz=SCAN_TZ)
    pass_image = code_image(PASS, CodeFormat.PDF417)

    class Painted(QObject):
        def __init__(self) -> None:
            super().__init__()
            self.at: float | None = None

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and self.at is None and window.current_screen is window.scan_result:
                self.at = time.monotonic()
            return False

    painted = Painted()
    window.scan_result.installEventFilter(painted)
    samples: list[float] = []
    to_decoded: list[float] = []
    flights_shown = 0

    async def one_run(index: int) -> None:
        nonlocal flights_shown
        source = CodeSource(pass_image, appears_at=15 + index % 7, width=1280, seed=index)
        camera = CameraOwner(source, fps=30)

        async def open_camera() -> CameraOwner:
            return camera

        flow = ScanFlow(window, open_camera, lambda: board, "https://help.hak.example", today=lambda: SCAN_DAY)
        painted.at = None
        window.open_scan()
        deadline = time.monotonic() + 10
        while painted.at is None and time.monotonic() < deadline:
            await asyncio.sleep(0.005)
        if painted.at is not None and source.appeared_at is not None:
            samples.append((painted.at - source.appeared_at) * 1000)
            if flow.found_at is not None:
                to_decoded.append((flow.found_at - source.appeared_at) * 1000)
            flights_shown += window.scan_result.headline.text().startswith("HU7181")
        window.go_home()
        await flow.close()
        await camera.stop()
        window.screens.currentChanged.disconnect()  # this run's flow stops following the window
        window.screens.currentChanged.connect(lambda _index: None)

    async def all_runs() -> None:
        for index in range(runs):
            await one_run(index)

    with loop:
        loop.run_until_complete(all_runs())
    window.close()
    if not samples:
        return "Pass to flight on screen: no run finished", False
    rows = [
        ["pass held up → flight painted", "median ms", "p90 ms", "max ms", "runs"],
        [
            "kiosk window, scan flow, 30 fps camera",
            f"{statistics.median(samples):.0f}",
            f"{percentile(samples, 0.9):.0f}",
            f"{max(samples):.0f}",
            f"{len(samples)}/{runs}",
        ],
        [
            "  of which until the decoder reports it",
            f"{statistics.median(to_decoded):.0f}" if to_decoded else "-",
            f"{percentile(to_decoded, 0.9):.0f}" if to_decoded else "-",
            f"{max(to_decoded):.0f}" if to_decoded else "-",
            "",
        ],
    ]
    ok = max(samples) <= LATENCY_GOAL_MS and flights_shown == runs
    lines = [
        "",
        table(rows),
        "",
        f"the flight (HU7181, gate 12) on the result screen in {flights_shown} of {runs} runs",
        "floor: one frame interval (33 ms) plus one decode of the frame; the feed decodes at most 8 frames a"
        " second, so up to 125 ms more when the pass appears just after a decode started",
        f"goal ≤ {LATENCY_GOAL_MS:.0f} ms in every run: {yes(ok)}",
    ]
    return "\n".join(lines), ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scan", description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=13, help="frames per format and trouble (13: 312 frames)")
    parser.add_argument("--latency-runs", type=int, default=10, help="passes held up to the kiosk's camera")
    parser.add_argument("--quick", action="store_true", help="a few frames and runs: does it still run")
    args = parser.parse_args(argv)
    seeds, runs = (1, 2) if args.quick else (args.seeds, args.latency_runs)
    print(f"Code scanning at the kiosk{' (--quick: figures mean little)' if args.quick else ''}", flush=True)
    decoded, _ = decoding(seeds)
    print(decoded, flush=True)
    shown, _ = latency(runs)
    print(shown, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
