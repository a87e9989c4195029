"""Sign-in sessions (random tokens with an expiry, in memory and, when given a file, on disk so that a
restart of ``central`` signs nobody out) and the login rate limit."""

from __future__ import annotations

import hashlib
import logging
import secrets
import sqlite3
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from central.records.portable import Connection, open_postgres, pg_schema, postgres_url
from central.records.sqlite import StoreError

SESSION_TTL_S = 12 * 3600.0
MAX_SESSIONS = 10_000
FREE_FAILURES = 5
BASE_BACKOFF_S = 2.0
MAX_BACKOFF_S = 15 * 60.0
MAX_ADDRESS_FAILURES = 50
FAILURE_WINDOW_S = 15 * 60.0
MAX_TRACKED_KEYS = 10_000

Clock = Callable[[], float]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AgentSession:
    """Who signed in, and until when the session is good."""

    agent_id: str
    expires_at: float
    credential_version: int = 1
    """The account's credential version at sign-in: a password change moves it and ends the session."""


def _digest(token: str) -> str:
    # Only a digest is kept, so a memory dump or a debug print of the table gives no usable cookie away.
    return hashlib.sha256(token.encode()).hexdigest()


_SESSIONS = (
    "CREATE TABLE IF NOT EXISTS sessions (digest TEXT PRIMARY KEY, agent_id TEXT NOT NULL, "
    "expires_at REAL NOT NULL, credential_version INTEGER NOT NULL)"
)
SESSIONS_SCHEMA_VERSION = 1


class SessionFile:
    """Sessions kept in SQLite (by token digest only), so they outlive a restart of central; in PostgreSQL
    when ``path`` is a ``postgresql://`` URL ([store] url)."""

    def __init__(self, path: Path | str) -> None:
        url = postgres_url(path)
        if url is not None:
            self._db: Connection = open_postgres(
                url, "sessions", SESSIONS_SCHEMA_VERSION, lambda db, _: db.execute(pg_schema(_SESSIONS)), StoreError
            )
            return
        path = Path(path)
        if not path.exists():
            path.touch(mode=0o600)
        self._db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self._db.execute(_SESSIONS)

    def load(self, now: float) -> dict[str, AgentSession]:
        self._db.execute("DELETE FROM sessions WHERE expires_at <= ?", (now,))
        rows = self._db.execute("SELECT digest, agent_id, expires_at, credential_version FROM sessions").fetchall()
        return {row[0]: AgentSession(row[1], float(row[2]), int(row[3])) for row in rows}

    def save(self, digest: str, session: AgentSession) -> None:
        self._db.execute(
            "INSERT INTO sessions (digest, agent_id, expires_at, credential_version) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (digest) DO UPDATE SET agent_id = excluded.agent_id, expires_at = excluded.expires_at, "
            "credential_version = excluded.credential_version",
            (digest, session.agent_id, session.expires_at, session.credential_version),
        )

    def delete(self, digests: list[str]) -> None:
        self._db.executemany("DELETE FROM sessions WHERE digest = ?", [(digest,) for digest in digests])

    def close(self) -> None:
        self._db.close()


class AgentSessions:
    """Sessions by token. A token is ``secrets.token_urlsafe(32)``; the table holds its SHA-256 only.
    With a :class:`SessionFile` every change is written through, and the sessions come back at start."""

    def __init__(self, ttl_s: float = SESSION_TTL_S, clock: Clock = time.time, file: SessionFile | None = None) -> None:
        self.ttl_s = ttl_s
        self._clock = clock
        self._file = file
        self._sessions: dict[str, AgentSession] = file.load(clock()) if file is not None else {}

    def __len__(self) -> int:
        return len(self._sessions)

    def open(self, agent_id: str, credential_version: int = 1) -> str:
        """A new session for ``agent_id``; returns its token (for the cookie)."""
        self._drop_expired()
        if len(self._sessions) >= MAX_SESSIONS:
            oldest = min(self._sessions, key=lambda key: self._sessions[key].expires_at)
            self._forget([oldest])
        token = secrets.token_urlsafe(32)
        session = AgentSession(agent_id, self._clock() + self.ttl_s, credential_version)
        self._sessions[_digest(token)] = session
        if self._file is not None:
            self._file.save(_digest(token), session)
        return token

    def get(self, token: str | None) -> AgentSession | None:
        """The live session of ``token``, or None (unknown, expired or no token)."""
        if not token or len(token) > 200:
            return None
        key = _digest(token)
        session = self._sessions.get(key)
        if session is None:
            return None
        if session.expires_at <= self._clock():
            self._forget([key])
            return None
        return session

    def close(self, token: str | None) -> AgentSession | None:
        """End the session of ``token``; returns it if it was live."""
        session = self.get(token)
        if session is not None and token is not None:
            self._forget([_digest(token)])
        return session

    def close_agent(self, agent_id: str) -> int:
        """End every session of one agent (their account was removed, or they signed in afresh and asked
        to end the others)."""
        return self.close_matching(lambda session: session.agent_id == agent_id)

    def close_matching(self, ended: Callable[[AgentSession], bool]) -> int:
        """End every session for which ``ended(session)`` holds; returns how many."""
        keys = [key for key, session in self._sessions.items() if ended(session)]
        self._forget(keys)
        return len(keys)

    def _drop_expired(self) -> None:
        now = self._clock()
        self._forget([key for key, session in self._sessions.items() if session.expires_at <= now])

    def _forget(self, keys: list[str]) -> None:
        for key in keys:
            self._sessions.pop(key, None)
        if keys and self._file is not None:
            self._file.delete(keys)


