"""Fixtures shared by every test: offscreen Qt, real peers, and a check that no process is left behind."""

from __future__ import annotations

import os

# Qt must never look for a display: without this it aborts the whole run on a headless machine.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import asyncio
import compileall
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from hypothesis import settings

from tests.peers.mosquitto import Mosquitto
from tests.peers.postgres import postgres_server, postgres_url  # noqa: F401 (fixtures: PostgreSQL for the store tests)

# Property tests run Hypothesis's default 100 examples each in the everyday run, which keeps the quick run
# quick; `pytest --hypothesis-profile=thorough` tries ten times as many (a nightly or pre-release run). A test
# that names its own max_examples keeps it in both: each of its examples is costly (a state machine, a frame).
# No per-example deadline in either: speed is the benchmarks' business, and on a busy machine a stall of a
# few hundred milliseconds failed a decoder test whose re-run took 0.08 ms.
settings.register_profile("everyday", deadline=None)
settings.register_profile("thorough", max_examples=1000, deadline=None)
settings.load_profile("everyday")

ROOT = Path(__file__).resolve().parents[1]


def pytest_configure(config: pytest.Config) -> None:
    """Compile the project's modules to .pyc before anything runs.

    The suite starts the programs (central, kiosk, demo, the CLIs) as fresh Python processes well over a
    hundred times. Where PYTHONDONTWRITEBYTECODE is set (containers often set it) none of them leaves its
    .pyc behind, so each start compiled every module it imports again: about a second of CPU for central
    or the kiosk. Python reads .pyc files with that variable set, and compile_dir redoes only stale ones.
    Done once, by the process that starts pytest-xdist's workers, not by each worker.

    And, in every process, as in the Qt programs (device/ui/runner.py): Python's cyclic collection only on the
    main thread, where Qt's objects live; a collection on a call's media thread or a camera's thread crashed
    Qt. Between tests ``pytest_runtest_teardown`` runs it; a Qt loop's timer runs it during a test.
    """
    from device.ui.runner import collect_on_this_thread_only

    collect_on_this_thread_only()
    if hasattr(config, "workerinput"):
        return
    packages = [path for path in ROOT.iterdir() if (path / "__init__.py").is_file() and path.name != "tests"]
    for package in [*packages, ROOT / "tests" / "peers"]:
        compileall.compile_dir(package, quiet=2)


def _live_children() -> set[int]:
    alive = set()
    for child in psutil.Process().children(recursive=True):
        try:
            if child.status() != psutil.STATUS_ZOMBIE:
                alive.add(child.pid)
        except psutil.NoSuchProcess:
            pass
    return alive


@pytest.fixture(autouse=True)
def no_process_left_behind() -> Iterator[None]:
    """Fail a test that leaves a subprocess (broker, program, browser) running after its fixtures end."""
    before = _live_children()
    yield
    leftover = _live_children() - before
    if leftover:
        _, still = psutil.wait_procs([psutil.Process(pid) for pid in leftover if psutil.pid_exists(pid)], timeout=3)
        if still:
            names = ", ".join(f"{p.pid}:{p.name()}" for p in still)
            for proc in still:
                proc.kill()
            pytest.fail(f"test left processes running: {names}")


@pytest.fixture
def mosquitto(tmp_path: Path) -> Iterator[Mosquitto]:
    """A real Mosquitto broker on a free loopback port, anonymous access."""
    broker = Mosquitto(tmp_path / "mosquitto").start()
    try:
        yield broker
    finally:
        broker.stop()


@pytest.fixture
def qt_loop(qapp) -> Iterator[asyncio.AbstractEventLoop]:
    """Qt and asyncio on one thread, on the loop the kiosk runs (device.ui.runner); run a test's coroutine on it."""
    from device.ui.runner import new_event_loop

    loop = new_event_loop(qapp)
    asyncio.set_event_loop(loop)
    try:
        yield loop
    finally:
        # a call on the kiosk's media thread reports to this loop: it ends with it, as it would with the kiosk
        # (a session left running would post to a closed loop during the next test)
        from video.media_thread import shared_media_thread

        shared_media_thread().stop()
        loop.close()  # joins the executor threads (aiortc's encoders, to_thread) that ran on it
        asyncio.set_event_loop(None)


@pytest.fixture
def chromium_executable(request: pytest.FixtureRequest) -> str:
    """The system Chromium, for tests marked ``slow`` only: ``-m "not slow"`` is the run without a browser."""
    if request.node.get_closest_marker("slow") is None:
        pytest.fail(
            f"{request.node.nodeid} starts Chromium but is not marked slow: add @pytest.mark.slow, so that "
            "the quick run (-m 'not slow') stays free of browsers",
            pytrace=False,
        )
    path = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if not Path(path).exists():
        pytest.fail(f"Chromium not found at {path}; install Debian's 'chromium' package (scripts/test does)")
    return path


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item) -> None:
    from device.ui.runner import collect_if_due

    collect_if_due()  # between tests too, where no Qt loop runs the collector's timer
