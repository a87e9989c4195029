"""Keeping live calls over a restart of ``central``: what a step changed is written when it settles, and a
new switchboard starts from what was written (docs/faults.md).

- Waiting callers come back in their queues in the same order; a call that was ringing comes back at the
  head, as after any unanswered ring. Their devices keep showing their place; the next telling (within a
  second) tells each its place and expected wait again.
- A call in progress goes on peer to peer without ``central``. It comes back connected to its agent, who
  is not signed in yet: when the agent's console signs in again (its session outlived the restart) the
  agent is on that call again; when either side hangs up, the call is recorded once, as any call.
- A consultation going on at the restart is not kept: the agent back on the call is told it is over and
  the passenger that the agent is back (``resume``), or the console would keep holding the passenger's
  sound and picture and the kiosk would keep saying "please hold", with nothing left to end either.
  Both are sent whether or not there was one (not kept either): a console with no consultation and a
  caller not on hold ignore them.
- Lost on the way: a note the agent typed during the call before the restart (the disposition is asked
  again in wrap-up), the first agent's note on a call passed on, and a phone's handover token.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable

from bus.messages.call import CallContext, Resume
from central.switchboard import caller_commands
from central.switchboard.agent_state import set_state
from central.switchboard.agents import SignedInAgent
from central.switchboard.console.events import ConsultEnded, ConsultEndReason
from central.switchboard.live_store import LiveCallStore as LiveCallStore
from central.switchboard.live_store import SavedCall
from central.switchboard.model import AgentState, CallerChannel, CallerMessage, LivePhase
from central.switchboard.state import ActiveCall, SwitchboardState

log = logging.getLogger(__name__)

ChannelFor = Callable[[str, str], CallerChannel | None]
"""The channel to reach a caller of this kind (``device``, ``phone``) and id through after a restart; None
when that caller cannot come back (a phone's socket went with the old process): its call ends as lost."""


def save_touched(sb: SwitchboardState) -> None:
    """Write the calls this step changed, in one go; before any message of the step goes out, so that a
    caller is never told of a place that a crash right after would lose."""
    touched, sb.touched = sb.touched, set()
    if sb.live is None:
        return
    saved: list[SavedCall] = []
    ended: list[str] = []
    for call_id in touched:
        call = sb.calls.get(call_id)
        if call is None:
            ended.append(call_id)
        else:
            saved.append(_saved(sb, call))
    sb.live.write(saved, ended)


def _saved(sb: SwitchboardState, call: ActiveCall) -> SavedCall:
    order = sb.queues[call.skill].order_of(call.call_id) if call.phase is LivePhase.WAITING else None
    return SavedCall(
        call_id=call.call_id,
        caller_id=call.caller_id,
        caller_kind=call.caller_kind,
        skill=call.skill,
        arrived_skill=call.arrived_skill,
        language=call.language,
        context_json=call.context.model_dump_json(),
        arrived_at=call.arrived_at,
        # ringing (or waiting nowhere): the head, as a ring that goes unanswered puts it
        order=-math.inf if order is None else order,
        connected=call.phase is LivePhase.CONNECTED,
        agent_id=call.agent_id if call.phase is LivePhase.CONNECTED else None,
        answered_at=call.answered_at,
        leg_answered_at=call.leg_answered_at,
        legs=tuple(call.legs),
        transfers=call.transfers,
    )


def start(sb: SwitchboardState, live: LiveCallStore, channel_for: ChannelFor) -> int:
    """Keep live calls in ``live`` from now on; first put the calls it kept back (into a switchboard that has
    none yet). How many came back."""
    sb.live = live
    return _restore(sb, live.load(), channel_for)


def _restore(sb: SwitchboardState, saved: Iterable[SavedCall], channel_for: ChannelFor) -> int:
    restored = 0
    unreachable: list[str] = []
    # the head of each queue first; calls put back (and rings) sort ahead of the rest, oldest first
    for item in sorted(saved, key=lambda s: (s.order, s.arrived_at, s.call_id)):
        if item.skill not in sb.queues or item.caller_id in sb.caller_calls:
            log.warning("call %s: not restored (skill %s no longer served, or a second call)", item.call_id, item.skill)
            continue
        channel = channel_for(item.caller_kind, item.caller_id)
        if channel is None:
            unreachable.append(item.caller_id)
            channel = _Gone(item.caller_id, item.caller_kind)
        call = ActiveCall(
            call_id=item.call_id,
            channel=channel,
            caller_id=item.caller_id,
            caller_kind=item.caller_kind,
            skill=item.skill,
            language=item.language,
            context=CallContext.model_validate_json(item.context_json),
            arrived_at=item.arrived_at,
            arrived_skill=item.arrived_skill,
            answered_at=item.answered_at,
            legs=list(item.legs),
            transfers=item.transfers,
        )
        if item.connected and item.agent_id is not None:
            call.phase = LivePhase.CONNECTED
            call.agent_id = item.agent_id
            call.leg_answered_at = item.leg_answered_at
            sb.orphans[item.agent_id] = call.call_id
        else:
            sb.queues[item.skill].restore(call.call_id, call.arrived_at, len(sb.queues[item.skill]))
            sb.arrivals[item.skill].add(item.arrived_at)
            sb.dirty.add(item.skill)
        sb.calls[call.call_id] = call
        sb.caller_calls[call.caller_id] = call.call_id
        sb.touched.add(call.call_id)  # written again with their places in the new queues
        restored += 1
    sb.changed = restored > 0
    for caller_id in unreachable:
        log.info("%s: cannot come back after the restart; its call ends as lost", caller_id)
        caller_commands.lost(sb, caller_id)
    restored -= len(unreachable)
    log.info("restored %d live calls (%d in progress)", restored, len(sb.orphans))
    return restored


class _Gone:
    """The channel of a caller who cannot come back: its call is ended at once, and it hears nothing."""

    def __init__(self, caller_id: str, kind: str) -> None:
        self.caller_id = caller_id
        self.kind = kind

    def send(self, message: CallerMessage) -> None:
        pass


def rejoin(sb: SwitchboardState, agent: SignedInAgent) -> bool:
    """An agent whose call went on while ``central`` restarted signs in: they are on it again (not away
    first, which would tell the console the call is over). Whether they had such a call."""
    call_id = sb.orphans.pop(agent.agent_id, None)
    call = sb.calls.get(call_id) if call_id is not None else None
    if call is None or call.phase is not LivePhase.CONNECTED or call.agent_id != agent.agent_id:
        return False
    set_state(sb, agent, AgentState.ON_CALL, call_id=call.call_id)
    # a consultation (if there was one) died with the old process: end it on both sides of the call
    sb.send_agent(agent, ConsultEnded(call=call.call_id, reason=ConsultEndReason.LEFT))
    sb.send_caller(call, Resume(call=call.call_id))
    log.info("call %s: %s is back on it after a restart", call.call_id, agent.agent_id)
    return True
