"""Every benchmark still runs: ``python -m bench --quick`` runs each one briefly as the real program, once
for the whole suite, so none rots unnoticed.

The figures of such short runs mean little; what is checked is that each benchmark starts, measures what
it says it measures, prints its table and goal lines, exits 0, and leaves no process behind; or that it
says why it cannot run on this machine (call_budget without root). Also: the Chromium baseline page shows
what the kiosk's home screen shows, the benchmarks' one percentile is the nearest-rank one, and the
runner's summary and goal reading.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bench.__main__ import BENCHMARKS, Outcome, goals_in, summary
from bench.__main__ import main as bench_main
from bench.report import percentile
from bench.startup import KIOSK_LOCATION, project_packages
from tests.peers.programs import ROOT

ONE_QUICK_TIMEOUT_S = 420  # the longest quick run (the soak's two minutes) with room for a busy machine


def switchboard(out: str) -> None:
    assert "200 decisions of each kind" in out, out
    assert re.search(r"^agent available → call rung\s+[\d.]+\s+[\d.]+", out, re.MULTILINE), out
    assert "p99 ≤ 5 ms" in out


def live_calls(out: str) -> None:
    assert re.search(r"^new request → queued\s+[\d.]+\s+[\d.]+\s+[+-][\d.]+\s+[\d.]+×", out, re.MULTILINE), out
    assert "120 live calls in the file at the end" in out, out


def call_setup(out: str) -> None:
    assert "call: CallSession.start() → first picture" in out, out
    assert "floor: bare aiortc, createOffer → first picture" in out


def ui_stall(out: str) -> None:
    assert re.search(r"in a call\s+\d+\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+\d+ / \d+ / \d+", out), out
    assert re.search(r"agent frames shown on the kiosk / s: [1-9]", out), out  # the call really carried video
    assert "longest gaps in the call, and what the probe saw during each:" in out


def printer(out: str) -> None:
    assert re.search(r"^flight slip\s+\d+\s+[\d.]+\s+[\d.]+", out, re.MULTILINE), out
    assert "tap to first byte on the wire" in out


def outbox(out: str) -> None:
    assert re.search(r"^outbox: SQLite, then QoS 1\s+[\d,]+", out, re.MULTILINE), out
    assert "outbox / floor:" in out


def flights(out: str) -> None:
    assert "Search per keystroke over" in out and "keystroke p99" in out, out
    assert "Kiosk Flights screen per keystroke over" in out and "key to the list repainted" in out, out
    assert "Feed change (AIDX over HTTP) to the update on the bus" in out


def call_media(out: str) -> None:
    for codec in ("vp8", "h264"):
        assert f"{codec}: CallSession + camera" in out, out
    assert "after 2 calls" in out


def call_memory(out: str) -> None:
    assert re.search(r"^RSS MB\s+[\d.]+\s+[\d.]+\s+[\d.]+×$", out, re.MULTILINE), out
    assert re.search(r"^peer connections alive\s+0\s+0\s", out, re.MULTILINE), out  # the calls ended
    assert "goal RSS after 4 calls ≤ +5% over after 2:" in out


def bus_receive(out: str) -> None:
    for name in (r"BusLink, paho's thread \(baseline\)", "LoopLink, on the loop"):
        assert re.search(rf"^{name}\s+3000\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+x$", out, re.MULTILINE), out
    assert re.search(r"^BusLink, paho's thread \(baseline\)\s+3000\s+[\d.]+\s+[\d.]+\s+1\.00\s", out, re.MULTILINE), out


def startup(out: str) -> None:
    assert re.search(r"^kiosk\s+\d+ \(\d+–\d+\)", out, re.MULTILINE), out
    assert re.search(r"^chromium\s+\d+ \(\d+–\d+\)", out, re.MULTILINE), out
    # the first tap on Video help, with and without the warm-up after the paint, each a real tap to a paint
    assert re.search(r"^  at once\s+\d+ \(\d+–\d+\)\s+1$", out, re.MULTILINE), out
    assert re.search(r"^  warmed\s+\d+ \(\d+–\d+\)\s+1$", out, re.MULTILINE), out


def board_update(out: str) -> None:
    assert re.search(r"^update: apply \+ repaint\s+[\d.]+\s+[\d.]+", out, re.MULTILINE), out
    assert re.search(r"^full reset: reset \+ repaint\s+[\d.]+\s+[\d.]+", out, re.MULTILINE), out
    assert re.search(r"changed rows on screen per update \(mean\): [1-9]", out), out  # the repaint had rows to draw
    assert "goal ≥ 10x faster than the reset:" in out


def signage_cpu(out: str) -> None:
    assert re.search(r"^signage\s+[\d.]+\s+\d+\s+[\d.]+\s+[\d.]+\s+1$", out, re.MULTILINE), out
    assert re.search(r"^chromium\s+[\d.]+\s+\d+\s+[\d.]+\s+[\d.]+\s+\d+$", out, re.MULTILINE), out
    assert "goal CPU ≤ 0.5x Chromium's:" in out and "goal PSS ≤ 0.3x Chromium's:" in out


def signage_repaint(out: str) -> None:
    for line in ("the update on the bus (baseline)", "the display's store", "the row repainted"):
        assert re.search(rf"^{re.escape(line)}\s+[\d.]+\s+[\d.]+$", out, re.MULTILINE), out
    assert "goal p99 ≤ 1000 ms:" in out


def call_budget(out: str) -> None:
    for run in ("kiosk, adapting", "kiosk, fixed", "bare peer", "bare + conversion"):
        row = rf"^25%\s+{re.escape(run)}\s+[\d.]+\s+[\d.]+\s+\S+/\S+\s+\S+/\S+"
        assert re.search(row, out, re.MULTILINE), out
    assert "goal at 25%: ≥ 15 frames per second each way (adapting):" in out
    assert re.search(
        r"^CPU at 25%: the adapting kiosk \d+% of a core, [\d.]+x the bare peer, [\d.]+x the bare \+ conversion$",
        out,
        re.MULTILINE,
    ), out


def phone_page(out: str) -> None:
    assert re.search(r"^slow 3G \(400 kbit/s, 400 ms\)\s+[\d.]+\s+\d+\s+\d+", out, re.MULTILINE), out
    assert "goal ≤ 150 kB and interactive ≤ 3 s on slow 3G:" in out


def phone_call_page(out: str) -> None:
    assert re.search(r"^phone: /p/\{point\}/call\s+[\d.]+\s+\d+\s+\d+ \(", out, re.MULTILINE), out
    assert re.search(r"^baseline: /agent \(sign-in\)\s+[\d.]+\s+\d+", out, re.MULTILINE), out
    assert "goal: ≤ 150 kB: " in out and "goal: interactive ≤ 3 s (socket open): " in out


def fleet(out: str) -> None:
    assert re.search(r"^central\s+[\d.]+\s+[\d.]+\s+\d+$", out, re.MULTILINE), out
    assert re.search(r"^mosquitto \(baseline\)\s+[\d.]+", out, re.MULTILINE), out
    assert "central's JSON API at the end: 200 online of 200" in out, out
    assert re.search(r"staleness, device publish → facilities stream: p50 \d+ ms, p99 \d+ ms", out), out


def reports(out: str) -> None:
    baseline = r"^baseline: full scan of the table\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+1\.00$"
    assert re.search(baseline, out, re.MULTILINE), out
    for name in ("by day, a month", "by hour, a day", "by skill, a year", "by category, a year", "by agent, a year"):
        assert re.search(rf"^{name}\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+$", out, re.MULTILINE), (name, out)
    assert "every report ≤ 1 s (median): " in out


def stores(out: str) -> None:
    assert re.search(r"^operation\s+SQLite ms\s+PostgreSQL ms\s+PostgreSQL ÷ SQLite$", out, re.MULTILINE), out
    names = (
        "save 500 call records, one by one",
        "report by day, the month",
        "100 case updates \\(a note each\\)",
        "live calls: 100 callers arrive, answered, end",
        "live calls: 100 waiting read back",
        "knowledge base: add 50 articles",
        "knowledge base: \\d+ keystrokes searched",
    )
    for name in names:
        assert re.search(rf"^{name}\s+[\d.]+\s+[\d.]+\s+[\d.]+$", out, re.MULTILINE), (name, out)


def transfer(out: str) -> None:
    assert re.search(r"transfer to the next agent\s+2\s+\d+", out), out
    assert "baseline: first call set-up" in out and "goal: p95 transfer" in out


def soak(out: str) -> None:
    figures = ("kiosk RSS (MiB)", "kiosk open files", "kiosk asyncio tasks", "kiosk Qt objects", "central RSS (MiB)")
    for figure in figures:
        assert re.search(rf"^{re.escape(figure)}\s+[\d.]+\s+[\d.]+\s+[+-][\d.]+%$", out, re.MULTILINE), (figure, out)
    assert re.search(r"^rounds: [1-9]\d*; slips printed: [1-9]", out, re.MULTILINE), out
    assert "goal no crash (kiosk exit 0, central running): yes" in out, out
    assert "goal flat after warm-up" in out and "goal no ERROR or Traceback in the logs" in out


def shows_a_table(out: str) -> None:
    """For a benchmark without checks of its own here: it printed a table (a rule under a header)."""
    assert re.search(r"^-{3,}(  -{2,})+", out, re.MULTILINE), out


# What each benchmark's quick run must print, beyond running to the end
CHECKS: dict[str, Callable[[str], None]] = {
    "switchboard": switchboard,
    "live_calls": live_calls,
    "call_setup": call_setup,
    "ui_stall": ui_stall,
    "printer": printer,
    "outbox": outbox,
    "flights": flights,
    "call_media": call_media,
    "startup": startup,
    "board_update": board_update,
    "signage_cpu": signage_cpu,
    "signage_repaint": signage_repaint,
    "call_budget": call_budget,
    "phone_page": phone_page,
    "phone_call_page": phone_call_page,
    "fleet": fleet,
    "reports": reports,
    "stores": stores,
    "transfer": transfer,
    "call_memory": call_memory,
    "bus_receive": bus_receive,
    "soak": soak,
}


def quick_run(name: str, folder: Path) -> dict[str, Any]:
    """``python -m bench --quick --only NAME``, as a program: the benchmark's outcome. One program per
    benchmark, so that pytest-xdist's workers share them out (in one program they took most of the run)."""
    report = folder / "quick.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--only", name, "--json", str(report)],
        cwd=ROOT,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        timeout=ONE_QUICK_TIMEOUT_S,
    )
    assert report.exists(), f"python -m bench exited {done.returncode}:\n{done.stdout[-5000:]}\n{done.stderr[-3000:]}"
    (outcome,) = json.loads(report.read_text())
    assert "=== summary" in done.stdout
    assert re.search(rf"^{name}\s+(ok|failed|skipped)\b", done.stdout, re.MULTILINE), done.stdout[-2000:]
    return outcome


