"""The one place an agent's state changes, and the end of a consultation, which changes two agents' states."""

from __future__ import annotations

import logging

from central.switchboard.agents import SignedInAgent
from central.switchboard.console.events import ConsultEnded, ConsultEndReason, StateChanged
from central.switchboard.model import AgentState
from central.switchboard.state import SwitchboardState

log = logging.getLogger(__name__)


def set_state(
    sb: SwitchboardState, agent: SignedInAgent, new: AgentState, *, call_id: str | None = None, tell: bool = True
) -> None:
    """The one place an agent's state changes: idle orders, staffed counts and timers follow it."""
    old = agent.state
    if old is new:
        return
    if sb.agents.move(agent, new, sb.clock()):
        sb.dirty.update(agent.skills)  # N changed: every waiting caller's estimate did
    agent.call_id = call_id
    if new is not AgentState.WRAP_UP:
        agent.wrap_call_id = None
    sb.deadlines.cancel(agent.agent_id)
    sb.changed = True
    if tell:
        sb.send_agent(agent, StateChanged(state=new))
    log.info("agent %s: %s -> %s", agent.agent_id, old, new)


def drop_consult(sb: SwitchboardState, call_id: str, reason: ConsultEndReason) -> bool:
    """The consultation about the call, if any, is over: both consoles hear why, the colleague is free."""
    pair = sb.consults.pop(call_id, None)
    if pair is None:
        return False
    for agent_id in pair:
        agent = sb.agents.get(agent_id)
        if agent is not None:
            agent.consult_call = None
            sb.send_agent(agent, ConsultEnded(call=call_id, reason=reason))
    colleague = sb.agents.get(pair[1])
    if colleague is not None and colleague.state is AgentState.CONSULTING:
        colleague.idle_since = sb.clock()
        set_state(sb, colleague, AgentState.AVAILABLE)
    sb.changed = True
    return True
