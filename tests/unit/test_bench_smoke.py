"""Every benchmark still runs: each one briefly (``--quick``) as the real program, so none rots unnoticed.

The figures of such short runs mean little; what is checked is that each benchmark starts, measures what
it says it measures, prints its table and goal lines, exits 0, and leaves no process behind. The ones that
start Chromium or hold several calls are marked slow. Also: the Chromium baseline page shows what the
kiosk's home screen shows, and the benchmarks' one percentile is the nearest-rank one.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib

import pytest

from bench.report import percentile
from bench.startup import KIOSK_LOCATION, project_packages
from tests.peers.programs import ROOT

RUN_TIMEOUT_S = 120


def run_benchmark(module: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", module, "--quick", *args],
        cwd=ROOT,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
    )
    assert done.returncode == 0, f"{module} exited {done.returncode}:\n{done.stdout}\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.mark.slow  # a real run of the benchmark: the full suite keeps it from rotting
def test_switchboard_benchmark_runs():
    out = run_benchmark("bench.switchboard")
    assert "200 decisions of each kind" in out, out
    assert re.search(r"^agent available → call rung\s+[\d.]+\s+[\d.]+", out, re.MULTILINE), out
    assert "p99 ≤ 5 ms" in out


@pytest.mark.slow  # a real run of the benchmark: the full suite keeps it from rotting
def test_call_setup_benchmark_runs():
    out = run_benchmark("bench.call_setup")
    assert "call: CallSession.start() → first picture" in out, out
    assert "floor: bare aiortc, createOffer → first picture" in out


@pytest.mark.slow  # a real run of the benchmark: the full suite keeps it from rotting
def test_ui_stall_benchmark_runs_and_names_causes():
    out = run_benchmark("bench.ui_stall")
    assert re.search(r"in a call\s+\d+\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+\d+ / \d+ / \d+", out), out
    assert re.search(r"agent frames shown on the kiosk / s: [1-9]", out), out  # the call really carried video
    assert "longest gaps in the call, and what the probe saw during each:" in out


@pytest.mark.slow  # a real run of the benchmark: the full suite keeps it from rotting
def test_printer_benchmark_runs():
    out = run_benchmark("bench.printer")
    assert re.search(r"^flight slip\s+\d+\s+[\d.]+\s+[\d.]+", out, re.MULTILINE), out
    assert "tap to first byte on the wire" in out


@pytest.mark.slow  # a real run of the benchmark: the full suite keeps it from rotting
def test_outbox_benchmark_runs():
    out = run_benchmark("bench.outbox")
    assert re.search(r"^outbox: SQLite, then QoS 1\s+[\d,]+", out, re.MULTILINE), out
    assert "outbox / floor:" in out


@pytest.mark.slow  # a real run of the benchmark: the full suite keeps it from rotting
def test_flights_benchmark_runs():
    out = run_benchmark("bench.flights")
    assert "Search per keystroke over" in out and "keystroke p99" in out, out
    assert "Kiosk Flights screen per keystroke over" in out and "key to the list repainted" in out, out
    assert "Feed change (AIDX over HTTP) to the update on the bus" in out


@pytest.mark.slow
def test_call_media_benchmark_runs():
    out = run_benchmark("bench.call_media")
    for codec in ("vp8", "h264"):
        assert f"{codec}: CallSession + camera" in out, out
    assert "after 2 calls" in out


@pytest.mark.slow
def test_startup_benchmark_runs_against_chromium():
    out = run_benchmark("bench.startup")
    assert re.search(r"^kiosk\s+\d+ \(\d+–\d+\)", out, re.MULTILINE), out
    assert re.search(r"^chromium\s+\d+ \(\d+–\d+\)", out, re.MULTILINE), out


def test_the_chromium_baseline_page_shows_what_the_kiosk_home_screen_shows():
    texts = tomllib.loads((ROOT / "kiosk" / "locales" / "zh-CN.toml").read_text())
    page = (ROOT / "bench" / "kiosk_home.html").read_text()
    shown = [
        texts["home"]["greeting"],
        texts["home"]["hint"],
        texts["tile"]["video"],
        texts["tile"]["video_detail"],
        texts["tile"]["info"],
        texts["tile"]["info_detail"],
        texts["home"]["you_are_here"].format(location=KIOSK_LOCATION),
    ]
    positions = [page.find(f">{text}<") for text in shown]
    assert -1 not in positions, [text for text, at in zip(shown, positions, strict=True) if at == -1]
    assert positions == sorted(positions), "the page's order differs from the home screen's"
    assert page.count('class="tile"') == 2


def test_the_startup_benchmark_compiles_every_package_the_kiosk_imports():
    names = {package.name for package in project_packages()}
    assert {"bus", "config", "device", "hardware", "kiosk", "video"} <= names
    assert "tests" not in names


def test_percentile_is_the_nearest_rank_of_what_was_measured():
    values = [float(v) for v in range(1, 101)]  # 1..100
    assert percentile(values, 0.99) == 99.0
    assert percentile(values, 0.5) == 50.0
    assert percentile(values, 1.0) == 100.0
    assert percentile([7.0], 0.99) == 7.0
    assert percentile([3.0, 1.0, 2.0], 0.0) == 1.0
    with pytest.raises(ValueError):
        percentile([], 0.5)


@pytest.mark.slow  # a real run of the benchmark: the full suite keeps it from rotting
def test_board_update_benchmark_runs():
    out = run_benchmark("bench.board_update")
    assert re.search(r"^update: apply \+ repaint\s+[\d.]+\s+[\d.]+", out, re.MULTILINE), out
    assert re.search(r"^full reset: reset \+ repaint\s+[\d.]+\s+[\d.]+", out, re.MULTILINE), out
    assert re.search(r"changed rows on screen per update \(mean\): [1-9]", out), out  # the repaint had rows to draw
    assert "goal ≥ 10x faster than the reset:" in out


@pytest.mark.slow
def test_signage_cpu_benchmark_runs_against_chromium():
    out = run_benchmark("bench.signage_cpu")
    assert re.search(r"^signage\s+[\d.]+\s+\d+\s+[\d.]+\s+[\d.]+\s+1$", out, re.MULTILINE), out
    assert re.search(r"^chromium\s+[\d.]+\s+\d+\s+[\d.]+\s+[\d.]+\s+\d+$", out, re.MULTILINE), out
    assert "goal CPU ≤ 0.5x Chromium's:" in out and "goal PSS ≤ 0.3x Chromium's:" in out


@pytest.mark.slow  # central, Mosquitto and the signage board on the bus
def test_signage_repaint_benchmark_runs():
    out = run_benchmark("bench.signage_repaint")
    for line in ("the update on the bus (baseline)", "the display's store", "the row repainted"):
        assert re.search(rf"^{re.escape(line)}\s+[\d.]+\s+[\d.]+$", out, re.MULTILINE), out
    assert "goal p99 ≤ 1000 ms:" in out


@pytest.mark.slow  # six calls, each in a process of its own under a CPU quota
def test_call_budget_benchmark_runs_under_a_quota_or_says_why_it_cannot():
    done = subprocess.run(
        [sys.executable, "-m", "bench.call_budget", "--quick"],
        cwd=ROOT,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S * 2,
    )
    if os.geteuid() != 0:
        assert done.returncode == 2 and "needs root" in done.stderr, done.stderr
        return
    assert done.returncode == 0, f"{done.stdout}\n{done.stderr[-3000:]}"
    for run in ("kiosk, adapting", "kiosk, fixed", "bare peer"):
        row = rf"^25%\s+{re.escape(run)}\s+[\d.]+\s+[\d.]+\s+\S+/\S+\s+\S+/\S+"
        assert re.search(row, done.stdout, re.MULTILINE), done.stdout
    assert "goal at 25%: ≥ 15 frames per second each way (adapting):" in done.stdout


@pytest.mark.slow  # starts central and Chromium
def test_phone_page_benchmark_runs():
    out = run_benchmark("bench.phone_page")
    assert re.search(r"^slow 3G \(400 kbit/s, 400 ms\)\s+[\d.]+\s+\d+\s+\d+", out, re.MULTILINE), out
    assert "goal ≤ 150 kB and interactive ≤ 3 s on slow 3G:" in out


@pytest.mark.slow  # starts Chromium
def test_phone_call_page_benchmark_runs():
    out = run_benchmark("bench.phone_call_page")
    assert re.search(r"^phone: /p/\{point\}/call\s+[\d.]+\s+\d+\s+\d+ \(", out, re.MULTILINE), out
    assert re.search(r"^baseline: /agent \(sign-in\)\s+[\d.]+\s+\d+", out, re.MULTILINE), out
    assert "goal: ≤ 150 kB: " in out and "goal: interactive ≤ 3 s (socket open): " in out


@pytest.mark.slow  # a real run: Mosquitto, central and the fleet simulator as processes
def test_fleet_benchmark_runs():
    out = run_benchmark("bench.fleet")
    assert re.search(r"^central\s+[\d.]+\s+[\d.]+\s+\d+$", out, re.MULTILINE), out
    assert re.search(r"^mosquitto \(baseline\)\s+[\d.]+", out, re.MULTILINE), out
    assert "central's JSON API at the end: 200 online of 200" in out, out
    assert re.search(r"staleness, device publish → facilities stream: p50 \d+ ms, p99 \d+ ms", out), out


@pytest.mark.slow  # a real run of the benchmark: the full suite keeps it from rotting
def test_reports_benchmark_runs():
    out = run_benchmark("bench.reports")
    assert re.search(r"^baseline: full scan of the table\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+1\.00$", out, re.MULTILINE), out
    for name in ("by day, a month", "by hour, a day", "by skill, a year", "by category, a year", "by agent, a year"):
        assert re.search(rf"^{name}\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+$", out, re.MULTILINE), (name, out)
    assert "every report ≤ 1 s (median): " in out


@pytest.mark.slow  # a real run: Mosquitto and two receiver processes
def test_bus_receive_benchmark_runs():
    out = run_benchmark("bench.bus_receive")
    for name in (r"BusLink, paho's thread \(baseline\)", "LoopLink, on the loop"):
        assert re.search(rf"^{name}\s+3000\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+x$", out, re.MULTILINE), out
    assert re.search(r"^BusLink, paho's thread \(baseline\)\s+3000\s+[\d.]+\s+[\d.]+\s+1\.00\s", out, re.MULTILINE), out
