"""Cold start and memory of the kiosk program against headless Chromium showing a page like its home screen.

``python -m bench.startup [--runs N] [--json PATH] [--quick]``

Each run starts a program from nothing, times it from ``Popen`` to its own report of the first painted
home screen, takes its memory once that has settled, and stops it. Kiosk and Chromium runs alternate so
that both see the same machine state; see ``bench/README.md`` for what the figures do and do not mean.
"""

from __future__ import annotations

import argparse
import compileall
import os
import re
import selectors
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.paintserver import PaintServer
from bench.procmem import TreeMemory, settled_memory
from bench.proctree import Stopped, stop_tree, tree_cpu_ms
from bench.startup_report import Sample, environment, render, write_json

REPO_ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
# No background traffic, so that only start-up and the page are timed (--no-sandbox because the
# benchmark may run as root). Launched directly, not through Playwright, so the browser's own start counts.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--window-size=1080,1920",
)
KIOSK_LOCATION = "T1 出发大厅"  # shown at the foot of the home screen, as in kiosk_home.html
PAINT_LINE = re.compile(rb"kiosk: home screen painted(?: \(offscreen\))? (\d+) ms after start(?:, (\d+) ms CPU)?")
PAINT_TIMEOUT_S = 60.0
STOP_GRACE_S = 10.0
LOG_TAIL_CHARS = 2000


def project_packages() -> list[Path]:
    """Every top-level package of the checkout (a fixed list missed ``device`` when it was added)."""
    return sorted(init.parent for init in REPO_ROOT.glob("*/__init__.py") if init.parent.name not in ("tests",))


def compile_project() -> None:
    """Compile the project's modules to .pyc once, as installing a wheel does on a real kiosk.

    A development checkout with PYTHONDONTWRITEBYTECODE set would otherwise recompile every module at
    every start, which no deployed kiosk does. Python still reads .pyc files with that variable set.
    """
    for package in project_packages():
        compileall.compile_dir(str(package), quiet=1)


class RunFailed(RuntimeError):
    """A program did not report its first paint; the message carries the end of its log."""


