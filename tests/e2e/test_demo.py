"""The README's demo command as a user runs it: the whole system with nothing configured, its pages, a
clean stop, and no program left behind however the demo ends (SIGTERM, SIGKILL, or a reader of its
output that goes away, as ``scripts/demo | head -3``); and a program that cannot start is named, with
how it ended and its last lines, at once."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path

import psutil
import pytest
from playwright.sync_api import expect, sync_playwright

from tests.peers.chromium import CHROMIUM_ARGS
from tests.peers.net import free_port
from tests.peers.staff import staff_cookie
from tests.peers.wait import wait_until

# the demo's embedded broker takes port 1883 when it is free: under pytest-xdist these tests share one
# worker, so that no two demos start side by side and both see 1883 free
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("demo-broker-1883")]

ROOT = Path(__file__).resolve().parents[2]
NO_DISPLAY = {"QT_QPA_PLATFORM": None, "DISPLAY": None, "WAYLAND_DISPLAY": None}


def fetch_json(url: str, cookie: str) -> dict:
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


def demo_password(demo: DemoRun) -> str:
    """The demo account's password, made for this run (it may see every page)."""
    return demo.wait_for_line("sign in as demo-agent with password").split("password ", 1)[1].split()[0]


class DemoRun:
    """``python -m demo`` as a real process with its own web port and state directory; its standard output
    is read line by line in a thread (``stop_reading_after`` closes the pipe after the first line holding
    that text, as ``| head`` would)."""

    def __init__(
        self,
        tmp_path: Path,
        *args: str,
        env: Mapping[str, str | None] | None = None,
        stop_reading_after: str | None = None,
    ) -> None:
        self.http_port = free_port()
        environ = {**os.environ, "PYTHONUNBUFFERED": "1"}
        for name, value in (env or {}).items():
            if value is None:
                environ.pop(name, None)
            else:
                environ[name] = value
        self.stderr_path = tmp_path / "demo-stderr.txt"
        with self.stderr_path.open("w") as stderr:
            where = ["--http-port", str(self.http_port), "--state-dir", str(tmp_path / "demo")]
            self.process = subprocess.Popen(
                [sys.executable, "-m", "demo", *where, *args],
                cwd=ROOT, env=environ, stdout=subprocess.PIPE, stderr=stderr, text=True,
            )  # fmt: skip
        self.stdout: list[str] = []
        self.ended = False
        self._seen: list[psutil.Process] = []
        self.pipe_closed = threading.Event()
        self.programs_when_closed: list[psutil.Process] = []
        self._changed = threading.Condition()
        self._stop_reading_after = stop_reading_after
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            with self._changed:
                self.stdout.append(line.rstrip("\n"))
                self._changed.notify_all()
            if self._stop_reading_after is not None and self._stop_reading_after in line:
                self.programs_when_closed = self.programs()
                self.process.stdout.close()
                self.pipe_closed.set()
                return
        with self._changed:
            self.ended = True
            self._changed.notify_all()

    def wait_for_line(self, text: str, timeout_s: float = 90.0) -> str:
        deadline = time.monotonic() + timeout_s
        with self._changed:
            while True:
                found = next((line for line in self.stdout if text in line), None)
                if found is not None:
                    return found
                left = deadline - time.monotonic()
                if left <= 0 or self.ended:
                    raise AssertionError(f"the demo printed no {text!r}:\n{self.output}")
                self._changed.wait(left)

    @property
    def output(self) -> str:
        return "\n".join(self.stdout) + "\n--- stderr ---\n" + self.stderr_path.read_text()

    def programs(self) -> list[psutil.Process]:
        found = psutil.Process(self.process.pid).children(recursive=True)
        self._seen.extend(found)
        return found

    def stop(self) -> None:
        """Stop the demo, and kill any program it left behind (the test has failed then: leave no trace)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self._reader.join(10)
        for program in self._seen:
            with contextlib.suppress(psutil.NoSuchProcess):
                if program.is_running() and program.status() != psutil.STATUS_ZOMBIE:
                    program.kill()


@pytest.fixture
def demo_run(tmp_path: Path) -> Iterator[type[DemoRun]]:
    """Make demos with ``demo_run(tmp_path, *args, env=…)``; each is stopped and reaped after the test."""
    runs: list[DemoRun] = []

    def start(*args: object, **kwargs: object) -> DemoRun:
        run = DemoRun(*args, **kwargs)  # type: ignore[arg-type]
        runs.append(run)
        return run

    yield start  # type: ignore[misc]
    for run in runs:
        run.stop()


def gone(processes: list[psutil.Process]) -> bool:
    """True when none of ``processes`` runs any more (a zombie nobody has reaped yet runs nothing)."""
    for process in processes:
        try:
            if process.is_running() and process.status() != psutil.STATUS_ZOMBIE:
                return False
        except psutil.NoSuchProcess:
            pass
    return True


def test_the_demo_starts_broker_central_and_kiosk_and_prints_the_pages(demo_run, tmp_path):
    demo = demo_run(tmp_path)
    demo.wait_for_line("demo: running")
    facilities = demo.wait_for_line("facilities (fleet)").split()[-1]
    assert facilities == f"http://127.0.0.1:{demo.http_port}/facilities"
    assert "/agent" in demo.wait_for_line("agent console")
    assert "sign in as demo-agent with password" in demo.wait_for_line("sign in as")
    cookie = staff_cookie(facilities.removesuffix("/facilities"), "demo-agent", demo_password(demo))
    assert "/wallboard" in demo.wait_for_line("wallboard")
    screenshot = tmp_path / "demo" / "kiosk-home.png"
    assert demo.wait_for_line("screenshot of the kiosk's home screen").endswith(str(screenshot))
    assert screenshot.stat().st_size > 10_000
    fleet_url = facilities.replace("/facilities", "/api/fleet")

    def kiosk_online() -> bool:
        devices = {device["id"]: device for device in fetch_json(fleet_url, cookie)["devices"]}
        return bool(devices.get("kiosk-demo-1", {}).get("online"))

    wait_until(kiosk_online, "the demo kiosk online on the facilities page")
    programs = demo.programs()
    demo.process.send_signal(signal.SIGTERM)
    assert demo.process.wait(30) == 0
    assert gone(programs)
    demo.wait_for_line("demo: stopping (SIGTERM)")
    demo.wait_for_line("demo: stopped")


def test_without_a_display_the_kiosk_is_asked_for_offscreen_and_a_killed_demo_takes_its_programs_along(
    demo_run, tmp_path
):
    demo = demo_run(tmp_path, env=NO_DISPLAY)
    demo.wait_for_line("demo: running")
    demo.wait_for_line("no display here, so the kiosk runs offscreen")
    programs = demo.programs()
    commands = [" ".join(program.cmdline()) for program in programs]
    assert any(command.endswith(" central") for command in commands), commands
    (kiosk,) = [program for program, command in zip(programs, commands, strict=True) if command.endswith(" kiosk")]
    assert kiosk.environ().get("QT_QPA_PLATFORM") == "offscreen"

    demo.process.kill()
    assert demo.process.wait(10) == -signal.SIGKILL
    wait_until(lambda: gone(programs), "central and the kiosk to end with the demo", timeout_s=30)


def test_a_reader_that_goes_away_stops_the_demo_and_its_programs(demo_run, tmp_path):
    demo = demo_run(tmp_path, stop_reading_after="[kiosk]")  # like `scripts/demo | head`
    assert demo.pipe_closed.wait(90), demo.output
    programs = demo.programs_when_closed
    assert len(programs) >= 2  # central and the kiosk had started
    assert demo.process.wait(60) == 0
    wait_until(lambda: gone(programs), "central and the kiosk to end with the demo", timeout_s=30)
    assert "Traceback" not in demo.stderr_path.read_text()


def test_a_program_that_ends_at_start_is_named_with_its_exit_status_and_last_lines_at_once(demo_run, tmp_path):
    started = time.monotonic()
    demo = demo_run(tmp_path, env={"KIOSK_UI__LANGUAGE": "fr"})  # the kiosk refuses this setting and exits
    assert demo.process.wait(60) == 1
    took_s = time.monotonic() - started
    stderr = demo.stderr_path.read_text()
    assert "demo: kiosk exited with status 2." in stderr
    assert "demo:   | kiosk: bad setting ui.language from environment variable KIOSK_UI__LANGUAGE" in stderr
    assert "did not start in time" not in stderr
    assert took_s < 40, f"the demo took {took_s:.0f} s to notice"


# --- a call without a display: the simulated passenger and an agent in the real console ---------------------

UI_TIMEOUT_MS = 30_000
# aiortc cannot resolve the mDNS names Chromium hides host addresses behind; on one machine use plain ones
BROWSER_ARGS = [*CHROMIUM_ARGS, "--disable-features=WebRtcHideLocalIpsWithMdns"]


def test_with_call_a_simulated_passenger_is_answered_in_the_console_talks_and_rates_the_call(
    demo_run, tmp_path, chromium_executable
):
    demo = demo_run(tmp_path, "--call", env=NO_DISPLAY)
    password = demo_password(demo)
    base = demo.wait_for_line("agent console").split()[-1].removesuffix("/agent")
    demo.wait_for_line("demo: passenger: waiting in the queue, position 1")

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_executable, headless=True, args=BROWSER_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 900})
            page.goto(f"{base}/agent?lang=en")
            page.locator("#agent-id").fill("demo-agent")
            page.locator("#password").fill(password)
            page.locator("#signin-submit").click()
            page.locator("#presence").click()  # available: the waiting passenger rings at once
            expect(page.locator("body")).to_have_attribute("data-state", "ringing", timeout=UI_TIMEOUT_MS)
            expect(page.locator("#ring-location")).to_have_text("T1 Departures, Gate 12 (simulated passenger)")
            page.locator("#accept").click()
            expect(page.locator("body")).to_have_attribute("data-state", "on_call", timeout=UI_TIMEOUT_MS)
            expect(page.locator("#remote-video")).to_have_attribute(
                "data-frames", re.compile(r"^[1-9][0-9]*$"), timeout=UI_TIMEOUT_MS
            )  # the agent decodes the passenger's test picture
            demo.wait_for_line("demo: passenger: in call")
            demo.wait_for_line("demo: passenger: sees the agent's picture")
            page.screenshot(path=str(tmp_path / "agent-console-in-call.png"))

            page.locator("#hangup").click()
            expect(page.locator("body")).to_have_attribute("data-state", "wrap_up", timeout=UI_TIMEOUT_MS)
            page.locator('#disposition-form input[name="resolved"][value="yes"]').check()
            page.locator("#category").select_option("flight_info")
            page.locator("#disposition-submit").click()
            expect(page.locator("#wrapup")).to_have_attribute("data-saved", "true", timeout=UI_TIMEOUT_MS)
            demo.wait_for_line("demo: passenger: the call ended (agent)")
            demo.wait_for_line("demo: passenger: rated the call 5 of 5 stars")

            wall = browser.new_page(viewport={"width": 1600, "height": 900})  # a browser of its own
            wall.goto(f"{base}/wallboard?lang=en")
            wall.wait_for_url("**/signin?next=*", timeout=UI_TIMEOUT_MS)  # the wallboard's data needs a sign-in
            wall.locator("#account-id").fill("demo-agent")
            wall.locator("#password").fill(password)
            wall.locator("#signin-submit").click()
            wall.wait_for_url("**/wallboard?lang=en", timeout=UI_TIMEOUT_MS)
            expect(wall.locator('[data-kpi="answered"]')).to_have_text("1", timeout=UI_TIMEOUT_MS)
            expect(wall.locator('[data-kpi="rating"]')).to_have_text("5.0 ★", timeout=UI_TIMEOUT_MS)
            expect(wall.locator('[data-kpi="fcr"]')).to_have_text("100 %")
            wall.screenshot(path=str(tmp_path / "wallboard.png"))
        finally:
            browser.close()
    cookie = staff_cookie(base, "demo-agent", password)
    devices = {device["id"]: device for device in fetch_json(f"{base}/api/fleet", cookie)["devices"]}
    assert devices["kiosk-demo-passenger"]["online"]  # on the bus like a kiosk
    demo.process.send_signal(signal.SIGTERM)
    assert demo.process.wait(30) == 0
