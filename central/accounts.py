"""Agent accounts for the console sign-in: id, display name, skills and a scrypt password hash, in SQLite.

Passwords are stored as ``scrypt$n$r$p$salt_b64$hash_b64`` (scrypt with n=2**14, r=8, p=1 and a 16-byte
random salt; the string names its own parameters, so they can be raised later without breaking old
hashes). Neither a password nor a hash is ever logged or returned. Checking a password costs one scrypt
(about 50 ms), also for an unknown agent id, so timing does not tell which ids exist; run
:meth:`AgentAccounts.verify` in a worker thread (the class is safe to share between threads).
"""

from __future__ import annotations

import base64
import builtins
import hashlib
import hmac
import json
import logging
import re
import secrets
import sqlite3
import threading
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from bus.messages.base import AGENT_ID as AGENT_ID_PATTERN
from central.records.portable import DUPLICATE, Connection, PgConnection, open_postgres, pg_schema, postgres_url

log = logging.getLogger(__name__)

AGENT_ID = re.compile(AGENT_ID_PATTERN)
SKILL = re.compile(r"^[a-z0-9_-]{1,32}$")
MAX_NAME_CHARS = 200
MAX_SKILLS = 16
MIN_PASSWORD_CHARS = 10
# Far beyond any real password; keeps a request from making us hash megabytes.
MAX_PASSWORD_CHARS = 1024

SCRYPT_N = 2**17  # 128 MiB and ~0.4 s per check here: OWASP's scrypt minimum
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
HASH_BYTES = 32
# What a stored hash may ask for: headroom to raise the cost later (2x today's 128 MiB), not enough for a
# doctored row to make one check eat the machine's memory.
_MAX_N = 2**18
_MAX_R = 8
_MAX_P = 16

SCHEMA_VERSION = 3
_SCHEMA_V1 = """
CREATE TABLE agents (
    agent_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    skills TEXT NOT NULL,
    password TEXT NOT NULL,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
"""
# v2: what a person may do besides answering calls, and a counter that moves with every password change
# (sessions opened under an older one end).
_MIGRATE_TO_V2 = """
ALTER TABLE agents ADD COLUMN roles TEXT NOT NULL DEFAULT '["agent"]';
ALTER TABLE agents ADD COLUMN credential_version INTEGER NOT NULL DEFAULT 1;
CREATE TABLE displays (
    name TEXT PRIMARY KEY,
    token_sha256 TEXT NOT NULL UNIQUE,
    created_at REAL NOT NULL
);
"""
# v3: the department a person works in (follow-up cases are routed to departments); '' for none.
_MIGRATE_TO_V3 = """
ALTER TABLE agents ADD COLUMN department TEXT NOT NULL DEFAULT '';
"""
DEPARTMENT = re.compile(r"^([a-z][a-z0-9_]{0,31})?$")
# A wall display (the wallboard on a screen nobody signs in at) holds a long random token instead of a
# password; only its SHA-256 is kept (32 random bytes need no slow hash).
DISPLAY_TOKEN_BYTES = 32
DISPLAY_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
_COLUMNS = "agent_id, name, skills, roles, credential_version, department"


class Role(StrEnum):
    """What a signed-in person may do. An account has one or more."""

    AGENT = "agent"  # answers calls in the console
    SUPERVISOR = "supervisor"  # the wallboard, and later monitoring and reports
    FACILITIES = "facilities"  # the fleet page
    ADMIN = "admin"  # everything above


DEFAULT_ROLES = (Role.AGENT,)


class AccountError(ValueError):
    """An account change that cannot be made; the message names the problem, never the password."""


@dataclass(frozen=True, slots=True)
class Account:
    """An agent as the console and the switchboard know them (no password material)."""

    agent_id: str
    name: str
    skills: tuple[str, ...]
    roles: tuple[Role, ...] = DEFAULT_ROLES
    credential_version: int = 1
    department: str = ""

    def may(self, role: Role) -> bool:
        """Whether this account has ``role`` (an admin has every role)."""
        return role in self.roles or Role.ADMIN in self.roles


