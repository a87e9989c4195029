"""Agent sign-in sessions (random tokens with an expiry, kept in memory) and the login rate limit."""

from __future__ import annotations

import hashlib
import secrets
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

SESSION_TTL_S = 12 * 3600.0
MAX_SESSIONS = 10_000
FAILURE_WINDOW_S = 60.0
MAX_FAILURES = 5
MAX_TRACKED_KEYS = 10_000

Clock = Callable[[], float]


@dataclass(frozen=True, slots=True)
class AgentSession:
    """Who signed in, and until when the session is good."""

    agent_id: str
    expires_at: float


def _digest(token: str) -> str:
    # Only a digest is kept, so a memory dump or a debug print of the table gives no usable cookie away.
    return hashlib.sha256(token.encode()).hexdigest()


class AgentSessions:
    """Sessions by token. A token is ``secrets.token_urlsafe(32)``; the table holds its SHA-256 only."""

    def __init__(self, ttl_s: float = SESSION_TTL_S, clock: Clock = time.monotonic) -> None:
        self.ttl_s = ttl_s
        self._clock = clock
        self._sessions: dict[str, AgentSession] = {}

    def __len__(self) -> int:
        return len(self._sessions)

    def open(self, agent_id: str) -> str:
        """A new session for ``agent_id``; returns its token (for the cookie)."""
        self._drop_expired()
        if len(self._sessions) >= MAX_SESSIONS:
            oldest = min(self._sessions, key=lambda key: self._sessions[key].expires_at)
            del self._sessions[oldest]
        token = secrets.token_urlsafe(32)
        self._sessions[_digest(token)] = AgentSession(agent_id, self._clock() + self.ttl_s)
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
            del self._sessions[key]
            return None
        return session

    def close(self, token: str | None) -> AgentSession | None:
        """End the session of ``token``; returns it if it was live."""
        session = self.get(token)
        if session is not None and token is not None:
            self._sessions.pop(_digest(token), None)
        return session

    def close_agent(self, agent_id: str) -> int:
        """End every session of one agent (their account was removed or their password changed)."""
        keys = [key for key, session in self._sessions.items() if session.agent_id == agent_id]
        for key in keys:
            del self._sessions[key]
        return len(keys)

    def _drop_expired(self) -> None:
        now = self._clock()
        for key in [key for key, session in self._sessions.items() if session.expires_at <= now]:
            del self._sessions[key]


class LoginThrottle:
    """At most ``max_failures`` failed logins per key (an agent id, a remote address) in ``window_s``."""

    def __init__(
        self, max_failures: int = MAX_FAILURES, window_s: float = FAILURE_WINDOW_S, clock: Clock = time.monotonic
    ) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}

    def blocked(self, *keys: str) -> bool:
        """Whether any of ``keys`` has used up its failures for now."""
        now = self._clock()
        return any(len(self._recent(key, now)) >= self.max_failures for key in keys)

    def failed(self, *keys: str) -> None:
        now = self._clock()
        if len(self._failures) >= MAX_TRACKED_KEYS:
            # keys come from the network: rather than grow without bound, forget the quiet ones
            for key in list(self._failures):
                self._recent(key, now)  # drops the key once its failures are all old
            if len(self._failures) >= MAX_TRACKED_KEYS:
                self._failures.clear()
        for key in keys:
            self._failures.setdefault(key, deque()).append(now)

    def succeeded(self, agent_key: str) -> None:
        """A good password clears the agent's own count (not the address's: one good login does not
        excuse guesses at other accounts from there)."""
        self._failures.pop(agent_key, None)

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.get(key)
        if times is None:
            return deque()
        while times and times[0] <= now - self.window_s:
            times.popleft()
        if not times:
            del self._failures[key]
        return times
