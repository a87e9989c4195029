"""The changes several commands share: an agent's state, a ring, the end of a call, the end of wrap-up.

Each function changes :class:`~central.switchboard.state.SwitchboardState` and queues what the people
concerned must hear; routing and delivery follow when the step settles.

A caller hears exactly one ``ended`` per call, also after its own cancel or hang-up, unless its device was lost. The
handle time of a call is its talk time plus the wrap-up actually taken (0 if the agent's console was lost during the
call). A call's record is written when it ends and filled in by the disposition, the rating and the end of wrap-up;
today's figures count calls by the local day they arrived.
"""

from __future__ import annotations

import logging
from typing import Any

from bus.messages.call import Ended, EndReason, Resume
from central.switchboard.agent_state import drop_consult as drop_consult
from central.switchboard.agent_state import set_state as set_state
from central.switchboard.agents import SignedInAgent
from central.switchboard.console.events import (
    CallDetails,
    CallEnded,
    ConsultEndReason,
    Ring,
    RingCancelled,
    RingCancelReason,
    WrapUp,
)
from central.switchboard.model import AgentEvent, AgentState, CallLeg, CallRecord, LegEnd, LivePhase, Outcome
from central.switchboard.state import ActiveCall, SwitchboardState

log = logging.getLogger(__name__)


def details(call: ActiveCall, now: float) -> CallDetails:
    """What ``ring`` and ``connected`` tell the agent of the call."""
    return CallDetails(
        call=call.call_id,
        caller=call.caller_id,
        caller_kind=call.caller_kind,
        location=call.context.location,
        language=call.language,
        skill=call.skill,
        waited_s=now - call.arrived_at,
        context=call.context,
        transferred_from=call.handed_note.from_agent if call.handed_note else None,
        handed_note=call.handed_note.note if call.handed_note else "",
    )


def ring(sb: SwitchboardState, call: ActiveCall, agent: SignedInAgent) -> None:
    now = sb.clock()
    timeout_s = sb.settings.ring_timeout_s
    call.phase = LivePhase.RINGING
    sb.touched.add(call.call_id)
    call.agent_id = agent.agent_id
    sb.ringing[call.skill][call.call_id] = call.arrived_at
    sb.dirty.add(call.skill)  # everyone behind moved up
    set_state(sb, agent, AgentState.RINGING, call_id=call.call_id)
    sb.deadlines.set(agent.agent_id, now + timeout_s)
    sb.send_agent(agent, Ring(**dict(details(call, now)), timeout_s=timeout_s))
    log.info("call %s: ringing %s", call.call_id, agent.agent_id)


def unring(sb: SwitchboardState, agent: SignedInAgent, reason: RingCancelReason, *, tell: bool = True) -> None:
    """The ring is over unanswered (timeout, declined, console lost): call to the head, agent away."""
    assert agent.call_id is not None
    call = sb.calls[agent.call_id]
    put_back(sb, call)
    if tell:
        sb.send_agent(agent, RingCancelled(call=call.call_id, reason=reason))
    set_state(sb, agent, AgentState.AWAY, tell=tell)


def put_back(sb: SwitchboardState, call: ActiveCall) -> None:
    del sb.ringing[call.skill][call.call_id]
    call.phase = LivePhase.WAITING
    call.agent_id = None
    sb.touched.add(call.call_id)
    sb.queues[call.skill].put_back(call.call_id, call.arrived_at)
    sb.dirty.add(call.skill)
    log.info("call %s: back at the head of the %s queue", call.call_id, call.skill)


def end_unanswered(
    sb: SwitchboardState, call: ActiveCall, outcome: Outcome, reason: EndReason, *, tell_caller: bool
) -> None:
    """A waiting or ringing call ends before an agent took it."""
    now = sb.clock()
    if call.phase is LivePhase.WAITING:
        sb.queues[call.skill].remove(call.call_id)
        sb.dirty.add(call.skill)
    elif call.agent_id is not None:
        # The agent did nothing wrong: back to available, in their old place in the idle order.
        agent = sb.agents[call.agent_id]
        del sb.ringing[call.skill][call.call_id]
        sb.send_agent(agent, RingCancelled(call=call.call_id, reason=RingCancelReason.CALLER_LEFT))
        set_state(sb, agent, AgentState.AVAILABLE)
    if call.answered_at is not None:
        record = _passed_on_record(call, now, reason)
    else:
        record = _record(call, now, outcome=outcome, end_reason=reason, wait_s=now - call.arrived_at)
    _finish(sb, call, record, tell_caller=tell_caller)