@dataclass
class _PairFailures:
    count: int
    last_at: float


class LoginThrottle:
    """Failed sign-ins, counted the moment an attempt starts (so that concurrent guesses cannot all pass
    the check before the first failure is recorded), and forgiven when the password was right.

    - Per (agent id, client address): ``free_failures`` failures are free; after that each further
      attempt waits ``base_backoff_s`` doubled per failure, up to ``max_backoff_s``. A guesser from one
      address slows down only their own attempts: the agent still signs in from their desk.
    - Per client address, over every agent id: ``max_address_failures`` in ``window_s`` blocks the address
      for the rest of the window (one address trying many agents).
    An agent id alone never blocks, so nobody can lock an agent out.
    """

    def __init__(
        self,
        free_failures: int = FREE_FAILURES,
        base_backoff_s: float = BASE_BACKOFF_S,
        max_backoff_s: float = MAX_BACKOFF_S,
        max_address_failures: int = MAX_ADDRESS_FAILURES,
        window_s: float = FAILURE_WINDOW_S,
        clock: Clock = time.monotonic,
    ) -> None:
        self.free_failures = free_failures
        self.base_backoff_s = base_backoff_s
        self.max_backoff_s = max_backoff_s
        self.max_address_failures = max_address_failures
        self.window_s = window_s
        self._clock = clock
        self._pairs: dict[tuple[str, str], _PairFailures] = {}
        self._addresses: dict[str, deque[float]] = {}

    def attempt(self, agent_id: str, address: str) -> float | None:
        """Start an attempt: None if it may go ahead (and it now counts as failed until
        :meth:`succeeded`), else the seconds to wait before the next one."""
        now = self._clock()
        pair = self._pairs.get((agent_id, address))
        if pair is not None and pair.count >= self.free_failures:
            ready_at = pair.last_at + self._backoff(pair.count)
            if now < ready_at:
                return ready_at - now
        recent = self._recent(address, now)
        if len(recent) >= self.max_address_failures:
            return recent[0] + self.window_s - now
        self._forget_quiet(now)
        if pair is None:
            pair = self._pairs[(agent_id, address)] = _PairFailures(0, now)
        pair.count += 1
        pair.last_at = now
        self._addresses.setdefault(address, deque()).append(now)
        return None

    def succeeded(self, agent_id: str, address: str) -> None:
        """The password was right: the pair starts afresh and this attempt no longer counts for the address."""
        self._pairs.pop((agent_id, address), None)
        times = self._addresses.get(address)
        if times:
            times.pop()

    def _backoff(self, count: int) -> float:
        return float(min(self.max_backoff_s, self.base_backoff_s * 2.0 ** (count - self.free_failures)))

    def _recent(self, address: str, now: float) -> deque[float]:
        times = self._addresses.get(address)
        if times is None:
            return deque()
        while times and times[0] <= now - self.window_s:
            times.popleft()
        if not times:
            del self._addresses[address]
        return times

    def _forget_quiet(self, now: float) -> None:
        # keys come from the network: rather than grow without bound, forget the ones gone quiet
        if len(self._pairs) + len(self._addresses) < MAX_TRACKED_KEYS:
            return
        quiet_after = self.max_backoff_s + self.window_s
        for key in [key for key, pair in self._pairs.items() if now - pair.last_at > quiet_after]:
            del self._pairs[key]
        for address in list(self._addresses):
            self._recent(address, now)
        if len(self._pairs) + len(self._addresses) >= MAX_TRACKED_KEYS:
            log.warning("sign-in throttle full (%d keys): forgetting every failure", MAX_TRACKED_KEYS)
            self._pairs.clear()
            self._addresses.clear()
