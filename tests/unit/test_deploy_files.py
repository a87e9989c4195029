"""The deployment files themselves: every script passes shellcheck, every unit passes systemd-analyze verify
and keeps its restart, watchdog and sandboxing promises, and the shipped settings load."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from config.loader import load_settings
from kiosk.settings import KioskSettings
from tests.peers.programs import ROOT as REPO

DEPLOY = REPO / "deploy"
SCRIPTS = sorted([*DEPLOY.glob("pi/*.sh"), *DEPLOY.glob("server/*.sh")])
UNITS = {
    "airport-kiosk.service": DEPLOY / "pi/systemd/airport-kiosk.service",
    "airport-signage.service": DEPLOY / "pi/systemd/airport-signage.service",
    "airport-central.service": DEPLOY / "server/systemd/airport-central.service",
}
# what the units start, made to exist (as stubs) in the verification root
EXECUTABLES = ["/opt/airport/session.sh", "/opt/airport/screen-power.sh", "/opt/airport/current/bin/central"]
EXECUTABLES += ["/usr/sbin/mosquitto"]
EXECUTABLES += ["/bin/mkdir", "/bin/chown", "/bin/kill"]  # Debian's mosquitto.service uses these


def test_there_is_something_to_check():
    names = {script.name for script in SCRIPTS}
    assert {"install.sh", "update.sh", "session.sh", "make-certs.sh", "setup-broker.sh"} <= names


@pytest.mark.slow  # shellcheck takes about a second for all of them on a loaded machine
def test_every_script_passes_shellcheck():
    shellcheck = shutil.which("shellcheck")
    assert shellcheck, "shellcheck is missing: apt-get install shellcheck (scripts/test installs it)"
    result = subprocess.run(
        [shellcheck, "--external-sources", *[str(s.relative_to(REPO)) for s in SCRIPTS]],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_script_is_strict_and_executable():
    for script in SCRIPTS:
        text = script.read_text()
        if script.name == "lib.sh":  # sourced, not run: the scripts that source it are strict
            continue
        assert "set -euo pipefail" in text, script
        assert script.stat().st_mode & 0o111, f"{script} is not executable"
        assert not re.search(r"\|\s*(grep -q|head)\b", text), f"{script} pipes into grep -q or head"


@pytest.fixture(scope="module")
def verify_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A root with the host's systemd units (the targets ours refer to), ours, and stub executables."""
    root = tmp_path_factory.mktemp("verify-root")
    shutil.copytree("/usr/lib/systemd/system", root / "usr/lib/systemd/system", symlinks=True)
    units = root / "etc/systemd/system"
    units.mkdir(parents=True)
    for name, path in UNITS.items():
        shutil.copy(path, units / name)
    shutil.copy(DEPLOY / "pi/systemd/airport-screen@.service", units / "airport-screen@.service")
    dropins = units / "mosquitto.service.d"
    dropins.mkdir()
    shutil.copy(DEPLOY / "server/systemd/mosquitto-airport.conf", dropins / "airport.conf")
    for executable in EXECUTABLES:
        stub = root / executable.lstrip("/")
        stub.parent.mkdir(parents=True, exist_ok=True)
        stub.write_text("#!/bin/sh\n")
        stub.chmod(0o755)
    return root


@pytest.mark.parametrize("unit", [*UNITS, "airport-screen@off.service", "mosquitto.service"])
def test_every_unit_passes_systemd_analyze_verify(verify_root, unit):
    if unit == "mosquitto.service" and not (verify_root / "usr/lib/systemd/system/mosquitto.service").exists():
        pytest.skip("no mosquitto.service on this machine to put the drop-in on")
    path = f"/usr/lib/systemd/system/{unit}" if unit == "mosquitto.service" else f"/etc/systemd/system/{unit}"
    result = subprocess.run(
        ["systemd-analyze", "verify", f"--root={verify_root}", path],
        capture_output=True,
        text=True,
        timeout=30,
    )
    # verify exits 0 after unknown keys and bad values too: only silence means the unit is clean
    assert result.returncode == 0 and result.stdout + result.stderr == "", result.stdout + result.stderr


