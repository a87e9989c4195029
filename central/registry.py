"""The device registry: which kiosks and displays belong to this site, where they stand, and the hash of
each one's broker password (in Mosquitto's format, for the generated ``passwd`` file).

Once the registry holds any device, ``central`` takes calls and fleet entries only from registered ids;
an empty registry is the zero-configuration demo on loopback. ``central device add|list|remove|password``
changes it from another process while ``central`` runs: :meth:`DeviceRegistry.is_registered` notices
(SQLite's ``data_version``) and re-reads, at most once per ``recheck_s``.
"""

from __future__ import annotations

import builtins
import logging
import re
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bus.messages.device import DeviceKind
from central.broker.passwords import hash_for_mosquitto
from central.records.portable import DUPLICATE, Connection, open_postgres, pg_schema, postgres_url
from central.records.postgres import is_postgres
from central.settings import CentralSettings
from config.sections import DEVICE_ID_PATTERN

log = logging.getLogger(__name__)

DEVICE_ID = re.compile(DEVICE_ID_PATTERN)
REGISTRY_FILE = "devices.sqlite3"
MAX_LOCATION_CHARS = 120
MIN_PASSWORD_CHARS = 16
MAX_PASSWORD_CHARS = 1024
SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE devices (
    device_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    location TEXT NOT NULL,
    broker_hash TEXT NOT NULL,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
"""


def registry_path(settings: CentralSettings) -> Path:
    """The device registry's file, in the state dir."""
    return settings.app.state_dir / REGISTRY_FILE


def registry_place(settings: CentralSettings) -> Path | str:
    """The device registry's file, or the PostgreSQL URL of ``[store] url`` when it names one."""
    return settings.store.url if is_postgres(settings.store.url) else registry_path(settings)


class RegistryError(ValueError):
    """A registry change that cannot be made; the message names the problem, never the password."""


@dataclass(frozen=True, slots=True)
class RegisteredDevice:
    device_id: str
    kind: DeviceKind
    location: str


@dataclass(frozen=True, slots=True)
class BrokerUser:
    """A user of the broker's password file: a name and its ``$7$`` hash."""

    name: str
    password_hash: str


class DeviceRegistry:
    """Registered devices in one SQLite file (WAL, created 0600), or in PostgreSQL when ``path`` is a
    ``postgresql://`` URL (schema version in ``schema_versions``)."""

    def __init__(self, path: Path | str, recheck_s: float = 1.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._lock = threading.Lock()
        url = postgres_url(path)
        self._on_postgres = url is not None
        if url is not None:
            self._db: Connection = open_postgres(
                url, "device registry", SCHEMA_VERSION, lambda db, _: db.execute(pg_schema(_SCHEMA)), RegistryError
            )
        else:
            self._db = _open_file(Path(path))
        self._recheck_s = recheck_s
        self._clock = clock
        self._known: frozenset[str] = frozenset()
        self._data_version = -1
        self._checked_at = float("-inf")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def add(self, device_id: str, kind: DeviceKind, location: str, password: str) -> RegisteredDevice:
        """Register a device with its broker password; refused if the id is taken or anything does not fit."""
        device = RegisteredDevice(_checked_id(device_id), DeviceKind(kind), _checked_location(location))
        stored = hash_for_mosquitto(_checked_password(password))
        now = time.time()
        with self._lock:
            try:
                self._db.execute(
                    "INSERT INTO devices (device_id, kind, location, broker_hash, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (device.device_id, device.kind.value, device.location, stored, now, now),
                )
            except DUPLICATE:
                raise RegistryError(f"device {device_id} is already registered") from None
        self._invalidate()
        log.info("device %s registered (%s at %r)", device.device_id, device.kind.value, device.location)
        return device

    def set_password(self, device_id: str, password: str) -> None:
        stored = hash_for_mosquitto(_checked_password(password))
        with self._lock:
            changed = self._db.execute(
                "UPDATE devices SET broker_hash = ?, updated_at = ? WHERE device_id = ?",
                (stored, time.time(), device_id),
            ).rowcount
        if not changed:
            raise RegistryError(f"no device {device_id}")
        log.info("device %s: broker password changed", device_id)

    def remove(self, device_id: str) -> bool:
        with self._lock:
            removed = self._db.execute("DELETE FROM devices WHERE device_id = ?", (device_id,)).rowcount > 0
        self._invalidate()
        if removed:
            log.info("device %s removed from the registry", device_id)
        return removed

    def get(self, device_id: str) -> RegisteredDevice | None:
        with self._lock:
            row = self._db.execute(
                "SELECT device_id, kind, location FROM devices WHERE device_id = ?", (device_id,)
            ).fetchone()
        return RegisteredDevice(row[0], DeviceKind(row[1]), row[2]) if row is not None else None

    def list(self) -> builtins.list[RegisteredDevice]:
        with self._lock:
            rows = self._db.execute("SELECT device_id, kind, location FROM devices ORDER BY device_id").fetchall()
        return [RegisteredDevice(row[0], DeviceKind(row[1]), row[2]) for row in rows]

    def broker_users(self) -> builtins.list[BrokerUser]:
        """Every device as a broker user, for the generated password file."""
        with self._lock:
            rows = self._db.execute("SELECT device_id, broker_hash FROM devices ORDER BY device_id").fetchall()
        return [BrokerUser(row[0], row[1]) for row in rows]

    def admits(self, device_id: str) -> bool:
        """Whether messages from ``device_id`` are taken: it is registered, or the registry is empty."""
        known = self._current()
        return not known or device_id in known

    @property
    def enforcing(self) -> bool:
        """True once any device is registered: from then on only registered devices are taken."""
        return bool(self._current())

    def _current(self) -> frozenset[str]:
        now = self._clock()
        if now - self._checked_at < self._recheck_s:
            return self._known
        with self._lock:
            self._checked_at = now
            # PostgreSQL has no data_version: its few rows are read again, at most once per recheck_s
            (data_version,) = (
                (self._data_version + 1,) if self._on_postgres else self._db.execute("PRAGMA data_version").fetchone()
            )
            if data_version != self._data_version:
                self._data_version = data_version
                rows = self._db.execute("SELECT device_id FROM devices").fetchall()
                self._known = frozenset(row[0] for row in rows)
        return self._known

    def _invalidate(self) -> None:
        # data_version moves only for other connections' commits, so our own writes say so themselves
        self._data_version = -1
        self._checked_at = float("-inf")


def _open_file(path: Path) -> sqlite3.Connection:
    if not path.exists():
        path.touch(mode=0o600)
    db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        (version,) = db.execute("PRAGMA user_version").fetchone()
        if version > SCHEMA_VERSION:
            raise RegistryError(f"device registry schema {version} is newer than this program's ({SCHEMA_VERSION})")
        if version < SCHEMA_VERSION:
            db.executescript(f"BEGIN; {_SCHEMA} PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;")
    except BaseException:
        db.close()
        raise
    return db


def _checked_id(device_id: str) -> str:
    if not DEVICE_ID.fullmatch(device_id):
        raise RegistryError("device id must be 1-64 of a-z 0-9 -")
    return device_id


def _checked_location(location: str) -> str:
    location = location.strip()
    if len(location) > MAX_LOCATION_CHARS or any(ch < " " for ch in location):
        raise RegistryError(f"location must be at most {MAX_LOCATION_CHARS} characters, no control characters")
    return location


def _checked_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_CHARS:
        raise RegistryError(f"broker password too short: at least {MIN_PASSWORD_CHARS} characters")
    if len(password) > MAX_PASSWORD_CHARS or any(ch in password for ch in ":\r\n"):
        raise RegistryError(f"broker password must be at most {MAX_PASSWORD_CHARS} characters, without ':' or newlines")
    return password
