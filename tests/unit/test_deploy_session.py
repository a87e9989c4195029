"""deploy/pi/session.sh: cage or eglfs from /etc/airport/display.conf, rotation for screen and touch, and
the app started with the watchdog addressed to it."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.peers.programs import ROOT as REPO

SESSION = REPO / "deploy/pi/session.sh"


@pytest.fixture
def bench(tmp_path: Path) -> Path:
    """A fake app that prints what it was started with, and a fake cage that runs its client."""
    app = tmp_path / "kiosk"
    app.write_text(
        '#!/bin/sh\necho "args=$*"\necho "platform=$QT_QPA_PLATFORM"\necho "rotation=${QT_QPA_EGLFS_ROTATION:-}"\n'
        'echo "touch=${QT_QPA_EVDEV_TOUCHSCREEN_PARAMETERS:-}"\necho "watchdog_pid=${WATCHDOG_PID:-unset}"\n'
    )
    cage = tmp_path / "bin/cage"
    cage.parent.mkdir()
    cage.write_text('#!/bin/sh\necho "cage=$*"\nshift 3\nexec "$@"\n')  # drop -d -s --
    randr = tmp_path / "bin/wlr-randr"
    randr.write_text('#!/bin/sh\necho "wlr-randr=$*"\n')
    for program in (app, cage, randr):
        program.chmod(0o755)
    return tmp_path


def session(bench: Path, conf: str | None, program: str = "kiosk") -> subprocess.CompletedProcess[str]:
    display_conf = bench / "display.conf"
    if conf is not None:
        display_conf.write_text(conf)
    env = {
        **os.environ,
        "PATH": f"{bench / 'bin'}:{os.environ['PATH']}",
        "AIRPORT_DISPLAY_CONF": str(display_conf),
        "AIRPORT_APP": str(bench / "kiosk"),
        "WATCHDOG_PID": "1",
    }
    return subprocess.run(["bash", str(SESSION), program], env=env, capture_output=True, text=True, timeout=30)


def test_by_default_the_app_runs_in_cage_as_a_wayland_client_with_the_watchdog_its_own(bench):
    result = session(bench, None)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("cage=-d -s -- ")
    assert "args=--config /etc/airport/kiosk.toml" in lines
    assert "platform=wayland" in lines
    assert "watchdog_pid=unset" in lines  # systemd addressed it to cage, the main process
    assert not any(line.startswith("wlr-randr=") for line in lines)


def test_rotation_in_cage_turns_the_named_output(bench):
    result = session(bench, "DISPLAY_MODE=cage\nROTATE=90\nOUTPUT=DSI-1\n")
    assert result.returncode == 0, result.stderr
    assert "wlr-randr=--output DSI-1 --transform 90" in result.stdout.splitlines()


def test_eglfs_draws_on_the_display_itself_and_turns_screen_and_touch(bench):
    result = session(bench, "# portrait kiosk\nDISPLAY_MODE=eglfs\nROTATE=270\n", program="signage")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert not any(line.startswith("cage=") for line in lines)
    assert "platform=eglfs" in lines and "rotation=270" in lines and "touch=rotate=270" in lines
    assert "args=--config /etc/airport/signage.toml" in lines


@pytest.mark.parametrize(
    ("conf", "wanted"),
    [("ROTATE=45\n", "ROTATE must be 0, 90, 180 or 270"), ("DISPLAY_MODE=x11\n", "DISPLAY_MODE must be cage or eglfs")],
)
def test_a_bad_display_conf_says_what_is_wrong(bench, conf, wanted):
    result = session(bench, conf)
    assert result.returncode == 2
    assert wanted in result.stderr


def test_screen_power_switches_the_backlight_off_and_on(tmp_path):
    backlight = tmp_path / "backlight/10-0045"
    backlight.mkdir(parents=True)
    (backlight / "bl_power").write_text("0\n")
    env = {
        **os.environ,
        "AIRPORT_BACKLIGHTS": str(tmp_path / "backlight"),
        "AIRPORT_DISPLAY_CONF": str(tmp_path / "none.conf"),
        "AIRPORT_SESSION_USER": "no-such-user-here",
    }
    script = str(REPO / "deploy/pi/screen-power.sh")
    off = subprocess.run(["bash", script, "off"], env=env, capture_output=True, text=True, timeout=30)
    assert off.returncode == 0, off.stderr
    assert (backlight / "bl_power").read_text().strip() == "4"
    on = subprocess.run(["bash", script, "on"], env=env, capture_output=True, text=True, timeout=30)
    assert on.returncode == 0 and (backlight / "bl_power").read_text().strip() == "0"
    wrong = subprocess.run(["bash", script, "dim"], env=env, capture_output=True, text=True, timeout=30)
    assert wrong.returncode == 2 and "say on or off" in wrong.stderr
