"""Calls that have not ended, kept where a restarted ``central`` finds them again (docs/faults.md).

Waiting callers must keep their places, and calls in progress (peer to peer, central is not in the
media path) must still be recorded when they end, when ``central`` is killed and started again. The
switchboard notes which calls changed in a step (:attr:`SwitchboardState.touched`) and writes only
those when the step settles: one small write per arrival, answer, transfer and end, never the whole
queue. This module is the interface and an in-memory store; the SQLite file and the PostgreSQL table
behind the same interface are :class:`central.live_calls.SqliteLiveCalls` and ``PgLiveCalls``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from central.switchboard.model import CallLeg, LivePhase


@dataclass(frozen=True, slots=True, kw_only=True)
class SavedCall:
    """What a restarted switchboard needs of one live call. A ringing call is saved as waiting: the ring
    died with the old process, and the call goes back to its place."""

    call_id: str
    caller_id: str
    caller_kind: str
    skill: str
    arrived_skill: str
    language: str
    context_json: str
    """The passenger's :class:`~bus.messages.call.CallContext` as JSON (shown to the next agent)."""
    arrived_at: float
    order: float
    """Its place in its queue: smaller is nearer the head (calls put back get ever smaller ones)."""
    connected: bool = False
    agent_id: str | None = None
    answered_at: float | None = None
    leg_answered_at: float | None = None
    legs: tuple[CallLeg, ...] = ()
    transfers: int = 0

    @property
    def phase(self) -> LivePhase:
        return LivePhase.CONNECTED if self.connected else LivePhase.WAITING


class LiveCallStore(Protocol):
    """Where live calls are kept between runs of ``central``."""

    def write(self, saved: Iterable[SavedCall], ended: Iterable[str]) -> None:
        """Insert or replace ``saved`` and forget the calls ``ended``, together (one transaction)."""
        ...

    def load(self) -> list[SavedCall]:
        """Every call saved and not ended, in no particular order."""
        ...

    def close(self) -> None: ...


class MemoryLiveCalls:
    """Live calls in a dict; for tests and benchmarks (and a switchboard that need not survive a restart)."""

    def __init__(self) -> None:
        self._calls: dict[str, SavedCall] = {}
        self.writes = 0

    def __len__(self) -> int:
        return len(self._calls)

    def write(self, saved: Iterable[SavedCall], ended: Iterable[str]) -> None:
        self.writes += 1
        for call_id in ended:
            self._calls.pop(call_id, None)
        for call in saved:
            self._calls[call.call_id] = call

    def load(self) -> list[SavedCall]:
        return list(self._calls.values())

    def close(self) -> None:
        pass
