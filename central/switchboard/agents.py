"""The signed-in agents: their states, who is idle for each skill (longest first), how many are staffed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from bus.messages.call import Agent
from central.switchboard.model import STAFFED_STATES, AgentChannel, AgentState
from central.switchboard.queues import IdleAgents


@dataclass(slots=True, eq=False)
class SignedInAgent:
    """One agent's console session and where they are."""

    agent_id: str
    card: Agent  # id and display name, as the caller is shown them in ``connect``
    skills: frozenset[str]
    channel: AgentChannel
    since: float  # when they entered ``state``
    state: AgentState = AgentState.OFFLINE
    idle_since: float = 0.0  # when they last became available; their place in the idle order
    call_id: str | None = None  # ringing or on call
    wrap_call_id: str | None = None
    wrap_disposed: bool = False
    ready_asked: bool = False  # set available during the call or wrap-up: leave wrap-up once disposed
    away_after_call: bool = False  # set away during the call: wrap-up ends in away, not available
    consult_call: str | None = None  # the call this agent is consulting about (either side)


class AgentRoster:
    """Agents by id, with the orders and counts that routing and the expected wait need kept current."""

    def __init__(self, skills: Iterable[str]) -> None:
        self._agents: dict[str, SignedInAgent] = {}
        self._idle = {skill: IdleAgents() for skill in skills}
        self._staffed: Counter[str] = Counter()
        self._by_state: Counter[AgentState] = Counter()

    def __iter__(self) -> Iterator[SignedInAgent]:
        return iter(self._agents.values())

    def get(self, agent_id: str) -> SignedInAgent | None:
        return self._agents.get(agent_id)

    def __getitem__(self, agent_id: str) -> SignedInAgent:
        return self._agents[agent_id]

    def add(self, agent: SignedInAgent) -> None:
        """A new session, still ``offline``: :meth:`move` it to ``away``."""
        self._agents[agent.agent_id] = agent

    def remove(self, agent: SignedInAgent) -> None:
        """Forget a session that was moved to ``offline``."""
        assert agent.state is AgentState.OFFLINE
        del self._agents[agent.agent_id]

    def move(self, agent: SignedInAgent, new: AgentState, now: float) -> bool:
        """Put ``agent`` in state ``new``; returns whether that changed the staffed count of their skills."""
        old = agent.state
        if old is AgentState.AVAILABLE:
            for skill in agent.skills:
                self._idle[skill].discard(agent.agent_id)
        if new is AgentState.AVAILABLE:
            for skill in agent.skills:
                self._idle[skill].add(agent.agent_id, agent.idle_since)
        staffing_changed = (old in STAFFED_STATES) != (new in STAFFED_STATES)
        if staffing_changed:
            delta = 1 if new in STAFFED_STATES else -1
            for skill in agent.skills:
                self._staffed[skill] += delta
        if old is not AgentState.OFFLINE:
            self._by_state[old] -= 1
        if new is not AgentState.OFFLINE:
            self._by_state[new] += 1
        agent.state = new
        agent.since = now
        return staffing_changed

    def idle(self, skill: str) -> IdleAgents:
        """The available agents with ``skill``, longest idle first."""
        return self._idle[skill]

    def staffed(self, skill: str) -> int:
        """Agents with ``skill`` who are signed in and not away."""
        return self._staffed[skill]

    def count(self, state: AgentState) -> int:
        return self._by_state[state]

    def staffed_total(self) -> int:
        return sum(self._by_state[state] for state in STAFFED_STATES)