@pytest.mark.slow  # each benchmark's quick run, as the runner starts it
@pytest.mark.timeout(ONE_QUICK_TIMEOUT_S + 60)
@pytest.mark.parametrize("name", [benchmark.name for benchmark in BENCHMARKS])
def test_every_benchmark_runs_quickly_or_says_why_it_cannot(name, tmp_path):
    outcome = quick_run(name, tmp_path)
    assert outcome["name"] == name
    if outcome["status"] == "skipped":
        assert outcome["reason"], outcome  # never silently dropped
        if name == "call_budget":
            assert os.geteuid() != 0 and "root" in outcome["reason"], outcome
        else:
            pytest.fail(f"{name} skipped on the test machine, which has every peer: {outcome['reason']}")
        return
    assert outcome["status"] == "ok", f"{name}: {outcome['reason']}\n{outcome['output'][-3000:]}"
    CHECKS.get(name, shows_a_table)(outcome["output"])


def test_every_benchmark_module_is_in_the_runners_list():
    """A module that takes --quick and has a main is a benchmark: adding one to bench/ is one line there."""
    modules = {
        path.stem
        for path in (ROOT / "bench").glob("*.py")
        if "--quick" in (text := path.read_text()) and "def main(" in text and path.stem != "__main__"
    }
    assert modules == {benchmark.name for benchmark in BENCHMARKS}