def _closed_port() -> int:
    """A local TCP port nobody listens on, so the kiosk starts with its broker unreachable."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _log_tail(path: Path) -> str:
    try:
        return path.read_text(errors="replace")[-LOG_TAIL_CHARS:]
    except FileNotFoundError:
        return ""


def _read_paint_line(proc: subprocess.Popen[bytes], deadline: float) -> tuple[float, float, float | None]:
    """Wait for the kiosk's paint line: returns when we read it (monotonic), the ms it reported, and the CPU
    ms it reported (None from a kiosk that does not say)."""
    assert proc.stdout is not None
    buffered = b""
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stdout, selectors.EVENT_READ)
        while (left_s := deadline - time.monotonic()) > 0:
            if not selector.select(left_s):
                continue
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                raise RunFailed(f"kiosk exited (status {proc.wait()}) before painting")
            buffered += chunk
            if match := PAINT_LINE.search(buffered):
                cpu = match.group(2)
                return time.monotonic(), float(match.group(1)), float(cpu) if cpu is not None else None
    raise RunFailed(f"kiosk did not report a paint within {PAINT_TIMEOUT_S:g} s")


def measure_kiosk(run: int, workdir: Path) -> Sample:
    """One cold start of ``python -m kiosk``, offscreen, with the bus broker unreachable."""
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "KIOSK_UI__FULLSCREEN": "false",
        "KIOSK_BUS__URL": f"mqtt://127.0.0.1:{_closed_port()}",
        "KIOSK_APP__STATE_DIR": str(workdir / "state"),
        "KIOSK_BUS__LOCATION": KIOSK_LOCATION,
    }
    log_path = workdir / "kiosk.log"
    with log_path.open("wb") as log:
        started = time.monotonic()
        proc = subprocess.Popen(
            [sys.executable, "-m", "kiosk"],
            stdout=subprocess.PIPE,
            stderr=log,
            env=env,
            cwd=REPO_ROOT,
            start_new_session=True,
        )
    try:
        try:
            painted, in_process_ms, reported_cpu_ms = _read_paint_line(proc, started + PAINT_TIMEOUT_S)
        except (RunFailed, OSError) as exc:
            raise RunFailed(f"{exc}\n{_log_tail(log_path)}") from None
        # The kiosk's own figure, taken at the paint: read from outside, the CPU would also count the screens
        # and services it starts just after the paint, by however late this process got to read the line.
        cpu_ms = reported_cpu_ms if reported_cpu_ms is not None else tree_cpu_ms(proc.pid)
        memory = settled_memory(proc.pid)
    finally:
        stopped = stop_tree(proc, STOP_GRACE_S)
        if proc.stdout is not None:
            proc.stdout.close()
    return _sample("kiosk", run, started, painted, in_process_ms, cpu_ms, memory, stopped)


def measure_chromium(run: int, workdir: Path) -> Sample:
    """One cold start of headless Chromium with a fresh profile, loading the page from a local server."""
    log_path = workdir / "chromium.log"
    with PaintServer() as server:
        with log_path.open("wb") as log:
            started = time.monotonic()
            proc = subprocess.Popen(
                [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={workdir / 'profile'}", server.url],
                stdin=subprocess.DEVNULL,
                # Chromium leaves a singleton-socket directory in TMPDIR after SIGTERM; keep it in the run's own.
                env={**os.environ, "TMPDIR": str(workdir)},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            painted = _wait_for_server_paint(server, proc, started + PAINT_TIMEOUT_S)
            if painted is None:
                status = proc.poll()
                why = f"exited with status {status}" if status is not None else f"no paint in {PAINT_TIMEOUT_S:g} s"
                raise RunFailed(f"chromium did not report a paint ({why})\n{_log_tail(log_path)}")
            cpu_ms = tree_cpu_ms(proc.pid)
            memory = settled_memory(proc.pid)
        finally:
            stopped = stop_tree(proc, STOP_GRACE_S)
    return _sample("chromium", run, started, painted, None, cpu_ms, memory, stopped)


def _wait_for_server_paint(server: PaintServer, proc: subprocess.Popen[bytes], deadline: float) -> float | None:
    # Short waits so that a browser that dies at start fails the run at once, not after the timeout.
    while time.monotonic() < deadline:
        if (painted := server.wait_painted(0.05)) is not None:
            return painted
        if proc.poll() is not None:
            return None
    return None


def _sample(
    program: str,
    run: int,
    started: float,
    painted: float,
    in_process_ms: float | None,
    cpu_ms: float,
    memory: TreeMemory,
    stopped: Stopped,
) -> Sample:
    return Sample(
        program=program,
        run=run,
        start_ms=(painted - started) * 1000,
        in_process_ms=in_process_ms,
        cpu_ms=cpu_ms,
        rss_bytes=memory.rss_bytes,
        pss_bytes=memory.pss_bytes,
        uss_bytes=memory.uss_bytes,
        processes=memory.processes,
        stop_ms=stopped.stop_ms,
        exit_code=stopped.exit_code,
        killed=stopped.killed,
    )


def run_all(runs: int, progress: Callable[[str], None]) -> list[Sample]:
    """``runs`` rounds of kiosk then Chromium, each in its own temporary directory."""
    samples: list[Sample] = []
    for run in range(1, runs + 1):
        for measure in (measure_kiosk, measure_chromium):
            with tempfile.TemporaryDirectory(prefix="bench-startup-", ignore_cleanup_errors=True) as tmp:
                sample = measure(run, Path(tmp))
            samples.append(sample)
            progress(
                f"run {run}/{runs} {sample.program:<8} start {sample.start_ms:6.0f} ms  "
                f"PSS {sample.pss_bytes / 2**20:6.1f} MB  ({sample.processes} processes)"
            )
    return samples


# --- the first tap -----------------------------------------------------------------------------------------

TAP_CHILD = "import sys; from bench.startup import first_tap_child; first_tap_child(*sys.argv[1:])"
TAP_WAYS = ("at once", "warmed")


def first_tap_child(way: str, state_dir: str, broker_url: str) -> None:
    """In this (fresh) process: the first tap on Video help, timed to its screen painted, printed as ms.

    ``at once``: a window with nothing loaded after its first paint, tapped as soon as it painted (what the
    first tap costs when nothing is warmed: the screens built and their imports on the tap). ``warmed``: the
    kiosk's own app (``KioskApp``), tapped once it has done what it does after the paint (the screens built,
    the call stack loaded in the background); its flow then loads the call stack, which is already there.
    """
    import asyncio

    from PySide6.QtCore import QEvent, QObject, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QWidget

    from device.i18n import Catalogue
    from device.ui.runner import run_qt_program
    from kiosk.session import PassengerSession
    from kiosk.settings import KioskSettings
    from kiosk.ui.app import KioskApp
    from kiosk.ui.window import KioskWindow

    class Painted(QObject):
        def __init__(self, widget: QWidget) -> None:
            super().__init__(widget)
            self.event = asyncio.Event()
            widget.installEventFilter(self)

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                self.event.set()
            return False

    async def tap_video_help(window: KioskWindow) -> float:
        began = time.perf_counter()
        QTest.mouseClick(window.home.video_tile, Qt.MouseButton.LeftButton)
        await Painted(window.call_choice).event.wait()
        return (time.perf_counter() - began) * 1000

    settings = KioskSettings.model_validate(
        {"app": {"state_dir": state_dir}, "bus": {"url": broker_url}, "ui": {"fullscreen": False}}
    )
    figures: list[float] = []

    class AtOnce:
        def __init__(self) -> None:
            self.window = KioskWindow(settings, Catalogue.from_package("kiosk"), PassengerSession("zh-CN"))

        def request_quit(self) -> None:
            pass

        async def run(self) -> None:
            painted = Painted(self.window.home)
            self.window.resize(settings.ui.width, settings.ui.height)
            self.window.show()
            await painted.event.wait()
            figures.append(await tap_video_help(self.window))
            self.window.close()

    class Warmed(KioskApp):
        async def run(self) -> None:
            app = asyncio.ensure_future(super().run())
            # polled: the app says nothing when its start is done (a benchmark, not a test)
            while self.flow is None or "video.session" not in sys.modules:
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.5)  # the import's thread has ended and the loop is idle again
            figures.append(await tap_video_help(self.window))
            self.request_quit()
            await app

    if way == "at once":
        run_qt_program("kiosk", AtOnce)
    else:
        run_qt_program("kiosk", lambda: Warmed(settings, time.monotonic()))
    print(f"first tap: {figures[0]:.1f} ms", flush=True)


def measure_first_tap(way: str, workdir: Path) -> float:
    """One fresh process's first tap on Video help (see :func:`first_tap_child`), in ms."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(REPO_ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", TAP_CHILD, way, str(workdir), f"mqtt://127.0.0.1:{_closed_port()}"],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=PAINT_TIMEOUT_S,
        check=False,
    )
    if match := re.search(r"first tap: ([\d.]+) ms", done.stdout):
        return float(match.group(1))
    raise RunFailed(f"the first-tap run ({way}) failed (status {done.returncode})\n{done.stderr[-LOG_TAIL_CHARS:]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.startup", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="rounds of kiosk + Chromium (default 5)")
    parser.add_argument("--json", type=Path, help="write every run's raw figures to this file")
    parser.add_argument("--quick", action="store_true", help="one round: checks that it runs")
    args = parser.parse_args(argv)
    if args.quick:
        args.runs = 1
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    compile_project()
    load_before = os.getloadavg()[0]
    began = time.monotonic()
    try:
        samples = run_all(args.runs, lambda line: print(line, file=sys.stderr, flush=True))
    except (RunFailed, OSError) as exc:
        print(f"bench.startup: {exc}", file=sys.stderr)
        return 1
    taps: dict[str, list[float]] = {way: [] for way in TAP_WAYS}
    try:
        for run in range(1, args.runs + 1):
            for way in TAP_WAYS:
                with tempfile.TemporaryDirectory(prefix="bench-tap-", ignore_cleanup_errors=True) as tmp:
                    taps[way].append(measure_first_tap(way, Path(tmp)))
                print(f"tap {run}/{args.runs} {way:<8} {taps[way][-1]:6.0f} ms", file=sys.stderr, flush=True)
    except (RunFailed, OSError, subprocess.TimeoutExpired) as exc:
        print(f"bench.startup: {exc}", file=sys.stderr)
        return 1
    took_s = time.monotonic() - began
    # Asked for only now: running `chromium --version` first would warm the page cache for run 1.
    env = environment(CHROMIUM, load_before)
    print(render(samples, env, took_s, taps))
    if args.json:
        write_json(args.json, samples, env, took_s, taps)
    return 0


if __name__ == "__main__":
    sys.exit(main())
