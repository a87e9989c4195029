"""The soak run: a scripted passenger at the kiosk for an hour, and nothing grows.

``python -m bench.soak [--minutes N] [--warmup S] [--screenshots DIR] [--quick]``

Real processes, each in its own process group, stopped whatever happens: Mosquitto, ``central`` (with
its flight simulator and one agent account), the printer emulator on a pty, and the kiosk. An agent bot
answers in headless Chromium (``/usr/bin/chromium``, Playwright): the browser console is what agents use,
so a call exercises central's console socket and the kiosk's aiortc against a real browser's WebRTC.

The kiosk process runs the kiosk's own ``KioskApp`` (bus, presence, printing, flights, scanning, video
help; everything ``kiosk`` runs) with the passenger's script on the same Qt + asyncio thread, tapping
widgets with ``QTest`` as a finger would, as bench/call_budget.py does with its kiosk child. The kiosk has
no remote control, and adding one would put a way to drive it into the program the airport runs; the
script instead costs the kiosk process a few objects that do not grow. Each round the passenger:

1. opens Flights, searches a departing flight on the on-screen keyboard, opens it and prints its slip
   (the emulator's receipt count must go up);
2. scans a boarding pass: ``[video] camera`` is a video file of a camera frame with a BCBP PDF417 in it,
   read by the kiosk's scan flow to its result screen (the file is checked with ``kiosk scan`` first);
3. asks for video help in English; the bot accepts, talks a few seconds, hangs up with a disposition;
   the passenger rates and goes home.

Every 10 s the kiosk prints its asyncio task count and Qt objects (the window's ``findChildren(QObject)``
and ``QApplication.allWidgets()``); the benchmark reads, at that moment, RSS, open file descriptors and
threads of the kiosk and RSS and descriptors of central from /proc. The table gives each after warm-up
(the median of three samples around the end of warm-up: the baseline of this run), at the end (median of
the last three) and the growth. Goals: flat after warm-up (≤ 10% growth each), no crash, no ERROR or
Traceback in any program's log (printed when found), every round completed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

from bench.fleet import Programs, start_broker, wait_for_line
from bench.network import free_port
from bench.report import table, yes

CHROMIUM = "/usr/bin/chromium"
SAMPLE_EVERY_S = 10.0
GOAL_GROWTH = 0.10
TALK_S = 4.0  # how long the bot "talks" before hanging up: a call long enough to carry video both ways
STEP_TIMEOUT_S = 60.0
AGENT = ("soak-agent", "Soak Agent", "soak agent password")
SITE = "HAK"
BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-quic",
    # aiortc cannot always resolve the mDNS names Chromium hides host addresses behind
    "--disable-features=WebRtcHideLocalIpsWithMdns",
    "--autoplay-policy=no-user-gesture-required",
]
LOG_TROUBLE = re.compile(r"\b(ERROR|CRITICAL)\b|Traceback")


# --- the boarding pass the camera shows ---------------------------------------------------------------


def write_pass_video(folder: Path) -> Path:
    """A short video of one camera frame holding a two-leg boarding pass (PDF417), for ``[video] camera``;
    its still is checked with ``kiosk scan`` so a run never starts with a camera that shows no pass."""
    import cv2

    from bench.scan import PASS
    from hardware.scanner.decoder import CodeFormat
    from hardware.scanner.samples import Trouble, camera_frame, code_image

    frame = camera_frame(code_image(PASS, CodeFormat.PDF417), Trouble.NONE, seed=1, width=960)
    still, video = folder / "pass.png", folder / "pass.avi"
    cv2.imwrite(str(still), frame)
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter.fourcc(*"MJPG"), 15, (frame.shape[1], frame.shape[0]))
    for _ in range(15):
        writer.write(frame)
    writer.release()
    found = subprocess.run(
        [sys.executable, "-m", "kiosk", "scan", str(still)], capture_output=True, text=True, timeout=60, check=False
    )
    if '"boarding_pass": {' not in found.stdout:
        raise RuntimeError(f"kiosk scan finds no boarding pass in {still}: {found.stdout}{found.stderr}")
    return video


# --- the passenger, in the kiosk's process ----------------------------------------------------------------


class StepFailed(Exception):
    """A step of the passenger's round did not reach the screen it should have."""