def _account(row: tuple[Any, ...]) -> Account:
    roles = tuple(Role(role) for role in json.loads(row[3]) if role in Role.__members__.values())
    return Account(row[0], row[1], tuple(json.loads(row[2])), roles, int(row[4]), str(row[5]))


def _normalised(password: str) -> bytes:
    # The same password typed on two keyboards (full-width digits, composed accents) must match.
    return unicodedata.normalize("NFKC", password).encode("utf-8")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str) -> str:
    """The self-describing scrypt string for ``password``, with a new random salt."""
    salt = secrets.token_bytes(SALT_BYTES)
    digest = hashlib.scrypt(
        _normalised(password),
        salt=salt,
        n=SCRYPT_N,
        r=SCRYPT_R,
        p=SCRYPT_P,
        dklen=HASH_BYTES,
        maxmem=129 * SCRYPT_R * (SCRYPT_N + SCRYPT_P + 2) + 2**20,
    )
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def check_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches ``stored``; False (not an error) for a malformed stored string."""
    try:
        scheme, n_text, r_text, p_text, salt_b64, digest_b64 = stored.split("$")
        n, r, p = int(n_text), int(r_text), int(p_text)
        salt = base64.b64decode(salt_b64, validate=True)
        expected = base64.b64decode(digest_b64, validate=True)
    except ValueError:
        return False
    if scheme != "scrypt" or not (1 < n <= _MAX_N and 0 < r <= _MAX_R and 0 < p <= _MAX_P) or not expected:
        return False
    try:
        digest = hashlib.scrypt(
            _normalised(password), salt=salt, n=n, r=r, p=p, dklen=len(expected), maxmem=129 * r * (n + p + 2) + 2**20
        )
    except ValueError:  # n not a power of two, or beyond what this OpenSSL allows
        return False
    return hmac.compare_digest(digest, expected)


def _check_new_password(password: str) -> None:
    length = len(unicodedata.normalize("NFKC", password))
    if length < MIN_PASSWORD_CHARS:
        raise AccountError(f"password too short: at least {MIN_PASSWORD_CHARS} characters")
    if length > MAX_PASSWORD_CHARS:
        raise AccountError(f"password too long: at most {MAX_PASSWORD_CHARS} characters")


def _check_agent_id(agent_id: str) -> None:
    if not AGENT_ID.fullmatch(agent_id):
        raise AccountError("agent id must be 1-64 of A-Z a-z 0-9 _ . -")


def _checked_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > MAX_NAME_CHARS:
        raise AccountError(f"name must be 1-{MAX_NAME_CHARS} characters")
    return name


def _checked_skills(skills: Iterable[str]) -> tuple[str, ...]:
    checked = tuple(dict.fromkeys(skills))
    if len(checked) > MAX_SKILLS or not all(SKILL.match(skill) for skill in checked):
        raise AccountError(f"skills must be at most {MAX_SKILLS} names of a-z 0-9 _ -")
    return checked


def _checked_department(department: str) -> str:
    if not DEPARTMENT.fullmatch(department):
        raise AccountError("department must be empty or 1-32 of a-z 0-9 _ (starting with a letter)")
    return department


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _checked_roles(roles: Iterable[Role | str]) -> tuple[Role, ...]:
    try:
        checked = tuple(dict.fromkeys(Role(role) for role in roles))
    except ValueError:
        raise AccountError(f"roles must be some of {', '.join(Role)}") from None
    if not checked:
        raise AccountError("an account needs at least one role")
    return checked


def _roles_json(roles: tuple[Role, ...]) -> str:
    return json.dumps([role.value for role in roles])


def _decoy() -> str:
    """Checked against when the agent id is unknown, so that such a check costs what a real one does; a
    random digest that no password produces, so it needs no scrypt of its own to make."""
    return (
        f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(secrets.token_bytes(SALT_BYTES))}"
        f"${_b64(secrets.token_bytes(HASH_BYTES))}"
    )


def _pg_steps(db: PgConnection, version: int) -> None:
    # the SQLite file's steps, one after another, in the one transaction that open_postgres holds
    for step, sql in enumerate((_SCHEMA_V1, _MIGRATE_TO_V2, _MIGRATE_TO_V3), start=1):
        if version < step:
            db.execute(pg_schema(sql))


class AgentAccounts:
    """Agent accounts in one SQLite file (WAL; schema version in ``PRAGMA user_version``), or in PostgreSQL
    when ``path`` is a ``postgresql://`` URL (schema version in ``schema_versions``)."""

    def __init__(self, path: Path | str) -> None:
        self._lock = threading.Lock()
        url = postgres_url(path)
        if url is not None:
            self._db: Connection = open_postgres(url, "accounts", SCHEMA_VERSION, _pg_steps, AccountError)
            self._decoy = _decoy()
            return
        sqlite_db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self._db = sqlite_db
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            (version,) = self._db.execute("PRAGMA user_version").fetchone()
            if version > SCHEMA_VERSION:
                raise AccountError(f"accounts schema {version} is newer than this program's ({SCHEMA_VERSION})")
            if version < 1:
                sqlite_db.executescript(f"BEGIN; {_SCHEMA_V1} PRAGMA user_version = 1; COMMIT;")
            if version < 2:
                sqlite_db.executescript(f"BEGIN; {_MIGRATE_TO_V2} PRAGMA user_version = 2; COMMIT;")
            if version < 3:
                sqlite_db.executescript(f"BEGIN; {_MIGRATE_TO_V3} PRAGMA user_version = 3; COMMIT;")
        except BaseException:
            self._db.close()
            raise
        self._decoy = _decoy()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def add(
        self,
        agent_id: str,
        name: str,
        skills: Iterable[str],
        password: str,
        roles: Iterable[Role | str] = DEFAULT_ROLES,
        department: str = "",
    ) -> Account:
        """A new account; refused if the id is taken or anything does not fit."""
        _check_agent_id(agent_id)
        account = Account(
            agent_id,
            _checked_name(name),
            _checked_skills(skills),
            _checked_roles(roles),
            department=_checked_department(department),
        )
        _check_new_password(password)
        stored = hash_password(password)
        now = time.time()
        with self._lock:
            try:
                self._db.execute(
                    "INSERT INTO agents (agent_id, name, skills, roles, password, created_at, updated_at, department) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        agent_id,
                        account.name,
                        json.dumps(account.skills),
                        _roles_json(account.roles),
                        stored,
                        now,
                        now,
                        account.department,
                    ),
                )
            except DUPLICATE:
                raise AccountError(f"agent {agent_id} already exists") from None
        log.info(
            "account %s added (roles %s, skills %s)",
            agent_id,
            ", ".join(account.roles),
            ", ".join(account.skills) or "none",
        )
        return account

    def verify(self, agent_id: str, password: str) -> Account | None:
        """The account if the password is right; None otherwise, after the same work either way."""
        row = None
        if AGENT_ID.fullmatch(agent_id):
            with self._lock:
                row = self._db.execute(
                    f"SELECT password, {_COLUMNS} FROM agents WHERE agent_id = ?",  # noqa: S608 (columns are ours)
                    (agent_id,),
                ).fetchone()
        if len(password) > MAX_PASSWORD_CHARS:
            password = ""  # still hashed below, so that a long guess costs and tells nothing more
        stored = row[0] if row is not None else self._decoy
        matches = check_password(password, stored)
        if row is None or not matches:
            return None
        return _account(row[1:])

    def get(self, agent_id: str) -> Account | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT {_COLUMNS} FROM agents WHERE agent_id = ?",  # noqa: S608 (columns are ours)
                (agent_id,),
            ).fetchone()
        return _account(row) if row is not None else None

    def set_password(self, agent_id: str, password: str) -> None:
        """A new password; every session opened with the old one ends (the credential version moves)."""
        _check_new_password(password)
        stored = hash_password(password)
        with self._lock:
            changed = self._db.execute(
                "UPDATE agents SET password = ?, credential_version = credential_version + 1, updated_at = ? "
                "WHERE agent_id = ?",
                (stored, time.time(), agent_id),
            ).rowcount
        if not changed:
            raise AccountError(f"no agent {agent_id}")
        log.info("account %s: password changed", agent_id)

    def update(
        self,
        agent_id: str,
        *,
        name: str | None = None,
        skills: Iterable[str] | None = None,
        roles: Iterable[Role | str] | None = None,
        department: str | None = None,
    ) -> Account:
        """Change the display name, the skills, the roles and/or the department."""
        if name is not None:
            self._update(agent_id, "name", _checked_name(name))
        if skills is not None:
            self._update(agent_id, "skills", json.dumps(_checked_skills(skills)))
        if roles is not None:
            self._update(agent_id, "roles", _roles_json(_checked_roles(roles)))
        if department is not None:
            self._update(agent_id, "department", _checked_department(department))
        account = self.get(agent_id)
        if account is None:
            raise AccountError(f"no agent {agent_id}")
        return account

    def remove(self, agent_id: str) -> bool:
        """Delete the account; False if there was none."""
        with self._lock:
            removed = self._db.execute("DELETE FROM agents WHERE agent_id = ?", (agent_id,)).rowcount > 0
        if removed:
            log.info("agent account %s removed", agent_id)
        return removed

    def list(self) -> builtins.list[Account]:
        """Every account, by id."""
        with self._lock:
            rows = self._db.execute(f"SELECT {_COLUMNS} FROM agents ORDER BY agent_id").fetchall()  # noqa: S608
        return [_account(row) for row in rows]

    # --- wall displays ---------------------------------------------------------------------------------

    def add_display(self, name: str) -> str:
        """A new wall display; returns its token (shown once: only its digest is kept)."""
        if not DISPLAY_NAME.fullmatch(name):
            raise AccountError("display name must be 1-64 of a-z 0-9 - (starting with a letter or digit)")
        token = secrets.token_urlsafe(DISPLAY_TOKEN_BYTES)
        with self._lock:
            try:
                self._db.execute(
                    "INSERT INTO displays (name, token_sha256, created_at) VALUES (?, ?, ?)",
                    (name, _token_digest(token), time.time()),
                )
            except DUPLICATE:
                raise AccountError(f"display {name} already exists") from None
        log.info("wall display %s added", name)
        return token

    def display_of(self, token: str | None) -> str | None:
        """The name of the display holding ``token``, or None."""
        if not token or len(token) > 200:
            return None
        with self._lock:
            row = self._db.execute(
                "SELECT name FROM displays WHERE token_sha256 = ?", (_token_digest(token),)
            ).fetchone()
        return str(row[0]) if row is not None else None

    def displays(self) -> builtins.list[str]:
        with self._lock:
            rows = self._db.execute("SELECT name FROM displays ORDER BY name").fetchall()
        return [str(row[0]) for row in rows]

    def remove_display(self, name: str) -> bool:
        """Delete a display: its screen is signed out at its next request."""
        with self._lock:
            removed = self._db.execute("DELETE FROM displays WHERE name = ?", (name,)).rowcount > 0
        if removed:
            log.info("wall display %s removed", name)
        return removed

    def _update(self, agent_id: str, column: str, value: str) -> None:
        with self._lock:
            changed = self._db.execute(
                f"UPDATE agents SET {column} = ?, updated_at = ? WHERE agent_id = ?",  # noqa: S608 (column is ours)
                (value, time.time(), agent_id),
            ).rowcount
        if not changed:
            raise AccountError(f"no agent {agent_id}")
