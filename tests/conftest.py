"""Fixtures shared by every test: offscreen Qt, real peers, and a check that no process is left behind."""

from __future__ import annotations

import os

# Qt must never look for a display: without this it aborts the whole run on a headless machine.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import asyncio
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
import qasync

from tests.peers.mosquitto import Mosquitto
from tests.peers.postgres import postgres_server, postgres_url  # noqa: F401 (fixtures: PostgreSQL for the store tests)


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
    """Qt and asyncio on one thread (qasync), as the kiosk runs them; run a test's coroutine on it."""
    loop = qasync.QEventLoop(qapp, already_running=False)
    asyncio.set_event_loop(loop)
    try:
        yield loop
    finally:
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
