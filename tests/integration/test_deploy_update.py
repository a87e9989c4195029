"""deploy/pi/update.sh: a version that comes up stays; one that does not (it fails, or the settings that
came with it are broken) is switched back, with the reason, in the app's own words, in the update log."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.peers.net import free_port
from tests.peers.programs import ROOT as REPO

pytestmark = pytest.mark.slow  # each update waits for a program to come up, or for its time limit

UPDATE = REPO / "deploy/pi/update.sh"


def fake_version(root: Path, version: str, body: str) -> None:
    """An installed version whose ``kiosk`` is a shell script: it comes up (writes the ready file as the
    app does after its first paint) or it fails with a message."""
    venv = root / "opt/airport/versions" / version
    (venv / "bin").mkdir(parents=True)
    program = venv / "bin/kiosk"
    program.write_text(f"#!/bin/sh\n{body}\n")
    program.chmod(0o755)
    (venv / ".complete").write_text(version + "\n")


def comes_up(version: str) -> str:
    return f'echo "kiosk {version} starting"\nprintf "version={version}\\npid=$$\\n" > "$AIRPORT_READY_FILE"'


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    (root / "etc/airport").mkdir(parents=True)
    (root / "etc/airport/kiosk.toml").write_text("[bus]\ndevice_id = 'kiosk-a'\n")
    (root / "run/airport").mkdir(parents=True)
    (root / "opt/airport").mkdir(parents=True)
    fake_version(root, "1.0", comes_up("1.0"))
    os.symlink("versions/1.0", root / "opt/airport/current")
    return root


def update(root: Path, version: str, restart: str, *args: str, timeout_s: int = 2) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            "bash",
            str(UPDATE),
            "--root",
            str(root),
            "--no-pip",
            "--timeout",
            str(timeout_s),
            "--restart-cmd",
            restart,
            "--app-log",
            str(root / "app.log"),
            *args,
            version,
            str(REPO),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )


def fake_restart(root: Path) -> str:
    ready = root / "run/airport/kiosk.ready"
    return f'AIRPORT_READY_FILE="{ready}" "{root}/opt/airport/current/bin/kiosk" >> "{root}/app.log" 2>&1 || true'


def current(root: Path) -> str:
    return os.readlink(root / "opt/airport/current")


def update_log(root: Path) -> str:
    return (root / "var/lib/airport/update.log").read_text()


def test_a_version_that_comes_up_stays_and_the_switch_is_logged(root: Path):
    fake_version(root, "2.0", comes_up("2.0"))
    result = update(root, "2.0", fake_restart(root))
    assert result.returncode == 0, result.stderr
    assert current(root) == "versions/2.0"
    assert "kiosk updated from 1.0 to 2.0: ready (version=2.0 pid=" in update_log(root)


def test_a_failing_version_is_rolled_back_with_the_apps_own_reason(root: Path):
    fake_version(root, "2.0", "echo \"kiosk: cannot import name 'CallScreen' from 'kiosk.ui'\" >&2\nexit 1")
    result = update(root, "2.0", fake_restart(root))
    assert result.returncode == 1
    assert current(root) == "versions/1.0"
    log = update_log(root)
    assert (
        "kiosk rolled back from 2.0 to 1.0: no READY within 2 s; the app said: "
        "kiosk: cannot import name 'CallScreen' from 'kiosk.ui'"
    ) in log
    assert "kiosk version 1.0 is running again" in log
    assert "rolled back from 2.0 to 1.0" in result.stdout


def test_bad_arguments_change_nothing(root: Path):
    assert "must be letters, digits" in update(root, "../../etc", "true").stderr
    assert "already the running one" in update(root, "1.0", "true").stderr
    assert "--timeout must be a whole number" in update(root, "2.0", "true", timeout_s=0).stderr
    assert current(root) == "versions/1.0"
    assert not (root / "opt/airport/versions/2.0").exists()


REAL_KIOSK = f"""#!/bin/sh
exec env PYTHONPATH="{REPO}" QT_QPA_PLATFORM=offscreen "{sys.executable}" -m kiosk "$@"
"""


def real_version(root: Path, version: str) -> None:
    venv = root / "opt/airport/versions" / version
    (venv / "bin").mkdir(parents=True, exist_ok=True)
    program = venv / "bin/kiosk"
    program.write_text(REAL_KIOSK)
    program.chmod(0o755)
    (venv / ".complete").write_text(version + "\n")


def real_restart(root: Path) -> str:
    """Stop the running kiosk (as systemctl restart would), start the one 'current' points at."""
    script = root / "restart.sh"
    pidfile = root / "kiosk.pid"
    script.write_text(
        f"""#!/bin/bash
set -u
if [ -s "{pidfile}" ]; then
    pid=$(cat "{pidfile}")
    kill "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
fi
AIRPORT_READY_FILE="{root}/run/airport/kiosk.ready" setsid "{root}/opt/airport/current/bin/kiosk" \\
    --config "{root}/etc/airport/kiosk.toml" >> "{root}/app.log" 2>&1 < /dev/null &
echo $! > "{pidfile}"
"""
    )
    script.chmod(0o755)
    return str(script)


def stop_kiosk(root: Path) -> None:
    pidfile = root / "kiosk.pid"
    if not pidfile.exists():
        return
    pid = int(pidfile.read_text())
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    for _ in range(100):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        subprocess.run(["sleep", "0.1"], check=False)  # waiting for another session's process to end
    os.kill(pid, signal.SIGKILL)


def test_broken_settings_that_came_with_an_update_are_rolled_back_and_the_kiosk_runs_again(root: Path, tmp_path):
    real_version(root, "1.0")  # the real kiosk program, as 1.0 and as 2.0
    real_version(root, "2.0")
    good = f"""[app]
state_dir = "{tmp_path / "state"}"

[bus]
url = "mqtt://127.0.0.1:{free_port()}"
device_id = "kiosk-a"

[ui]
fullscreen = false
width = 540
height = 960
"""
    settings = root / "etc/airport/kiosk.toml"
    settings.write_text(good)
    broken = tmp_path / "kiosk-2.0.toml"
    broken.write_text(good + '\n[video]\nfps = "as fast as it can"\n')
    restart = real_restart(root)
    try:
        subprocess.run([restart], check=True, timeout=30)  # 1.0 is running before the update
        result = update(root, "2.0", restart, "--settings", str(broken), timeout_s=20)
        assert result.returncode == 1, result.stdout + result.stderr
        assert current(root) == "versions/1.0"
        assert settings.read_text() == good  # the settings from before the update are back
        log = update_log(root)
        assert "kiosk rolled back from 2.0 to 1.0: no READY within 20 s; the app said: " in log
        assert "kiosk: bad setting video.fps" in log  # the kiosk's own one-line reason for refusing it
        assert "kiosk version 1.0 is running again" in log
        assert (root / "run/airport/kiosk.ready").read_text().startswith("version=")
    finally:
        stop_kiosk(root)
