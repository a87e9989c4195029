"""The device registry (in its SQLite file or in PostgreSQL) and the broker files made from it."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

import psycopg
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bus.messages.device import DeviceKind
from bus.topics import Topics
from central.broker.config import BrokerConfigError, Listener, acl_file, mosquitto_conf, passwd_file
from central.broker.passwords import generate_password, hash_for_mosquitto, matches
from central.registry import BrokerUser, DeviceRegistry, RegistryError
from tests.peers.clock import FakeClock

MOSQUITTO_PASSWD = shutil.which("mosquitto_passwd") or "/usr/bin/mosquitto_passwd"
PASSWORD = "a-device-password-123"


@pytest.fixture(params=["sqlite", "postgres"])
def place(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    """Where the registry lives: its SQLite file, or a PostgreSQL database ([store] url)."""
    if request.param == "sqlite":
        return tmp_path / "devices.sqlite3"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def registry(place: Path | str):
    registry = DeviceRegistry(place, clock=FakeClock(0.0))
    yield registry
    registry.close()


def test_a_hash_made_by_mosquitto_passwd_is_understood(tmp_path: Path) -> None:
    passwd = tmp_path / "passwd"
    subprocess.run([MOSQUITTO_PASSWD, "-b", "-c", str(passwd), "kiosk-1", PASSWORD], check=True, timeout=30)
    stored = passwd.read_text().strip().split(":", 1)[1]
    assert matches(PASSWORD, stored)
    assert not matches(PASSWORD + "x", stored)


def test_our_hash_has_mosquittos_shape_and_checks_out() -> None:
    stored = hash_for_mosquitto(PASSWORD)
    assert stored.startswith("$7$10000$")
    assert matches(PASSWORD, stored) and not matches("other-password-123", stored)
    assert hash_for_mosquitto(PASSWORD) != stored  # a new salt each time


@given(st.text(max_size=80))
def test_a_malformed_stored_hash_never_matches_and_never_raises(stored: str) -> None:
    assert matches(PASSWORD, stored) is False


def test_generated_passwords_are_long_random_and_safe_in_a_config_file() -> None:
    passwords = {generate_password() for _ in range(50)}
    assert len(passwords) == 50
    assert all(len(password) == 24 and password.replace("-", "").replace("_", "").isalnum() for password in passwords)


def test_devices_are_registered_listed_and_removed(registry: DeviceRegistry) -> None:
    registry.add("kiosk-t1-02", DeviceKind.KIOSK, " T1 Hall B ", PASSWORD)
    registry.add("gate-12", DeviceKind.SIGNAGE, "Gate 12", PASSWORD)
    assert [(d.device_id, d.kind, d.location) for d in registry.list()] == [
        ("gate-12", DeviceKind.SIGNAGE, "Gate 12"),
        ("kiosk-t1-02", DeviceKind.KIOSK, "T1 Hall B"),
    ]
    assert registry.remove("gate-12") and not registry.remove("gate-12")
    assert [d.device_id for d in registry.list()] == ["kiosk-t1-02"]


@pytest.mark.parametrize(
    ("device_id", "location", "password", "says"),
    [
        ("Kiosk_1", "", PASSWORD, "device id"),
        ("k" * 65, "", PASSWORD, "device id"),
        ("kiosk-1", "Hall\nB", PASSWORD, "location"),
        ("kiosk-1", "x" * 121, PASSWORD, "location"),
        ("kiosk-1", "", "short", "too short"),
        ("kiosk-1", "", "colon:inside-the-password", "without ':'"),
    ],
)
def test_bad_registrations_are_refused_with_the_reason(
    registry: DeviceRegistry, device_id: str, location: str, password: str, says: str
) -> None:
    with pytest.raises(RegistryError, match=says):
        registry.add(device_id, DeviceKind.KIOSK, location, password)
    assert registry.list() == []


def test_a_device_id_is_registered_once(registry: DeviceRegistry) -> None:
    registry.add("kiosk-1", DeviceKind.KIOSK, "", PASSWORD)
    with pytest.raises(RegistryError, match="already registered"):
        registry.add("kiosk-1", DeviceKind.SIGNAGE, "", PASSWORD)


def test_the_password_is_kept_only_as_a_hash(tmp_path: Path, place: Path | str, registry: DeviceRegistry) -> None:
    registry.add("kiosk-1", DeviceKind.KIOSK, "", PASSWORD)
    registry.set_password("kiosk-1", "the-new-password-456")
    [user] = registry.broker_users()
    assert matches("the-new-password-456", user.password_hash)
    if isinstance(place, str):
        with psycopg.connect(place) as db:
            raw = repr(db.execute("SELECT * FROM devices").fetchall()).encode()
        assert b"$7$" in raw
    else:
        raw = b"".join(path.read_bytes() for path in tmp_path.iterdir())
        assert place.stat().st_mode & 0o077 == 0
    assert PASSWORD.encode() not in raw and b"the-new-password-456" not in raw


def test_an_empty_registry_admits_everyone_and_a_filled_one_only_its_devices(place: Path | str) -> None:
    clock = FakeClock(0.0)
    registry = DeviceRegistry(place, recheck_s=1.0, clock=clock)
    other = DeviceRegistry(place)  # `central device add` in another process
    try:
        assert registry.admits("anyone") and not registry.enforcing
        other.add("kiosk-1", DeviceKind.KIOSK, "", PASSWORD)
        clock.now += 1.0
        assert registry.enforcing
        assert registry.admits("kiosk-1") and not registry.admits("anyone")
        other.remove("kiosk-1")
        other.add("kiosk-2", DeviceKind.KIOSK, "", PASSWORD)
        assert not registry.admits("kiosk-2")  # not re-read within recheck_s
        clock.now += 1.0
        assert registry.admits("kiosk-2") and not registry.admits("kiosk-1")
    finally:
        other.close()
        registry.close()


def test_a_registry_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "devices.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 99")
    with pytest.raises(RegistryError, match="newer"):
        DeviceRegistry(path)


def test_the_acl_lets_a_device_write_its_own_topics_and_read_only_what_it_needs() -> None:
    acl = acl_file(Topics("airport/HAK"), "central").splitlines()
    assert "user central" in acl and "topic readwrite airport/HAK/#" in acl
    writes = {line.split()[-1] for line in acl if line.startswith("pattern write")}
    reads = {line.split()[-1] for line in acl if line.startswith("pattern read")}
    assert writes == {
        f"airport/HAK/device/%u/{kind}" for kind in ("status", "health", "queue", "event", "cmd/reply", "call/out")
    }
    assert "airport/HAK/device/%u/cmd" in reads and "airport/HAK/device/%u/call/in" in reads
    assert not any(line.startswith("pattern readwrite") or "#" in line.split()[-1] for line in acl if "%u" in line)


def test_a_device_may_not_take_centrals_user_name() -> None:
    central = BrokerUser("central", hash_for_mosquitto(PASSWORD))
    with pytest.raises(BrokerConfigError, match="central's broker user"):
        passwd_file(central, [BrokerUser("central", hash_for_mosquitto(PASSWORD))])


def test_a_plaintext_listener_must_be_on_loopback(tmp_path: Path) -> None:
    with pytest.raises(BrokerConfigError, match="loopback"):
        mosquitto_conf(tmp_path, [Listener(1883, "0.0.0.0")])
    conf = mosquitto_conf(tmp_path, [Listener(1883, "127.0.0.1")], persistence_dir=None)
    assert "allow_anonymous false" in conf and "max_packet_size 8454144" in conf
    tls = mosquitto_conf(tmp_path, [Listener(8883, "", Path("c.pem"), Path("k.pem"))])
    assert "certfile c.pem" in tls and "keyfile k.pem" in tls and "persistence true" in tls