def _passed_on_record(call: ActiveCall, now: float, reason: EndReason) -> CallRecord:
    """A call passed on by an agent that ends before the next one took it: still answered (once), with
    the legs so far, closed by the last agent who had it, and nobody's wrap-up."""
    assert call.answered_at is not None and call.legs
    disposition = call.disposition
    return _record(
        call,
        now,
        outcome=Outcome.ANSWERED,
        end_reason=reason,
        wait_s=call.answered_at - call.arrived_at,
        answered_at=call.answered_at,
        agent_id=call.legs[-1].agent_id,
        talk_s=now - call.answered_at,
        wrap_s=0.0,
        resolved_first_contact=disposition.resolved if disposition else None,
        category=disposition.category if disposition else None,
        note=disposition.note if disposition else "",
    )


def end_connected(
    sb: SwitchboardState, call: ActiveCall, reason: EndReason, *, tell_caller: bool, agent_lost: bool = False
) -> None:
    """A call an agent took ends: the caller is told, the agent goes to wrap-up (unless they are gone)."""
    now = sb.clock()
    assert call.answered_at is not None and call.agent_id is not None
    agent = sb.agents.get(call.agent_id)  # None: restored after a restart, the agent not back (.keeping)
    disposition = call.disposition
    close_leg(call, now, LegEnd.CLOSED)
    record = _record(
        call,
        now,
        outcome=Outcome.ANSWERED,
        end_reason=reason,
        wait_s=call.answered_at - call.arrived_at,
        answered_at=call.answered_at,
        agent_id=call.agent_id,
        talk_s=now - call.answered_at,
        wrap_s=0.0 if agent_lost or agent is None else None,
        resolved_first_contact=disposition.resolved if disposition else None,
        category=disposition.category if disposition else None,
        note=disposition.note if disposition else "",
    )
    _finish(sb, call, record, tell_caller=tell_caller, requeue_offered=agent_lost)
    log.info("call %s: ended (%s) after %.1f s", call.call_id, reason, now - call.answered_at)
    if sb.orphans.get(call.agent_id) == call.call_id:
        del sb.orphans[call.agent_id]
    if agent is None or agent_lost:
        add_handle_time(sb, record)
        if agent is not None:
            agent.call_id = None
        return
    agent.call_id = None
    sb.send_agent(agent, CallEnded(call=call.call_id, reason=reason))
    agent.wrap_call_id = call.call_id
    agent.wrap_disposed = disposition is not None
    wrap_up_s = sb.settings.wrap_up_s
    until = now + wrap_up_s
    set_state(sb, agent, AgentState.WRAP_UP)
    sb.send_agent(
        agent, WrapUp(call=call.call_id, until_s=until, left_s=wrap_up_s, categories=list(sb.settings.categories))
    )
    if wrap_up_s <= 0 or (agent.wrap_disposed and agent.ready_asked):
        leave_wrap_up(sb, agent)
    else:
        sb.deadlines.set(agent.agent_id, until)


def close_leg(call: ActiveCall, now: float, end: LegEnd) -> None:
    """The agent now on the call is done with it: their leg goes into the call's list."""
    assert call.agent_id is not None and call.leg_answered_at is not None
    call.legs.append(
        CallLeg(agent_id=call.agent_id, skill=call.skill, answered_at=call.leg_answered_at, ended_at=now, end=end)
    )
    call.leg_answered_at = None


def _record(call: ActiveCall, now: float, **fields: Any) -> CallRecord:
    return CallRecord(
        call_id=call.call_id,
        caller_id=call.caller_id,
        caller_kind=call.caller_kind,
        skill=call.arrived_skill,
        transfers=call.transfers,
        legs=tuple(call.legs),
        language=call.language,
        location=call.context.location,
        arrived_at=call.arrived_at,
        ended_at=now,
        **fields,
    )


