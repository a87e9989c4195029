"""Blind transfer: an agent passes the call they are on to a queue (skill) or to a named available agent.

- The caller is told ``transfer`` (their screen says "connecting you to a specialist"); they keep their
  call id and are never dropped: whatever goes wrong later, the call waits at the head of a queue.
- To a queue: the call goes to the head of that skill's queue (its arrival time is kept, so it is also
  the oldest there) and is routed as usual; the record keeps the skill it arrived in.
- To an agent: that agent rings at once. If they decline or the ring times out, the call goes to the head
  of the queue it was in, like any unanswered ring.
- The first agent's part of the call (a leg) is over: they go to wrap-up with nothing left to record
  (the disposition is left to whoever closes the call), so "available" ends it at once; until then the
  call they passed on cannot bounce straight back to them. The note of the disposition they saved during
  the call goes to the next agent with the passenger's context.
- Refused, and nothing changes: ``not_your_call`` (the call just ended, or is not theirs),
  ``choose_queue_or_agent``, ``unknown_skill``, ``nobody_signed_in`` (an empty queue: nobody else is
  signed in with that skill, not even away), ``agent_gone`` (not signed in any more), ``agent_busy`` (not available),
  ``same_agent``, ``consulting`` (during a consultation: hand over or take back first), ``phone_call``
  (a caller on a phone: its page cannot take a second agent yet).
"""

from __future__ import annotations

import logging

from bus.messages.call import Transfer
from central.switchboard.agents import SignedInAgent
from central.switchboard.console.events import Transferred
from central.switchboard.model import PHONE_KIND, AgentState, LegEnd, LivePhase, Refused
from central.switchboard.state import ActiveCall, HandedNote, SwitchboardState
from central.switchboard.transitions import close_leg, free_after_passing_on, ring

log = logging.getLogger(__name__)


def transfer(sb: SwitchboardState, agent_id: str, call_id: str, skill: str | None, to_agent: str | None) -> None:
    agent = sb.signed_in(agent_id)
    if agent.state is not AgentState.ON_CALL or agent.call_id != call_id or call_id not in sb.calls:
        raise Refused("not_your_call")
    if (skill is None) == (to_agent is None):
        raise Refused("choose_queue_or_agent")
    call = sb.calls[call_id]
    if call_id in sb.consults:
        raise Refused("consulting")  # hand over to the colleague, or take the call back first
    if call.caller_kind == PHONE_KIND:
        # The phone page makes one peer connection per call and knows no ``transfer`` yet: refused, the
        # call goes on as it is, rather than a second connection beside the first.
        raise Refused("phone_call")
    target: SignedInAgent | None = None
    if to_agent is not None:
        target = _available_agent(sb, agent, to_agent)
    else:
        assert skill is not None
        _staffed_queue(sb, agent, skill)
    sb.send_agent(agent, Transferred(call=call_id, skill=skill, agent=to_agent))  # before its new state
    _pass_on(sb, agent, call)
    if target is not None:
        ring(sb, call, target)
        log.info("call %s: passed by %s to %s", call_id, agent_id, to_agent)
    else:
        assert skill is not None
        call.skill = skill
        sb.queues[skill].put_back(call_id, call.arrived_at)
        sb.dirty.add(skill)
        log.info("call %s: passed by %s to the head of the %s queue", call_id, agent_id, skill)


def _available_agent(sb: SwitchboardState, agent: SignedInAgent, to_agent: str) -> SignedInAgent:
    if to_agent == agent.agent_id:
        raise Refused("same_agent")
    target = sb.agents.get(to_agent)
    if target is None:
        raise Refused("agent_gone")
    if target.state is not AgentState.AVAILABLE:
        raise Refused("agent_busy")
    return target


def _staffed_queue(sb: SwitchboardState, agent: SignedInAgent, skill: str) -> None:
    if skill not in sb.queues:
        raise Refused("unknown_skill")
    # Away counts: a break ends, and the call waits at the head meanwhile. Nobody at all signed in for
    # the skill is an empty queue, where the caller would wait for nobody.
    if not any(other is not agent and skill in other.skills for other in sb.agents):
        raise Refused("nobody_signed_in")


def _pass_on(sb: SwitchboardState, agent: SignedInAgent, call: ActiveCall) -> None:
    """The agent's leg ends; the caller is told and waits; the agent is free at once."""
    now = sb.clock()
    close_leg(call, now, LegEnd.TRANSFERRED)
    call.transfers += 1
    note = call.disposition.note if call.disposition is not None else ""
    call.handed_note = HandedNote(from_agent=agent.card.name or agent.agent_id, note=note)
    call.disposition = None  # first-contact resolution is recorded by whoever closes the call
    call.phase = LivePhase.WAITING
    sb.touched.add(call.call_id)
    call.agent_id = None
    call.sent_position = None  # the caller hears its new place at the next telling
    call.sent_eta_s = None
    sb.send_caller(call, Transfer(call=call.call_id))
    sb.changed = True
    free_after_passing_on(sb, agent)