def test_the_summary_gives_status_seconds_goals_and_why():
    outcomes = [
        Outcome("switchboard", "ok", 0.4, goals=[("p99 ≤ 5 ms", True)]),
        Outcome("printer", "failed", 3.2, "exit status 1: boom", [("goal: a", True), ("goal: b", False)]),
        Outcome("call_budget", "skipped", reason="needs root to put its calls under a CPU quota (cgroup cpu.max)"),
    ]
    lines = summary(outcomes).splitlines()
    assert lines[0].split() == ["benchmark", "status", "seconds", "goals", "met", "why"]
    assert lines[2].split() == ["switchboard", "ok", "0.4", "yes"]
    assert lines[3].split()[:5] == ["printer", "failed", "3.2", "no", "(1"] and lines[3].endswith("boom")
    assert lines[4].split()[:4] == ["call_budget", "skipped", "-", "-"] and "needs root" in lines[4]


def test_goal_lines_are_read_in_every_form_the_benchmarks_print():
    out = "\n".join(
        [
            "p99 ≤ 5 ms: yes (wall clock: agent available → rung 0.07 ms)",
            "goal: every slip within 10% of the floor ............ no",
            "goal: native QR at least 20x fewer bytes than raster  yes (least 37x)",
            "goal staleness p99 ≤ 2 s .................. yes",
            "every report ≤ 1 s (median): yes (slowest 69 ms)",
            "goal at 25%: ≥ 15 frames per second each way (adapting): no",
            "kiosk     1118 (1100–1200)",  # a table row is no goal
            "Notes: goals are yes or no",
        ]
    )
    assert [ok for _, ok in goals_in(out)] == [True, False, True, True, True, False]


def test_the_runner_refuses_an_unknown_benchmark_by_name():
    with pytest.raises(SystemExit, match="no benchmark named swichboard; known: board_update, "):
        bench_main(["--only", "swichboard"])


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
