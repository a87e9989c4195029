"""Consultation (a warm transfer): the agent on a call talks to a colleague first, then hands the call over
or takes it back.

- ``consult``: the agent on the call (``on_call``) asks an ``available`` colleague, who becomes
  ``consulting`` at once (no ring: a colleague's question, not a passenger's call). Both consoles hear
  ``consult``; the caller hears ``hold`` and keeps its connection with its media held. The two consoles
  make their own peer connection, signalled through ``consult_signal`` (the asking console offers).
- ``hand_over``: the colleague gets the call: the first agent's leg ends (``handed_over``), the caller
  hears ``transfer`` then ``connect`` with the colleague, whose console hears ``connected`` with the first
  agent's name and note; the first agent goes to wrap-up with nothing to record, as after a transfer.
- ``take_back``: the colleague is ``available`` again, the caller hears ``resume``.
- The call ending, either console going, or the colleague leaving ends the consultation: whoever is left
  hears ``consult_ended`` and the caller, if its call goes on, ``resume``.
- Refused, and nothing changes: ``not_your_call``, ``consulting`` (one consultation per call; no transfer
  during one), ``not_consulting``, ``agent_gone``, ``agent_busy``, ``same_agent``, ``phone_call``.
"""

from __future__ import annotations

import logging
from typing import Literal

from bus.messages.call import Connect, Hold, Resume, Transfer
from central.switchboard.agents import SignedInAgent
from central.switchboard.console.events import (
    Connected,
    Consult,
    ConsultEnded,
    ConsultEndReason,
    ConsultRole,
    ConsultSignal,
)
from central.switchboard.model import PHONE_KIND, AgentState, LegEnd, Refused
from central.switchboard.state import ActiveCall, HandedNote, SwitchboardState
from central.switchboard.transitions import close_leg, details, drop_consult, free_after_passing_on, set_state

log = logging.getLogger(__name__)


def consult(sb: SwitchboardState, agent_id: str, call_id: str, to: str) -> None:
    agent, call = _on_call(sb, agent_id, call_id)
    if call_id in sb.consults:
        raise Refused("consulting")
    if call.caller_kind == PHONE_KIND:
        raise Refused("phone_call")
    if to == agent_id:
        raise Refused("same_agent")
    colleague = sb.agents.get(to)
    if colleague is None:
        raise Refused("agent_gone")
    if colleague.state is not AgentState.AVAILABLE:
        raise Refused("agent_busy")
    sb.consults[call_id] = (agent_id, to)
    agent.consult_call = colleague.consult_call = call_id
    set_state(sb, colleague, AgentState.CONSULTING)
    note = call.disposition.note if call.disposition is not None else ""
    name = agent.card.name or agent_id
    sb.send_agent(
        colleague,
        Consult(
            call=call_id, role=ConsultRole.CONSULTED, agent=agent_id, name=name, handed_note=note, context=call.context
        ),
    )
    sb.send_agent(agent, Consult(call=call_id, role=ConsultRole.CONSULTING, agent=to, name=colleague.card.name or to))
    sb.send_caller(call, Hold(call=call_id))
    sb.changed = True
    log.info("call %s: %s consults %s", call_id, agent_id, to)


def signal(sb: SwitchboardState, agent_id: str, call_id: str, kind: Literal["offer", "answer"], sdp: str) -> None:
    """Relay one console's SDP for the consoles' own connection to the other console."""
    pair = sb.consults.get(call_id)
    if pair is None or agent_id not in pair:
        raise Refused("not_consulting")
    other = pair[1] if agent_id == pair[0] else pair[0]
    sb.send_agent(sb.agents[other], ConsultSignal(call=call_id, kind=kind, sdp=sdp))


def hand_over(sb: SwitchboardState, agent_id: str, call_id: str) -> None:
    agent, call = _on_call(sb, agent_id, call_id)
    pair = sb.consults.get(call_id)
    if pair is None:
        raise Refused("not_consulting")
    colleague = sb.agents[pair[1]]
    del sb.consults[call_id]
    agent.consult_call = colleague.consult_call = None
    now = sb.clock()
    close_leg(call, now, LegEnd.HANDED_OVER)
    call.transfers += 1
    note = call.disposition.note if call.disposition is not None else ""
    call.handed_note = HandedNote(from_agent=agent.card.name or agent_id, note=note)
    call.disposition = None
    call.agent_id = colleague.agent_id
    call.leg_answered_at = now
    for who in (agent, colleague):
        sb.send_agent(who, ConsultEnded(call=call_id, reason=ConsultEndReason.HANDED_OVER))
    # the caller closes its connection to the first agent and offers one to the colleague
    sb.send_caller(call, Transfer(call=call_id))
    sb.send_caller(call, Connect(call=call_id, agent=colleague.card, ice_servers=list(sb.settings.ice_servers)))
    colleague.ready_asked = colleague.away_after_call = False
    set_state(sb, colleague, AgentState.ON_CALL, call_id=call_id)
    sb.send_agent(colleague, Connected(**dict(details(call, now))))
    free_after_passing_on(sb, agent)
    log.info("call %s: handed over by %s to %s", call_id, agent_id, colleague.agent_id)


def take_back(sb: SwitchboardState, agent_id: str, call_id: str) -> None:
    _, call = _on_call(sb, agent_id, call_id)
    if call_id not in sb.consults:
        raise Refused("not_consulting")
    end(sb, call, ConsultEndReason.TAKEN_BACK)


def leave(sb: SwitchboardState, agent_id: str, call_id: str) -> None:
    """The consulted colleague ends the consultation; the first agent keeps the call."""
    pair = sb.consults.get(call_id)
    if pair is None or pair[1] != agent_id:
        raise Refused("not_consulting")
    end(sb, sb.calls[call_id], ConsultEndReason.LEFT)


def end(sb: SwitchboardState, call: ActiveCall, reason: ConsultEndReason) -> None:
    """The consultation about ``call`` is over; the call stays with its first agent, the caller is back."""
    if drop_consult(sb, call.call_id, reason):
        sb.send_caller(call, Resume(call=call.call_id))
        log.info("call %s: consultation over (%s)", call.call_id, reason)


def _on_call(sb: SwitchboardState, agent_id: str, call_id: str) -> tuple[SignedInAgent, ActiveCall]:
    agent = sb.signed_in(agent_id)
    if agent.state is not AgentState.ON_CALL or agent.call_id != call_id or call_id not in sb.calls:
        raise Refused("not_your_call")
    return agent, sb.calls[call_id]