class Passenger:
    """Taps the kiosk's window as a passenger would, one round after another."""

    def __init__(self, app: Any, receipts: Path, shots: Path | None) -> None:
        self.app = app
        self.window = app.window
        self.receipts = receipts
        self.shots = shots
        self.rounds = 0
        self.failures: list[str] = []

    def tap(self, widget: Any, pos: Any = None) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        if pos is None:
            QTest.mouseClick(widget, Qt.MouseButton.LeftButton)
        else:
            QTest.mouseClick(widget, Qt.MouseButton.LeftButton, pos=pos)

    async def until(self, condition: Callable[[], bool], what: str, timeout_s: float = STEP_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout_s
        while not condition():  # the screens announce little: poll, as the end-to-end tests do
            if time.monotonic() > deadline:
                raise StepFailed(f"no {what} within {timeout_s:g} s (on {type(self.window.current_screen).__name__})")
            await asyncio.sleep(0.05)

    def shoot(self, name: str) -> None:
        if self.shots is not None:
            self.shots.mkdir(parents=True, exist_ok=True)
            self.window.grab().save(str(self.shots / f"{name}.png"))

    async def search_and_print(self) -> None:
        from bus.messages.flights import Direction

        window, flights = self.window, self.window.flights
        departures = [f for f in self.app.flight_store.flights(Direction.DEPARTURES) if f.number]
        if not departures:
            raise StepFailed("no departures on the board to search for")
        number = departures[self.rounds % len(departures)].number
        self.tap(window.home.flights_tile)
        await self.until(lambda: window.current_screen is flights, "Flights screen")
        self.tap(flights.search_button)
        for char in number[:4]:
            key = flights.keyboard.keys.get(char.upper())
            if key is None:
                raise StepFailed(f"no key {char!r} on the keyboard for {number}")
            self.tap(key)
        await self.until(lambda: flights.result_rows.rowCount() > 0, f"search results for {number[:4]}")
        table_ = flights.result_list
        table_.scrollTo(table_.model().index(0, 0))
        self.tap(table_.viewport(), table_.visualRect(table_.model().index(0, 2)).center())
        await self.until(lambda: flights.pages.currentWidget() is flights.detail, "flight detail")
        before = len(list(self.receipts.glob("receipt-*.json")))
        await self.until(lambda: flights.detail.print_button.isEnabled(), "the print button enabled (printer ready)")
        self.tap(flights.detail.print_button)
        await self.until(lambda: len(list(self.receipts.glob("receipt-*.json"))) > before, "a printed slip")
        self.shoot("flight-printed")
        self.tap(flights.detail.back_button)
        window.go_home()

    async def scan(self) -> None:
        window = self.window
        self.tap(window.home.flights_tile)
        await self.until(lambda: window.current_screen is window.flights, "Flights screen")
        self.tap(window.flights.scan_button)
        await self.until(lambda: window.current_screen is window.scan_result, "the scanned pass's result")
        self.shoot("pass-scanned")
        self.tap(window.scan_result.home_button)
        await self.until(lambda: window.current_screen is window.home, "home after the scan")

    async def call_and_rate(self) -> None:
        window = self.window
        self.tap(window.home.video_tile)
        tile = window.call_choice.tiles["lang_en"]
        await self.until(tile.isVisible, "the English choice")
        self.tap(tile)
        await self.until(lambda: window.current_screen is window.in_call, "the call screen")
        await self.until(lambda: window.in_call.agent_video.frames_shown >= 5, "the agent's video")
        self.shoot("in-call")
        await self.until(lambda: window.current_screen is window.rating, "the rating screen (the bot hangs up)")
        self.tap(window.rating.star_buttons[3])
        self.tap(window.rating.no)
        self.tap(window.rating.done)
        await self.until(lambda: window.current_screen is window.thanks, "the thanks screen")
        await self.until(lambda: self.app.flow.session is None, "the call let go")
        self.tap(window.thanks.home)
        await self.until(lambda: window.current_screen is window.home, "home after the call")

    async def run(self, until: float) -> None:
        steps: list[tuple[str, Callable[[], Awaitable[None]]]] = [
            ("search and print", self.search_and_print),
            ("scan", self.scan),
            ("call and rate", self.call_and_rate),
        ]
        while time.monotonic() < until:
            for name, step in steps:
                try:
                    await step()
                except StepFailed as exc:
                    self.failures.append(f"round {self.rounds + 1}, {name}: {exc}")
                    print(f"PASSENGER failed {self.failures[-1]}", flush=True)
                    self.shoot(f"failed-{name.replace(' ', '-')}")
                    self.window.go_home()
            self.rounds += 1
            print(f"PASSENGER round {self.rounds}", flush=True)


def qt_objects(window: Any) -> tuple[int, int]:
    from PySide6.QtCore import QObject
    from PySide6.QtWidgets import QApplication

    return len(window.findChildren(QObject)), len(QApplication.allWidgets())


async def sample_inside(window: Any) -> None:
    """What only the kiosk process can count, every SAMPLE_EVERY_S; the benchmark reads /proc at each line."""
    while True:
        objects, widgets = qt_objects(window)
        tasks = len(asyncio.all_tasks())
        print("SAMPLE " + json.dumps({"tasks": tasks, "qobjects": objects, "widgets": widgets}), flush=True)
        await asyncio.sleep(SAMPLE_EVERY_S)


async def kiosk_side(config: dict[str, Any]) -> None:
    from bus.messages.flights import Direction
    from kiosk.settings import KioskSettings
    from kiosk.ui.app import KioskApp

    app = KioskApp(KioskSettings.model_validate(config["settings"]), time.monotonic())
    running = asyncio.ensure_future(app.run())
    passenger = Passenger(app, Path(config["receipts"]), Path(config["shots"]) if config["shots"] else None)
    sampling: asyncio.Task[None] | None = None
    try:
        await passenger.until(lambda: app.window.top_bar.connection.state == "online", "connection", 60)
        await passenger.until(lambda: app.flow is not None and app.flight_store is not None, "services", 60)
        await passenger.until(lambda: bool(app.flight_store.flights(Direction.DEPARTURES)), "departures board", 60)
        print("PASSENGER ready", flush=True)
        sampling = asyncio.ensure_future(sample_inside(app.window))
        await passenger.run(time.monotonic() + config["seconds"])
        objects, widgets = qt_objects(app.window)
        print("SAMPLE " + json.dumps({"tasks": len(asyncio.all_tasks()), "qobjects": objects, "widgets": widgets}))
        print("PASSENGER done " + json.dumps({"rounds": passenger.rounds, "failures": passenger.failures}), flush=True)
    finally:
        if sampling is not None:
            sampling.cancel()
        app.request_quit()
        await asyncio.wait_for(running, 30)


def kiosk_child(config_path: Path) -> None:
    """The kiosk as the ``kiosk`` command starts it (kiosk/__main__.py, kiosk/cli.py, device/ui/runner.py),
    with the passenger beside it: the same log lines, malloc arenas, collector and Qt settings."""
    import gc
    import logging

    gc.disable()  # until the first paint, as kiosk/__main__.py; KioskApp.run turns it back on

    from config.program import LOG_FORMAT
    from video.allocator import limit_malloc_arenas

    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format=LOG_FORMAT)  # the benchmark scans it
    limit_malloc_arenas()  # before Qt, paho or aiortc start a thread, as kiosk/cli.py

    import qasync
    from PySide6.QtWidgets import QApplication

    config = json.loads(config_path.read_text())
    qt = QApplication(sys.argv[:1])
    qt.setApplicationName("kiosk")
    qt.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(qt)
    asyncio.set_event_loop(loop)
    with loop:
        loop.run_until_complete(kiosk_side(config))