def test_systemd_analyze_verify_would_catch_a_mistake(verify_root, tmp_path):
    broken = verify_root / "etc/systemd/system/airport-broken.service"
    broken.write_text(UNITS["airport-kiosk.service"].read_text().replace("WatchdogSec=", "WatchdogSecs="))
    try:
        result = subprocess.run(
            ["systemd-analyze", "verify", f"--root={verify_root}", "/etc/systemd/system/airport-broken.service"],
            capture_output=True,
            text=True,
            timeout=30,
        )
    finally:
        broken.unlink()
    assert "Unknown key 'WatchdogSecs'" in result.stderr


def _directives(text: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in text.splitlines():
        if line and not line.startswith(("#", "[")) and "=" in line:
            key, value = line.split("=", 1)
            found.setdefault(key, []).append(value)
    return found


@pytest.mark.parametrize("unit", UNITS)
def test_units_restart_a_hung_or_failed_program_and_are_sandboxed(unit):
    text = UNITS[unit].read_text()
    directives = _directives(text)
    assert directives["Type"] == ["notify"]
    assert directives["WatchdogSec"] and directives["TimeoutStartSec"]
    assert directives["Restart"][0] in ("always", "on-failure")
    assert directives["StartLimitBurst"] and directives["StartLimitIntervalSec"]
    for promised in ("ProtectSystem", "PrivateTmp", "NoNewPrivileges", "ProtectHome", "ProtectKernelModules"):
        assert promised in directives, f"{unit} lacks {promised}="
    assert directives["ProtectSystem"] == ["strict"]
    # a directive left out says why, in a comment naming it
    for optional in ("PrivateDevices", "MemoryDenyWriteExecute", "PrivateNetwork", "IPAddressAllow", "IPAddressDeny"):
        if optional not in directives:
            assert re.search(rf"^#.*\b{optional}=", text, re.MULTILINE), f"{unit}: no comment says why no {optional}="
    if "PrivateDevices" not in directives:
        assert directives["DevicePolicy"] == ["closed"] and directives["DeviceAllow"]


def test_the_screen_units_wait_for_the_first_paint_and_let_the_app_behind_cage_notify():
    for unit in ("airport-kiosk.service", "airport-signage.service"):
        directives = _directives(UNITS[unit].read_text())
        assert directives["NotifyAccess"] == ["all"]
        assert any(value.startswith("AIRPORT_READY_FILE=/run/airport/") for value in directives["Environment"])
        assert directives["ExecStart"][0].startswith("/opt/airport/session.sh ")
    session = (DEPLOY / "pi/session.sh").read_text()
    assert "unset WATCHDOG_PID" in session


@pytest.mark.parametrize("model", ["pi4", "pi5", "other"])
def test_each_boards_call_settings_load_as_kiosk_settings(model, tmp_path):
    settings_file = tmp_path / "kiosk.toml"
    settings_file.write_text((DEPLOY / f"pi/settings/video-{model}.toml").read_text())
    settings = load_settings(KioskSettings, "KIOSK_TEST_UNUSED_", settings_file)
    assert settings.video.width * settings.video.height <= 640 * 480
    # only the Pi 4 has a hardware H.264 encoder to prefer
    assert settings.video.codec == ("h264" if model == "pi4" else "vp8")
    assert settings.video.fps <= 30


def test_udev_rules_name_the_printer_and_the_camera():
    rules = [
        line
        for line in (DEPLOY / "pi/udev/70-airport-devices.rules").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert rules
    pattern = re.compile(r'^(\w+(\{[\w.]+\})?(==|\+=|=)"[^"]*"(, |$))+$')
    for rule in rules:
        assert pattern.match(rule), rule
    names = {re.search(r'SYMLINK\+="([^"]+)"', rule).group(1) for rule in rules}
    assert names == {"airport-printer", "airport-camera"}
