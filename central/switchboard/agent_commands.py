"""What agents ask of the switchboard from their consoles, and a console that is lost.

- Signing out is refused during a call; while ringing, the call goes back to the head of its queue. A
  second sign-in of the same agent drops the first session as if its console were lost; a late lost
  console for the old session is ignored when it names that console's channel.
- Skills an agent's account names that the site does not have are ignored.
- Wrap-up ends after ``wrap_up_s``, or as soon as the disposition is in and the agent has set themselves
  available (in either order). Away during wrap-up ends it at once; available or away during a call says
  how wrap-up will end. A disposition is taken once per answered call, from its agent, during the call or
  at any time after it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Literal

from pydantic import ValidationError

from bus.messages.base import AGENT_ID
from bus.messages.call import Agent, Connect, EndReason, SdpAnswer, SdpOffer
from central.switchboard import keeping
from central.switchboard.agents import SignedInAgent
from central.switchboard.console.events import (
    Connected,
    DispositionSaved,
    RingCancelReason,
    SignedIn,
    SignedOut,
    SignOutReason,
)
from central.switchboard.console.messages import MAX_NOTE_CHARS
from central.switchboard.model import AgentChannel, AgentState, LivePhase, Outcome, Refused
from central.switchboard.state import DispositionNote, SwitchboardState
from central.switchboard.transitions import (
    details,
    end_connected,
    leave_wrap_up,
    remove_agent,
    set_state,
    unring,
    update_record,
)

log = logging.getLogger(__name__)

_AGENT_ID = re.compile(AGENT_ID)


def sign_in(sb: SwitchboardState, agent_id: str, name: str, skills: Iterable[str], channel: AgentChannel) -> None:
    if not _AGENT_ID.fullmatch(agent_id):
        raise Refused("bad_agent_id")
    try:
        card = Agent(id=agent_id, name=name)
    except ValidationError:
        raise Refused("bad_name") from None
    old = sb.agents.get(agent_id)
    if old is not None:
        remove_agent(sb, old, farewell=SignedOut(reason=SignOutReason.REPLACED))
        log.info("agent %s: signed in again elsewhere; the old console is dropped", agent_id)
    known = frozenset(skill for skill in skills if skill in sb.queues)
    agent = SignedInAgent(agent_id=agent_id, card=card, skills=known, channel=channel, since=sb.clock())
    sb.agents.add(agent)
    settings = sb.settings
    sb.send_agent(
        agent,
        SignedIn(
            agent=agent_id,
            name=name,
            skills=list(known),
            categories=list(settings.categories),
            ring_timeout_s=settings.ring_timeout_s,
            wrap_up_s=settings.wrap_up_s,
            site_skills=list(settings.skills),
        ),
    )
    if not keeping.rejoin(sb, agent):  # their call went on while central restarted: straight back on it
        set_state(sb, agent, AgentState.AWAY)


def sign_out(sb: SwitchboardState, agent_id: str) -> None:
    agent = sb.signed_in(agent_id)
    if agent.state is AgentState.ON_CALL:
        raise Refused("on_call")
    remove_agent(sb, agent, farewell=SignedOut(reason=SignOutReason.SIGNED_OUT))


def lost(sb: SwitchboardState, agent_id: str, channel: AgentChannel | None) -> None:
    agent = sb.agents.get(agent_id)
    if agent is None or (channel is not None and channel is not agent.channel):
        return
    log.info("agent %s: console lost in state %s", agent_id, agent.state)
    remove_agent(sb, agent, farewell=None)


def presence(sb: SwitchboardState, agent_id: str, available: bool) -> None:
    agent = sb.signed_in(agent_id)
    state = agent.state
    if state is AgentState.AWAY and available:
        agent.idle_since = sb.clock()
        set_state(sb, agent, AgentState.AVAILABLE)
    elif state is AgentState.AVAILABLE and not available:
        set_state(sb, agent, AgentState.AWAY)
    elif state is AgentState.RINGING and not available:
        unring(sb, agent, RingCancelReason.DECLINED)
    elif state is AgentState.ON_CALL:
        agent.ready_asked = available
        agent.away_after_call = not available
    elif state is AgentState.WRAP_UP:
        agent.ready_asked = available
        agent.away_after_call = not available
        if not available or agent.wrap_disposed:
            leave_wrap_up(sb, agent)


def accept(sb: SwitchboardState, agent_id: str, call_id: str) -> None:
    agent = _ringing(sb, agent_id, call_id)
    call = sb.calls[call_id]
    now = sb.clock()
    call.phase = LivePhase.CONNECTED
    sb.touched.add(call_id)
    if call.answered_at is None:  # a call passed on keeps its first answer: it is answered once
        call.answered_at = now
    call.leg_answered_at = now
    del sb.ringing[call.skill][call_id]
    agent.ready_asked = agent.away_after_call = False
    set_state(sb, agent, AgentState.ON_CALL, call_id=call_id)
    sb.send_caller(call, Connect(call=call_id, agent=agent.card, ice_servers=list(sb.settings.ice_servers)))
    sb.send_agent(agent, Connected(**dict(details(call, now))))
    log.info("call %s: answered by %s after %.1f s", call_id, agent_id, now - call.arrived_at)


def decline(sb: SwitchboardState, agent_id: str, call_id: str) -> None:
    unring(sb, _ringing(sb, agent_id, call_id), RingCancelReason.DECLINED)


def sdp(sb: SwitchboardState, agent_id: str, call_id: str, kind: Literal["offer", "answer"], text: str) -> None:
    agent = sb.signed_in(agent_id)
    if agent.state is not AgentState.ON_CALL or agent.call_id != call_id:
        raise Refused("not_your_call")
    message: SdpOffer | SdpAnswer
    try:
        if kind == "offer":
            message = SdpOffer(call=call_id, sdp=text)
        elif kind == "answer":
            message = SdpAnswer(call=call_id, sdp=text)
        else:
            raise Refused("bad_kind")
    except ValidationError:
        raise Refused("bad_sdp") from None
    sb.send_caller(sb.calls[call_id], message)


def hangup(sb: SwitchboardState, agent_id: str, call_id: str) -> None:
    agent = sb.signed_in(agent_id)
    if agent.call_id is None or agent.call_id != call_id:
        raise Refused("not_your_call")
    if agent.state is AgentState.RINGING:
        unring(sb, agent, RingCancelReason.DECLINED)
        return
    end_connected(sb, sb.calls[call_id], EndReason.AGENT, tell_caller=True)


def disposition(sb: SwitchboardState, agent_id: str, call_id: str, resolved: bool, category: str, note: str) -> None:
    agent = sb.signed_in(agent_id)
    if category not in sb.categories:
        raise Refused("unknown_category")
    if len(note) > MAX_NOTE_CHARS:
        raise Refused("note_too_long")
    if agent.state is AgentState.ON_CALL and agent.call_id == call_id:
        call = sb.calls[call_id]
        if call.disposition is not None:
            raise Refused("already_recorded")
        call.disposition = DispositionNote(resolved, category, note)
    else:
        record = sb.log.get(call_id)
        if record is None or record.agent_id != agent_id or record.outcome is not Outcome.ANSWERED:
            raise Refused("not_your_call")
        if record.category is not None:
            raise Refused("already_recorded")
        update_record(sb, record, resolved_first_contact=resolved, category=category, note=note)
    sb.send_agent(agent, DispositionSaved(call=call_id))
    log.info("call %s: disposition %s, resolved %s", call_id, category, resolved)
    if agent.state is AgentState.WRAP_UP and agent.wrap_call_id == call_id:
        agent.wrap_disposed = True
        if agent.ready_asked:
            leave_wrap_up(sb, agent)


def due(sb: SwitchboardState, now: float) -> None:
    """Ring timeouts and wrap-up ends due at ``now``."""
    while (agent_id := sb.deadlines.pop_due(now)) is not None:
        agent = sb.agents.get(agent_id)
        if agent is None:
            continue
        if agent.state is AgentState.RINGING:
            log.info("agent %s: no answer to call %s within %g s", agent_id, agent.call_id, sb.settings.ring_timeout_s)
            unring(sb, agent, RingCancelReason.TIMEOUT)
        elif agent.state is AgentState.WRAP_UP:
            leave_wrap_up(sb, agent)


def _ringing(sb: SwitchboardState, agent_id: str, call_id: str) -> SignedInAgent:
    agent = sb.signed_in(agent_id)
    if agent.state is not AgentState.RINGING or agent.call_id != call_id:
        raise Refused("not_ringing")
    return agent