# --- the agent bot, in Chromium -------------------------------------------------------------------------------


@dataclass
class Bot:
    answered: int = 0
    problems: list[str] = field(default_factory=list)


async def agent_bot(base_url: str, bot: Bot, stop: asyncio.Event) -> None:
    """Signs in on the console, goes available, and answers every ring: accept, talk, hang up, disposition."""
    from playwright.async_api import async_playwright, expect

    timeout_ms = STEP_TIMEOUT_S * 1000
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=BROWSER_ARGS)
        try:
            page = await browser.new_page(viewport={"width": 1600, "height": 900})
            await page.goto(f"{base_url}/agent?lang=en")
            await page.locator("#agent-id").fill(AGENT[0])
            await page.locator("#password").fill(AGENT[2])
            await page.locator("#signin-submit").click()
            await page.locator("#presence").click()
            body = page.locator("body")
            await expect(body).to_have_attribute("data-state", "available", timeout=timeout_ms)
            while not stop.is_set():
                ringing = asyncio.ensure_future(
                    expect(body).to_have_attribute("data-state", "ringing", timeout=24 * 3600 * 1000)
                )
                stopped = asyncio.ensure_future(stop.wait())
                await asyncio.wait({ringing, stopped}, return_when=asyncio.FIRST_COMPLETED)
                if stop.is_set():
                    ringing.cancel()
                    break
                stopped.cancel()
                try:
                    await page.locator("#accept").click()
                    await expect(body).to_have_attribute("data-state", "on_call", timeout=timeout_ms)
                    await asyncio.sleep(TALK_S)  # the conversation: a scripted length, not a wait for anything
                    await page.locator("#hangup").click()
                    await expect(body).to_have_attribute("data-state", "wrap_up", timeout=timeout_ms)
                    await page.locator('#disposition-form input[name="resolved"][value="yes"]').check()
                    await page.locator("#category").select_option("flight_info")
                    await page.locator("#disposition-submit").click()
                    await expect(page.locator("#wrapup")).to_have_attribute("data-saved", "true", timeout=timeout_ms)
                    await page.locator("#ready").click()
                    await expect(body).to_have_attribute("data-state", "available", timeout=timeout_ms)
                    bot.answered += 1
                except AssertionError as exc:  # Playwright's expect: the console never got there
                    bot.problems.append(str(exc).splitlines()[0])
                    await page.reload()
        finally:
            await browser.close()