def _finish(
    sb: SwitchboardState, call: ActiveCall, record: CallRecord, *, tell_caller: bool, requeue_offered: bool = False
) -> None:
    del sb.calls[call.call_id]
    sb.touched.add(call.call_id)
    del sb.caller_calls[call.caller_id]
    drop_handover(sb, call.call_id)
    drop_consult(sb, call.call_id, ConsultEndReason.CALL_ENDED)
    sb.log.add(record, sb.clock())
    if tell_caller:
        sb.send_caller(call, Ended(call=call.call_id, reason=record.end_reason, requeue_offered=requeue_offered))
    sb.changed = True
    if record.outcome is not Outcome.ANSWERED:
        log.info("call %s: %s (%s) after %.1f s", call.call_id, record.outcome, record.end_reason, record.wait_s)


def drop_handover(sb: SwitchboardState, call_id: str) -> None:
    """An ended call's handover token goes with it (see :mod:`.handover`)."""
    token = sb.handover_of_call.pop(call_id, None)
    if token is not None:
        sb.handovers.pop(token, None)


def leave_wrap_up(sb: SwitchboardState, agent: SignedInAgent, to: AgentState | None = None) -> None:
    """Wrap-up is over: its length goes into the record and the handle time; then available or away."""
    now = sb.clock()
    call_id = agent.wrap_call_id
    if call_id is not None:
        record = sb.log.get(call_id)
        if record is not None and record.wrap_s is None:
            updated = update_record(sb, record, wrap_s=max(0.0, now - record.ended_at))
            add_handle_time(sb, updated)
    if to is None:
        to = AgentState.AWAY if agent.away_after_call else AgentState.AVAILABLE
    agent.ready_asked = agent.away_after_call = agent.wrap_disposed = False
    if to is AgentState.AVAILABLE:
        agent.idle_since = now
    # A console being dropped hears nothing more; ``signed_out`` was its last word.
    set_state(sb, agent, to, tell=to is not AgentState.OFFLINE)


def remove_agent(sb: SwitchboardState, agent: SignedInAgent, farewell: AgentEvent | None) -> None:
    """Sign-out or a lost console: a ring goes back to the queue, a call ends for its caller.

    The console hears nothing of these last changes, only ``farewell`` (if it is still there to hear).
    """
    if agent.state is AgentState.RINGING:
        unring(sb, agent, RingCancelReason.DECLINED, tell=False)
    elif agent.state is AgentState.ON_CALL and agent.call_id is not None:
        end_connected(sb, sb.calls[agent.call_id], EndReason.AGENT_LOST, tell_caller=True, agent_lost=True)
    elif agent.state is AgentState.WRAP_UP:
        leave_wrap_up(sb, agent, AgentState.OFFLINE)
    elif agent.state is AgentState.CONSULTING and agent.consult_call in sb.calls:
        call = sb.calls[agent.consult_call]
        if drop_consult(sb, call.call_id, ConsultEndReason.LEFT):
            sb.send_caller(call, Resume(call=call.call_id))  # the call goes on with its first agent
    set_state(sb, agent, AgentState.OFFLINE, tell=False)
    sb.agents.remove(agent)
    if farewell is not None:
        sb.send_agent(agent, farewell)


def free_after_passing_on(sb: SwitchboardState, agent: SignedInAgent) -> None:
    """The agent passed their call on: wrap-up with nothing to record, which "available" ends at once, and
    until then the call cannot bounce straight back to them."""
    agent.call_id = None
    set_state(sb, agent, AgentState.WRAP_UP)
    agent.wrap_call_id = None
    agent.wrap_disposed = True
    wrap_up_s = sb.settings.wrap_up_s
    if wrap_up_s <= 0 or agent.ready_asked:
        leave_wrap_up(sb, agent)
    else:
        sb.deadlines.set(agent.agent_id, sb.clock() + wrap_up_s)


def add_handle_time(sb: SwitchboardState, record: CallRecord) -> None:
    if record.handle_s is not None:
        sb.handle_times[record.skill].add(record.handle_s)
        sb.dirty.add(record.skill)


def update_record(sb: SwitchboardState, record: CallRecord, **changes: Any) -> CallRecord:
    """Fill in a stored record (disposition, rating, wrap-up); today's figures follow."""
    updated = sb.log.update(record, sb.clock(), **changes)
    sb.changed = True
    return updated
