"""What the demo says when it cannot run: one clear line (or a few) naming the cause and what to do,
an exit status that is not 0, no traceback, and never "running"."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from demo import qt_libraries
from tests.peers.net import free_port

ROOT = Path(__file__).resolve().parents[2]


def run_demo(tmp_path: Path, *args: str, **env: str | None) -> subprocess.CompletedProcess[str]:
    environ = dict(os.environ)
    for name, value in env.items():
        if value is None:
            environ.pop(name, None)
        else:
            environ[name] = value
    return subprocess.run(
        [sys.executable, "-m", "demo", "--state-dir", str(tmp_path / "demo"), *args],
        cwd=ROOT, env=environ, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


@pytest.fixture
def taken_port() -> Iterator[int]:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        yield server.getsockname()[1]


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["--broker", "http://x"], "argument --broker: must be mqtt://host:port or mqtts://host:port"),
        (["--duration", "-5"], "argument --duration: must be a number of seconds greater than 0 (got '-5')"),
    ],
)
def test_a_wrong_option_is_one_line_and_status_2_before_anything_starts(tmp_path, args, complaint):
    result = run_demo(tmp_path, *args)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and complaint in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert not (tmp_path / "demo").exists()


def test_a_broker_that_cannot_be_reached_is_waited_for_visibly_then_named(tmp_path):
    port = free_port()  # free: nothing listens there
    result = run_demo(
        tmp_path, "--broker", f"mqtt://127.0.0.1:{port}", "--broker-wait", "1", "--http-port", str(free_port())
    )
    assert result.returncode == 1
    assert f"demo: waiting for the broker at 127.0.0.1:{port} (Connection refused)" in result.stdout
    assert f"demo: cannot reach the broker at 127.0.0.1:{port} (Connection refused)" in result.stderr
    assert "running" not in result.stdout
    assert "[central]" not in result.stdout  # nothing was started against a broker that is not there
    assert "Traceback" not in result.stderr


def test_a_taken_web_port_is_said_aloud_not_moved(tmp_path, taken_port):
    result = run_demo(tmp_path, "--http-port", str(taken_port))
    assert result.returncode == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"demo: port {taken_port} on 127.0.0.1 is taken")
    assert "--http-port PORT" in line
    assert "running" not in result.stdout


def test_on_a_desktop_missing_qt_libraries_are_named_with_their_packages_before_anything_starts(tmp_path):
    missing = qt_libraries.missing_libraries()
    if not missing:
        pytest.skip("this machine has every library of Qt's xcb plugin")
    result = run_demo(tmp_path, "--http-port", str(free_port()), DISPLAY=":99", QT_QPA_PLATFORM=None)
    assert result.returncode == 1
    for soname in missing:
        assert soname in result.stderr
    assert f"sudo apt-get install {' '.join(qt_libraries.packages_for(missing))}" in result.stderr
    assert "[kiosk]" not in result.stdout and "[central]" not in result.stdout