# --- the run -------------------------------------------------------------------------------------------------


@dataclass
class Sample:
    at_s: float
    kiosk_rss_mib: float
    kiosk_fds: int
    kiosk_threads: int
    kiosk_tasks: int
    kiosk_qobjects: int
    kiosk_widgets: int
    central_rss_mib: float
    central_fds: int


FIGURES = (
    ("kiosk RSS (MiB)", "kiosk_rss_mib"),
    ("kiosk open files", "kiosk_fds"),
    ("kiosk threads", "kiosk_threads"),
    ("kiosk asyncio tasks", "kiosk_tasks"),
    ("kiosk Qt objects", "kiosk_qobjects"),
    ("kiosk widgets", "kiosk_widgets"),
    ("central RSS (MiB)", "central_rss_mib"),
    ("central open files", "central_fds"),
)


def read_sample(at_s: float, inside: dict[str, int], kiosk: int, central: int) -> Sample:
    k, c = psutil.Process(kiosk), psutil.Process(central)
    return Sample(
        at_s,
        k.memory_info().rss / 2**20,
        k.num_fds(),
        k.num_threads(),
        inside["tasks"],
        inside["qobjects"],
        inside["widgets"],
        c.memory_info().rss / 2**20,
        c.num_fds(),
    )


def around(samples: list[Sample], index: int, name: str) -> float:
    """The median of three samples centred on ``index`` (clipped to the run): one sample may fall mid-call."""
    start = max(0, min(index - 1, len(samples) - 3))
    return float(statistics.median(getattr(s, name) for s in samples[start : start + 3]))


def growth_rows(samples: list[Sample], warmup_s: float) -> list[tuple[str, float, float, float]]:
    after = next((i for i, s in enumerate(samples) if s.at_s >= warmup_s), len(samples) - 1)
    rows = []
    for label, name in FIGURES:
        base, end = around(samples, after, name), around(samples, len(samples) - 1, name)
        rows.append((label, base, end, (end - base) / base if base else 0.0))
    return rows


def render(rows: list[tuple[str, float, float, float]], warmup_s: float, duration_s: float) -> str:
    lines = [["figure", f"after warm-up ({warmup_s:.0f} s)", f"at the end ({duration_s:.0f} s)", "growth"]]
    for label, base, end, grown in rows:
        digits = 1 if "MiB" in label else 0
        lines.append([label, f"{base:.{digits}f}", f"{end:.{digits}f}", f"{100 * grown:+.1f}%"])
    return table(lines)


