"""The phone's video-help page over a slow mobile network: bytes and time to first use, beside the agent
console's page from the same server.

``python -m bench.phone_call_page [--runs N] [--json PATH] [--quick]``

Central's real web app (the pages, the phone socket, a switchboard in memory) is served on 127.0.0.1;
headless system Chromium opens, in a fresh phone-sized context with its cache off and the network throttled
to "3G slow" (400 ms round trip, 400 kbit/s each way, as WebPageTest defines it):

- **phone**: ``/p/T1-B12/call``, the page a passenger opens from an info point's QR;
- **baseline**: ``/agent``, the agent console's first page (its sign-in), from the same server.

Per load: the bytes that crossed the network (responses with their headers, from the DevTools protocol),
the requests, ``DOMContentLoaded`` (the module scripts have run: the page answers taps) and, for the phone
page, the socket to central open (a tap on a language joins the queue at once). Runs alternate phone and
baseline. Goals (issue 10): ≤ 150 kB, interactive ≤ 3 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import sys
import time
from pathlib import Path

from aiohttp import web
from playwright.async_api import BrowserContext, async_playwright

from bench.network import SLOW_3G
from bench.report import Spread, table, yes
from bus.topics import Topics
from central.fleet import FleetState
from central.switchboard import MemoryCallStore, Switchboard, SwitchboardSettings
from central.web.agent import AgentDesk
from central.web.app import create_app
from central.web.live import FleetFeed
from central.web.phone import PhoneDesk

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
GOAL_BYTES = 150_000
GOAL_INTERACTIVE_MS = 3000.0
LOAD_TIMEOUT_MS = 60_000


class NoAccounts:
    """The console's page loads without anyone signing in."""

    def get(self, _agent_id: str) -> None:
        return None

    def verify(self, _agent_id: str, _password: str) -> None:
        return None

    def display_of(self, _token: str | None) -> None:
        return None


async def serve() -> tuple[web.AppRunner, str]:
    switchboard = Switchboard(SwitchboardSettings(), time.time, MemoryCallStore())
    fleet = FleetFeed(FleetState(Topics("airport/HAK"), 120.0), "HAK", lambda: "online")
    app = create_app(fleet, AgentDesk(switchboard=switchboard, accounts=NoAccounts()), phones=PhoneDesk(switchboard))
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}"


async def load(context: BrowserContext, url: str, ready: str | None) -> dict[str, float]:
    """One cold load of ``url``: bytes, requests, DOMContentLoaded and (``ready``, a selector) ready to use."""
    page = await context.new_page()
    cdp = await context.new_cdp_session(page)
    await cdp.send("Network.enable")
    await cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    await cdp.send("Network.emulateNetworkConditions", SLOW_3G)
    received: list[float] = []
    cdp.on("Network.loadingFinished", lambda event: received.append(float(event["encodedDataLength"])))
    started = time.perf_counter()
    await page.goto(url, wait_until="domcontentloaded", timeout=LOAD_TIMEOUT_MS)
    dom_ms = (time.perf_counter() - started) * 1000
    ready_ms = dom_ms
    if ready is not None:
        await page.wait_for_selector(ready, state="attached", timeout=LOAD_TIMEOUT_MS)
        ready_ms = (time.perf_counter() - started) * 1000
    await page.wait_for_load_state("load", timeout=LOAD_TIMEOUT_MS)
    await page.close()
    return {"bytes": sum(received), "requests": float(len(received)), "dom_ms": dom_ms, "ready_ms": ready_ms}


PAGES = {
    "phone": ("/p/T1-B12/call?lang=zh-CN", 'body[data-socket="open"]'),
    "baseline": ("/agent?lang=zh-CN", None),
}


async def measure(runs: int) -> dict[str, list[dict[str, float]]]:
    runner, base = await serve()
    results: dict[str, list[dict[str, float]]] = {name: [] for name in PAGES}
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            try:
                for _ in range(runs):
                    for name, (path, ready) in PAGES.items():
                        context = await browser.new_context(
                            viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
                        )
                        try:
                            results[name].append(await load(context, base + path, ready))
                        finally:
                            await context.close()
            finally:
                await browser.close()
    finally:
        await runner.cleanup()
    return results


def report(results: dict[str, list[dict[str, float]]], runs: int) -> str:
    def spread(name: str, field: str) -> Spread:
        return Spread.of([run[field] for run in results[name]])

    rows = [["page", "kB", "requests", "DOMContentLoaded ms", "ready to call ms"]]
    for name, label in (("phone", "phone: /p/{point}/call"), ("baseline", "baseline: /agent (sign-in)")):
        kb = spread(name, "bytes")
        rows.append(
            [
                label,
                f"{kb.median / 1000:.1f}",
                f"{spread(name, 'requests').median:.0f}",
                str(spread(name, "dom_ms")),
                str(spread(name, "ready_ms")) if name == "phone" else "—",
            ]
        )
    phone_kb = spread("phone", "bytes").median
    phone_ready = spread("phone", "ready_ms").median
    lines = [
        f"{runs} cold load(s) of each, alternating; 3G slow (400 ms RTT, 400 kbit/s); {platform.machine()}",
        table(rows),
        "",
        f"phone / baseline: bytes {phone_kb / spread('baseline', 'bytes').median:.2f}, "
        f"DOMContentLoaded {spread('phone', 'dom_ms').median / spread('baseline', 'dom_ms').median:.2f}",
        f"goal: ≤ {GOAL_BYTES // 1000} kB: {yes(phone_kb <= GOAL_BYTES)} ({phone_kb / 1000:.1f} kB)",
        f"goal: interactive ≤ {GOAL_INTERACTIVE_MS / 1000:.0f} s (socket open): "
        f"{yes(phone_ready <= GOAL_INTERACTIVE_MS)} ({phone_ready:.0f} ms)",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.phone_call_page", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="cold loads of each page (default 5)")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    parser.add_argument("--quick", action="store_true", help="one load of each: checks the benchmark works")
    args = parser.parse_args(argv)
    runs = 1 if args.quick else max(1, args.runs)
    results = asyncio.run(measure(runs))
    print(report(results, runs))
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
