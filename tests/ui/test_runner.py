"""A screen device with no display stops with one clear line instead of running on with a blank screen."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from device.ui.runner import NO_DISPLAY_EXIT_STATUS, missing_display

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("program", ["kiosk", "signage"])
def test_a_program_without_a_display_stops_and_says_how_to_run_offscreen(program, tmp_path):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "PYTHONPATH": str(REPO),
        f"{program.upper()}_APP__STATE_DIR": str(tmp_path / "state"),
    }
    done = subprocess.run(
        [sys.executable, "-m", program], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == NO_DISPLAY_EXIT_STATUS, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"{program}: no display")
    assert "DISPLAY" in lines[0] and "WAYLAND_DISPLAY" in lines[0] and "QT_QPA_PLATFORM=offscreen" in lines[0]
    assert "online" not in done.stdout


def test_offscreen_asked_for_or_a_display_present_is_fine():
    assert missing_display({"QT_QPA_PLATFORM": "offscreen"}, "linux") is None
    assert missing_display({"QT_QPA_PLATFORM": "eglfs"}, "linux") is None
    assert missing_display({"DISPLAY": ":0"}, "linux") is None
    assert missing_display({"WAYLAND_DISPLAY": "wayland-0"}, "linux") is None
    assert missing_display({}, "linux") is not None
    assert missing_display({"DISPLAY": ""}, "linux") is not None
    assert missing_display({}, "darwin") is None