def trouble_in_logs(logs: dict[str, Path]) -> list[str]:
    found = []
    for name, path in logs.items():
        if path.exists():
            lines = path.read_text(errors="replace").splitlines()
            found += [f"{name}: {line}" for line in lines if LOG_TROUBLE.search(line)]
    return found


def start_central(programs: Programs, workdir: Path, broker_port: int) -> tuple[int, str]:
    from central.accounts import AgentAccounts
    from central.service import ACCOUNTS_FILE

    state = workdir / "central"
    state.mkdir(mode=0o700)
    accounts = AgentAccounts(state / ACCOUNTS_FILE)
    try:
        accounts.add(AGENT[0], AGENT[1], ["zh", "en"], AGENT[2])
    finally:
        accounts.close()
    env = {
        "CENTRAL_BUS__URL": f"mqtt://127.0.0.1:{broker_port}",
        "CENTRAL_BUS__SITE": SITE,
        "CENTRAL_HTTP__HOST": "127.0.0.1",
        "CENTRAL_HTTP__PORT": str(free_port()),
        "CENTRAL_APP__STATE_DIR": str(state),
        "PYTHONUNBUFFERED": "1",
    }
    log = workdir / "central.log"
    pid = programs.start("central", [sys.executable, "-m", "central"], env, log=log)
    line = wait_for_line(log, "central: agent console at ", programs.process("central"), 60)
    return pid, line.split(" at ", 1)[1].strip().removesuffix("/agent")


def start_printer(programs: Programs, workdir: Path) -> tuple[Path, Path]:
    folder = workdir / "printer"
    folder.mkdir()
    receipts, link = folder / "receipts", folder / "printer"
    args = ["--out", str(receipts), "--paper", "58", "--baud", "115200", "--link", str(link)]
    args += ["--control", str(folder / "control.sock")]
    log = workdir / "printer.log"
    programs.start("printer", [sys.executable, "-m", "hardware.printer.emulator", *args], log=log)
    wait_for_line(log, "printer emulator: control", programs.process("printer"), 30)
    return link, receipts


