"""A switchboard on a fake clock, with callers and agent consoles that keep what they were sent."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bus.messages.call import CallContext, CallRequest, Ended, Queued
from central.switchboard import (
    AgentEvent,
    AgentState,
    CallerMessage,
    LivePhase,
    MemoryCallStore,
    Switchboard,
    SwitchboardSettings,
)
from central.switchboard.console.wire import as_json
from tests.peers.clock import FakeClock


class Caller:
    """A caller channel that keeps what it was sent."""

    def __init__(self, caller_id: str, kind: str = "device") -> None:
        self.caller_id = caller_id
        self.kind = kind
        self.messages: list[CallerMessage] = []

    def send(self, message: CallerMessage) -> None:
        self.messages.append(message)

    @property
    def last(self) -> CallerMessage:
        return self.messages[-1]

    def queued(self) -> list[tuple[int, float | None]]:
        return [(m.position, m.eta_s) for m in self.messages if isinstance(m, Queued)]

    def ended(self) -> list[Ended]:
        return [m for m in self.messages if isinstance(m, Ended)]


class Console:
    """An agent channel that keeps what it was sent, as the console's socket would carry it (JSON)."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def send(self, event: AgentEvent) -> None:
        self.events.append(as_json(event))

    def types(self) -> list[str]:
        return [e["type"] for e in self.events]

    def last(self, kind: str) -> dict[str, Any]:
        return [e for e in self.events if e["type"] == kind][-1]


class Board:
    """A switchboard on a fake clock and a memory store, with callers and consoles by id."""

    def __init__(self, **settings: Any) -> None:
        self.clock = FakeClock()
        self.store = MemoryCallStore()
        self.settings = SwitchboardSettings(**settings)
        self.sb = Switchboard(self.settings, self.clock, self.store)
        self.callers: dict[str, Caller] = {}
        self.consoles: dict[str, Console] = {}
        self._calls = 0

    def call(self, caller_id: str, language: str = "zh-CN", skills: Iterable[str] = (), **context: str) -> str:
        """A new request from ``caller_id``; returns the call id."""
        self._calls += 1
        call_id = f"{caller_id}-{self._calls}"
        caller = self.callers.setdefault(caller_id, Caller(caller_id))
        self.sb.request(
            caller, CallRequest(call=call_id, language=language, skills=list(skills), context=CallContext(**context))
        )
        return call_id

    def agent(self, agent_id: str, skills: Iterable[str] = ("zh", "en"), available: bool = True) -> Console:
        console = Console()
        self.consoles[agent_id] = console
        self.sb.agent_sign_in(agent_id, agent_id.title(), list(skills), console)
        if available:
            self.sb.agent_presence(agent_id, True)
        return console

    def advance(self, seconds: float) -> None:
        """Let time pass, firing every deadline on the way as the adapter would."""
        end = self.clock.now + seconds
        while (deadline := self.sb.next_deadline()) is not None and deadline <= end:
            self.clock.now = max(self.clock.now, deadline)
            self.sb.tick()
        self.clock.now = end
        self.sb.tick()

    def ringing(self, agent_id: str) -> str:
        ring = self.consoles[agent_id].last("ring")
        assert self.sb.agent_state(agent_id) is AgentState.RINGING
        return str(ring["call"])

    def connect(self, agent_id: str) -> str:
        call_id = self.ringing(agent_id)
        self.sb.agent_accept(agent_id, call_id)
        return call_id

    def phase(self, call_id: str) -> LivePhase | None:
        return next((c.phase for c in self.sb.live_calls() if c.call_id == call_id), None)
