"""The info point's phone page, first load: bytes and time to interactive on an emulated slow 3G link in
Chromium, beside the same page on a fast link, measured in one run.

``python -m bench.phone_page [--runs N] [--quick]``

``central`` runs as a process (its broker address a closed port: the page needs no bus). Each run opens a
fresh browser context with the cache disabled, so every load is a first load. The slow link is Chrome's
own throttling over CDP (``Network.emulateNetworkConditions``): 400 kbit/s down and up, 400 ms latency per
request. "Interactive" is the page's own ``performance.mark("point-shown")``: its script has run, the point
is on screen and the search answers taps; it is measured from the start of navigation. Goal: ≤ 150 kB and
interactive ≤ 3 s on slow 3G. For comparison the table also gives what searching over both whole boards
(``GET /api/flights`` for departures and arrivals) would cost, which is why the page searches on central.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, sync_playwright

from bench.network import SLOW_3G, free_port
from bench.report import table, yes

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
POINT = "T1-GATE-1"
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
GOAL_BYTES = 150_000
GOAL_INTERACTIVE_MS = 3000.0
START_TIMEOUT_S = 60.0


@dataclass
class Load:
    bytes: int
    requests: int
    interactive_ms: float
    loaded_ms: float


@contextlib.contextmanager
def central(workdir: Path) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "CENTRAL_BUS__URL": f"mqtt://127.0.0.1:{free_port()}",  # nothing listens: the page needs no broker
        "CENTRAL_HTTP__PORT": str(port),
        "CENTRAL_APP__STATE_DIR": str(workdir / "state"),
    }
    with (workdir / "central.log").open("wb") as log:
        child = subprocess.Popen(
            [sys.executable, "-m", "central"], stdout=log, stderr=subprocess.STDOUT, cwd=REPO, env=env
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            with contextlib.suppress(OSError), urllib.request.urlopen(f"{base}/healthz", timeout=1):
                break
            if child.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"central did not start; see {workdir / 'central.log'}")
            time.sleep(0.1)
        yield base
    finally:
        child.terminate()
        try:
            child.wait(10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait(10)


def first_load(browser: Browser, url: str, conditions: dict[str, Any] | None) -> Load:
    context = browser.new_context(**PHONE)
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        if conditions is not None:
            cdp.send("Network.emulateNetworkConditions", conditions)
        received: dict[str, float] = {}
        cdp.on(
            "Network.loadingFinished",
            lambda event: received.__setitem__(event["requestId"], event["encodedDataLength"]),
        )
        page.goto(url, wait_until="load", timeout=60_000)
        page.wait_for_selector("#sheet[data-state='shown']")
        page.wait_for_load_state("networkidle")
        interactive, loaded = page.evaluate(
            """() => [performance.getEntriesByName("point-shown")[0].startTime,
                      performance.getEntriesByType("navigation")[0].loadEventEnd]"""
        )
        return Load(int(sum(received.values())), len(received), float(interactive), float(loaded))
    finally:
        context.close()


def board_bytes(base: str) -> int:
    total = 0
    for direction in ("dep", "arr"):
        with urllib.request.urlopen(f"{base}/api/flights?direction={direction}", timeout=10) as response:
            total += len(response.read())
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.phone_page", description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="first loads on each link (default 5)")
    parser.add_argument("--quick", action="store_true", help="one load on each link: checks the benchmark runs")
    args = parser.parse_args(argv)
    runs = 1 if args.quick else max(1, args.runs)
    with tempfile.TemporaryDirectory(prefix="bench-phone-") as tmp, central(Path(tmp)) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
        try:
            url = f"{base}/p/{POINT}?s=q"
            loads: dict[str, list[Load]] = {"fast": [], "slow": []}
            for _ in range(runs):  # alternating, so both links see the same machine
                loads["fast"].append(first_load(browser, url, None))
                loads["slow"].append(first_load(browser, url, SLOW_3G))
        finally:
            browser.close()
        boards = board_bytes(base)

    def spread(values: list[float]) -> str:
        return f"{statistics.median(values):.0f} ({min(values):.0f}–{max(values):.0f})"

    fast, slow = loads["fast"], loads["slow"]
    rows = [["link", "kB", "requests", "interactive ms", "load ms"]]
    for name, sample in (("fast (loopback, no throttling)", fast), ("slow 3G (400 kbit/s, 400 ms)", slow)):
        rows.append(
            [
                name,
                f"{statistics.median(load.bytes for load in sample) / 1000:.1f}",
                f"{statistics.median(load.requests for load in sample):.0f}",
                spread([load.interactive_ms for load in sample]),
                spread([load.loaded_ms for load in sample]),
            ]
        )
    fast_ms = statistics.median(load.interactive_ms for load in fast)
    slow_ms = statistics.median(load.interactive_ms for load in slow)
    slow_bytes = statistics.median(load.bytes for load in slow)
    print(f"Phone page /p/{POINT}, first load (cache disabled), {runs} run(s) per link, median (min–max)")
    print(table(rows))
    print(f"slow 3G / fast, time to interactive: {slow_ms / max(fast_ms, 0.1):.1f}x")
    print(
        f"both whole boards (GET /api/flights dep + arr), the alternative of searching on the phone: "
        f"{boards / 1000:.1f} kB = {boards / slow_bytes:.1f}x the page, "
        f"≥ {boards * 8 / 400_000:.1f} s more on slow 3G"
    )
    print(
        f"goal ≤ {GOAL_BYTES // 1000} kB and interactive ≤ {GOAL_INTERACTIVE_MS / 1000:.0f} s on slow 3G: "
        f"{yes(slow_bytes <= GOAL_BYTES and slow_ms <= GOAL_INTERACTIVE_MS)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