async def soak(args: argparse.Namespace, workdir: Path, programs: Programs) -> int:
    seconds = args.minutes * 60
    load_before = os.getloadavg()
    broker_port = start_broker(programs, workdir, 4)
    central_pid, base_url = start_central(programs, workdir, broker_port)
    link, receipts = start_printer(programs, workdir)
    video = write_pass_video(workdir)
    config = {
        "seconds": seconds,
        "receipts": str(receipts),
        "shots": str(args.screenshots) if args.screenshots else "",
        "settings": {
            "app": {"state_dir": str(workdir / "kiosk")},
            "bus": {"url": f"mqtt://127.0.0.1:{broker_port}", "device_id": "kiosk-soak-01", "site": SITE,
                    "location": "T1 Hall B (soak)"},
            "ui": {"fullscreen": False, "width": 1080, "height": 1920, "language": "en"},
            "info": {"central_url": base_url},
            "video": {"camera": str(video), "width": 640, "height": 360, "fps": 15},
            "printer": {"enabled": True, "port": str(link), "baud": 115200, "paper_mm": 58},
        },
    }  # fmt: skip
    (workdir / "kiosk.json").write_text(json.dumps(config))
    logs = {"central": workdir / "central.log", "printer": workdir / "printer.log", "kiosk": workdir / "kiosk.log"}
    bot, stop = Bot(), asyncio.Event()
    answering = asyncio.ensure_future(agent_bot(base_url, bot, stop))
    with logs["kiosk"].open("wb") as kiosk_log:
        kiosk = subprocess.Popen(
            [sys.executable, "-m", "bench.soak", "--kiosk-child", str(workdir / "kiosk.json")],
            env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONUNBUFFERED": "1"},
            stdout=subprocess.PIPE, stderr=kiosk_log, text=True,  # in this group: stopped with it
        )  # fmt: skip
    programs.started.append(("kiosk", kiosk))  # type: ignore[arg-type]  # stopped with the others
    lines: asyncio.Queue[str | None] = asyncio.Queue()
    loop = asyncio.get_running_loop()

    def read() -> None:
        assert kiosk.stdout is not None
        with contextlib.suppress(RuntimeError):  # the loop closed: the run was stopped, nobody is reading
            for line in kiosk.stdout:
                loop.call_soon_threadsafe(lines.put_nowait, line.rstrip("\n"))
            loop.call_soon_threadsafe(lines.put_nowait, None)

    threading.Thread(target=read, daemon=True).start()
    samples: list[Sample] = []
    done: dict[str, Any] | None = None
    started = 0.0
    passenger_failures: list[str] = []
    while (line := await lines.get()) is not None:
        if line == "PASSENGER ready":
            started = time.monotonic()
            print(f"kiosk ready; the passenger starts ({args.minutes:g} min)", flush=True)
        elif line.startswith("SAMPLE "):
            inside = json.loads(line.removeprefix("SAMPLE "))
            samples.append(read_sample(time.monotonic() - started, inside, kiosk.pid, central_pid))
        elif line.startswith("PASSENGER done "):
            done = json.loads(line.removeprefix("PASSENGER done "))
        elif line.startswith("PASSENGER failed "):
            passenger_failures.append(line.removeprefix("PASSENGER failed "))
            print(line, flush=True)
        elif line.startswith("PASSENGER round "):
            rounds = int(line.rsplit(" ", 1)[1])
            if rounds == 1 or rounds % 10 == 0:
                print(f"round {rounds} at {time.monotonic() - started:.0f} s", flush=True)
    status = kiosk.wait(60)
    stop.set()
    await asyncio.wait_for(answering, 30)
    central_alive = programs.process("central").poll() is None
    duration = samples[-1].at_s if samples else 0.0
    warmup = min(args.warmup, duration / 2)
    load_after = os.getloadavg()
    print(f"load average (1, 5, 15 min) before: {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}; "
          f"after: {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}; {os.cpu_count()} cores")  # fmt: skip
    rounds = done["rounds"] if done else 0
    print(f"rounds: {rounds}; slips printed: {len(list(receipts.glob('receipt-*.json')))}; calls answered by the "
          f"bot: {bot.answered}; samples: {len(samples)} every {SAMPLE_EVERY_S:g} s")  # fmt: skip
    rows = growth_rows(samples, warmup) if len(samples) >= 2 else []
    if rows:
        print(render(rows, warmup, duration))
    trouble = trouble_in_logs(logs)
    for line in trouble[:40]:
        print(f"log: {line}")
    for problem in bot.problems:
        print(f"agent bot: {problem}")
    flat = bool(rows) and all(grown <= GOAL_GROWTH for _label, _b, _e, grown in rows)
    crashed = status != 0 or not central_alive or done is None
    print(f"goal flat after warm-up (every figure ≤ {100 * GOAL_GROWTH:.0f}% growth): {yes(flat)}")
    print(f"goal no crash (kiosk exit {status}, central {'running' if central_alive else 'gone'}): {yes(not crashed)}")
    print(f"goal no ERROR or Traceback in the logs ({len(trouble)} found): {yes(not trouble)}")
    every = rounds > 0 and not passenger_failures and not bot.problems
    print(f"goal every round completed ({len(passenger_failures)} steps failed): {yes(every)}")
    return 0 if done is not None else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--warmup", type=float, metavar="S", help="seconds before the baseline (default: a sixth)")
    parser.add_argument("--screenshots", type=Path, metavar="DIR", help="save the kiosk's screens of the last round")
    parser.add_argument("--quick", action="store_true", help="two minutes: shows it still works")
    parser.add_argument("--kiosk-child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.kiosk_child is not None:
        kiosk_child(args.kiosk_child)
        return 0
    if args.quick:
        args.minutes = 2.0
    if args.warmup is None:
        args.warmup = max(30.0, args.minutes * 60 / 6)
    # SIGTERM (python -m bench's timeout) ends the run as Ctrl-C does: through the finally that stops every program
    signal.signal(signal.SIGTERM, lambda signum, _frame: sys.exit(128 + signum))
    programs = Programs()
    with tempfile.TemporaryDirectory(prefix="bench-soak-") as tmp:
        try:
            return asyncio.run(soak(args, Path(tmp), programs))
        finally:
            programs.stop_all()


if __name__ == "__main__":
    sys.exit(main())
