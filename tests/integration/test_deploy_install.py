"""deploy/pi/install.sh run for real into a disposable root (its --root mode, as root here): the user, the
files, their owners and modes, enrolment from the boot partition, the unit enabled; run twice, nothing
changes; bad enrolment or an unfit system stops it with a clear message and nothing written."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from config.loader import load_settings
from kiosk.settings import KioskSettings
from tests.peers.programs import ROOT as REPO

pytestmark = [
    pytest.mark.slow,  # each install runs useradd, python -m venv and systemctl: about a second
    pytest.mark.skipif(os.geteuid() != 0, reason="the install script adds users and chowns: run as root"),
]

INSTALL = REPO / "deploy/pi/install.sh"
ENROLMENT = """# written by facilities on the SD card's boot partition
device_id=kiosk-t1-b-01
location=T1 "Departures" Hall B
broker_url=mqtts://broker.airport.example:8883
password=pa\\ss"word-0001
printer=yes
"""


@pytest.fixture
def target(tmp_path: Path) -> Path:
    """A minimal Debian 12 root: account files with the stock groups (no 'render' yet), os-release, and
    an enrolment file on the boot partition."""
    root = tmp_path / "root"
    etc = root / "etc"
    etc.mkdir(parents=True)
    (etc / "os-release").write_text('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n')
    (etc / "passwd").write_text("root:x:0:0:root:/root:/bin/bash\n")
    (etc / "group").write_text("root:x:0:\ndialout:x:20:\nvideo:x:44:\ninput:x:101:\n")
    (etc / "shadow").write_text("root:*:19000:0:99999:7:::\n")
    (etc / "gshadow").write_text("root:*::\ndialout:*::\nvideo:*::\ninput:*::\n")
    for name in ("shadow", "gshadow"):
        (etc / name).chmod(0o640)
    boot = root / "boot/firmware"
    boot.mkdir(parents=True)
    (boot / "airport-enrol.conf").write_text(ENROLMENT)
    return root


def install(root: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(INSTALL), "--root", str(root), "--no-pip", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env},
    )


def account(root: Path, file: str, name: str) -> list[str]:
    for line in (root / "etc" / file).read_text().splitlines():
        if line.split(":", 1)[0] == name:
            return line.split(":")
    raise AssertionError(f"no {name} in {file}")


def mode_and_owner(path: Path) -> tuple[int, int, int]:
    info = path.lstat()
    return info.st_mode & 0o7777, info.st_uid, info.st_gid


def snapshot(root: Path) -> dict[str, tuple[object, ...]]:
    """Every path's type, mode, owner and content (or link target); shadow-utils' '-' backups left out."""
    seen: dict[str, tuple[object, ...]] = {}
    for path in sorted(root.rglob("*")):
        relative = str(path.relative_to(root))
        if relative.startswith("etc/") and relative.endswith("-"):
            continue
        if path.is_symlink():
            seen[relative] = ("link", os.readlink(path))
        elif path.is_file():
            seen[relative] = ("file", *mode_and_owner(path), hashlib.sha256(path.read_bytes()).hexdigest())
        else:
            seen[relative] = ("dir", *mode_and_owner(path))
    return seen


def test_install_lays_down_user_files_permissions_and_unit_and_a_second_run_changes_nothing(target: Path):
    first = install(target)
    assert first.returncode == 0, first.stderr

    user = account(target, "passwd", "kiosk")
    uid, gid = int(user[2]), int(user[3])
    assert user[5:] == ["/var/lib/airport", "/usr/sbin/nologin"]
    assert account(target, "group", "kiosk")[2] == str(gid)
    for group in ("video", "dialout", "render", "input"):
        assert "kiosk" in account(target, "group", group)[3].split(","), group

    assert mode_and_owner(target / "etc/airport") == (0o750, 0, gid)
    settings_file = target / "etc/airport/kiosk.toml"
    assert mode_and_owner(settings_file) == (0o640, 0, gid)  # the broker password: not for everyone
    assert mode_and_owner(target / "var/lib/airport") == (0o700, uid, gid)
    assert mode_and_owner(target / "var/lib/airport/kiosk") == (0o700, uid, gid)

    settings = load_settings(KioskSettings, "KIOSK_TEST_UNUSED_", settings_file)
    assert settings.bus.device_id == settings.bus.username == "kiosk-t1-b-01"
    assert settings.bus.location == 'T1 "Departures" Hall B'
    assert settings.bus.password is not None
    assert settings.bus.password.get_secret_value() == 'pa\\ss"word-0001'
    assert settings.bus.url == "mqtts://broker.airport.example:8883"
    assert settings.printer.enabled and settings.printer.port == "/dev/airport-printer"
    assert str(settings.app.state_dir) == "/var/lib/airport/kiosk"
    assert settings.video.camera == "/dev/airport-camera"
    # the password does not stay on the FAT boot partition
    assert not (target / "boot/firmware/airport-enrol.conf").exists()

    assert os.readlink(target / "opt/airport/current") == "versions/0.1.0"
    assert (target / "opt/airport/versions/0.1.0/bin/python").exists()
    assert (target / "opt/airport/versions/0.1.0/.complete").read_text() == "0.1.0\n"
    for tool in ("update.sh", "session.sh"):
        assert mode_and_owner(target / "opt/airport" / tool)[0] == 0o755
    enabled = target / "etc/systemd/system/multi-user.target.wants/airport-kiosk.service"
    assert os.readlink(enabled) == "/etc/systemd/system/airport-kiosk.service"
    assert (target / "etc/udev/rules.d/70-airport-devices.rules").exists()
    assert (target / "etc/systemd/journald.conf.d/airport.conf").exists()
    assert (target / "etc/systemd/system.conf.d/airport-watchdog.conf").exists()
    packages = (target / "var/lib/airport/packages.txt").read_text().split()
    assert {"fonts-noto-cjk", "cage", "python3-venv"} <= set(packages)

    before = snapshot(target)
    second = install(target)
    assert second.returncode == 0, second.stderr
    assert "enrolment kept" in second.stdout and "already installed" in second.stdout
    assert snapshot(target) == before


def test_the_installed_unit_passes_systemd_analyze_verify_in_the_target(target: Path):
    assert install(target).returncode == 0
    shutil.copytree("/usr/lib/systemd/system", target / "usr/lib/systemd/system", symlinks=True)
    result = subprocess.run(
        ["systemd-analyze", "verify", f"--root={target}", "/etc/systemd/system/airport-kiosk.service"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0 and result.stdout + result.stderr == "", result.stderr


@pytest.mark.parametrize(
    ("line", "wanted"),
    [
        ("device_id=Kiosk_1", "device id 'Kiosk_1' must be 1-64 of a-z, 0-9 and '-'"),
        ("broker_url=broker.airport.example", "must be mqtts://host:port"),
        ("password=", "no broker password given"),
        ("colour=blue", "unknown key 'colour'"),
        ("location=Hall\x07B", "control character"),
    ],
)
def test_bad_enrolment_is_refused_with_the_reason_and_nothing_is_written(target: Path, line: str, wanted: str):
    enrol = target / "boot/firmware/airport-enrol.conf"
    key = line.split("=", 1)[0]
    kept = [existing for existing in ENROLMENT.splitlines() if not existing.startswith(f"{key}=")]
    enrol.write_text("\n".join([*kept, line]) + "\n")
    result = install(target)
    assert result.returncode != 0
    assert wanted in result.stderr
    assert not (target / "etc/airport/kiosk.toml").exists()
    assert not (target / "etc/airport/kiosk.toml.partial").exists()
    assert enrol.exists()  # still there to correct and try again


def test_an_enrolment_file_written_on_windows_with_spaces_around_values_is_read_as_meant(target: Path):
    lines = [line.replace("=", " = ", 1) for line in ENROLMENT.splitlines()]
    (target / "boot/firmware/airport-enrol.conf").write_bytes("\r\n".join(lines).encode() + b"\r\n")
    result = install(target)
    assert result.returncode == 0, result.stderr
    settings = load_settings(KioskSettings, "KIOSK_TEST_UNUSED_", target / "etc/airport/kiosk.toml")
    assert settings.bus.device_id == "kiosk-t1-b-01"
    assert settings.bus.location == 'T1 "Departures" Hall B'


def test_an_aarch64_system_with_too_old_a_glibc_is_told_what_to_do_before_anything_changes(target: Path):
    result = install(target, AIRPORT_ARCH="aarch64", AIRPORT_MIN_GLIBC_AARCH64="99.0")
    assert result.returncode == 1
    assert "PySide6's aarch64 wheels need glibc 99.0 or newer" in result.stderr
    assert "Nothing was changed" in result.stderr
    assert not (target / "opt").exists() and "kiosk" not in (target / "etc/passwd").read_text()


def test_a_32_bit_raspberry_pi_os_is_refused_with_the_way_out(target: Path):
    result = install(target, AIRPORT_ARCH="armv7l")
    assert result.returncode == 1
    assert "install the 64-bit one" in result.stderr
    assert not (target / "opt").exists()


def test_an_aarch64_bookworm_passes_the_glibc_check(target: Path):
    # this machine's glibc stands in for the Pi's: Debian 12's 2.36 is the documented minimum
    result = install(target, AIRPORT_ARCH="aarch64")
    assert result.returncode == 0, result.stderr


def test_a_signage_display_switches_its_screen_off_and_on_at_the_schedules_times(target: Path):
    assert install(target, "--program", "signage").returncode == 0
    units = target / "etc/systemd/system"
    assert not (units / "airport-screen-off.timer").exists()  # no schedule yet: always on

    settings = target / "etc/airport/signage.toml"
    settings.write_text(settings.read_text() + '\n[schedule]\noff_at = "00:30"\non_at = "05:30"\n')
    again = install(target, "--program", "signage")
    assert again.returncode == 0, again.stderr
    assert "switches off at 00:30 and on at 05:30" in again.stdout
    assert "OnCalendar=*-*-* 00:30:00" in (units / "airport-screen-off.timer").read_text()
    assert "Unit=airport-screen@on.service" in (units / "airport-screen-on.timer").read_text()
    assert (units / "timers.target.wants/airport-screen-off.timer").is_symlink()
    shutil.copytree("/usr/lib/systemd/system", target / "usr/lib/systemd/system", symlinks=True)
    for unit in ("airport-screen-off.timer", "airport-screen-on.timer", "airport-screen@off.service"):
        verified = subprocess.run(
            ["systemd-analyze", "verify", f"--root={target}", f"/etc/systemd/system/{unit}"],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert verified.returncode == 0 and verified.stdout + verified.stderr == "", verified.stderr

    settings.write_text(settings.read_text().replace('off_at = "00:30"\non_at = "05:30"\n', ""))
    assert install(target, "--program", "signage").returncode == 0
    assert not (units / "airport-screen-off.timer").exists()
    assert not (units / "timers.target.wants/airport-screen-off.timer").exists()
