"""What callers ask of the switchboard: a request, a cancel, a hang-up, SDP, a rating; and a lost caller.

- The same request twice (QoS 1) is answered with the call's ``queued`` again, not refused; a call id is
  never used twice.
- A cancel after the answer is a hang-up. A hang-up with reason ``failed`` before the answer is recorded
  as ``failed``.
"""

from __future__ import annotations

import logging

from bus.messages.call import (
    CallCancel,
    CallHangup,
    CallRating,
    CallRequest,
    Ended,
    EndReason,
    SdpAnswer,
    SdpOffer,
)
from central.switchboard.console.events import SdpRelay
from central.switchboard.model import CallerChannel, CallRecord, LivePhase, Outcome, Refused
from central.switchboard.settings import SIGN_SKILL
from central.switchboard.state import ActiveCall, SwitchboardState
from central.switchboard.telling import push_queued
from central.switchboard.transitions import end_connected, end_unanswered, update_record

log = logging.getLogger(__name__)


def request(sb: SwitchboardState, channel: CallerChannel, message: CallRequest) -> None:
    """Queue the call, or refuse it (one live call per caller)."""
    caller_id = channel.caller_id
    live_id = sb.caller_calls.get(caller_id)
    if live_id is not None:
        if live_id == message.call:
            # QoS 1 may deliver a request twice: say again where the call stands instead of refusing it.
            call = sb.calls[live_id]
            if call.phase is LivePhase.WAITING:
                push_queued(sb, call)
            return
        raise Refused("call_in_progress")
    if message.call in sb.calls or sb.log.get(message.call) is not None:
        raise Refused("duplicate_call")
    now = sb.clock()
    language = message.language.split("-", 1)[0]
    problem = _unsupported(sb, language, message.skills)
    if problem is not None:
        _refuse_unsupported(sb, channel, message, language, now)
        raise Refused(problem)
    skill = SIGN_SKILL if SIGN_SKILL in message.skills else language
    call = ActiveCall(
        call_id=message.call,
        channel=channel,
        caller_id=caller_id,
        caller_kind=channel.kind,
        skill=skill,
        language=message.language,
        context=message.context,
        arrived_at=now,
    )
    sb.calls[call.call_id] = call
    sb.touched.add(call.call_id)
    sb.caller_calls[caller_id] = call.call_id
    queue = sb.queues[skill]
    queue.append(call.call_id, now)
    sb.arrivals[skill].add(now)
    # Answered at once, before routing may ring an agent: the caller always hears "queued" first.
    push_queued(sb, call, place=len(queue))
    sb.changed = True
    log.info("call %s from %s: queued for %s at %d", call.call_id, caller_id, skill, len(queue))


def cancel(sb: SwitchboardState, caller_id: str, message: CallCancel) -> None:
    call = _callers_call(sb, caller_id, message.call)
    if call.phase is LivePhase.CONNECTED:
        end_connected(sb, call, EndReason.CALLER, tell_caller=True)
    else:
        end_unanswered(sb, call, Outcome.ABANDONED, EndReason.CALLER, tell_caller=True)


def hangup(sb: SwitchboardState, caller_id: str, message: CallHangup) -> None:
    call = _callers_call(sb, caller_id, message.call)
    reason = EndReason.FAILED if message.reason == EndReason.FAILED else EndReason.CALLER
    if call.phase is LivePhase.CONNECTED:
        end_connected(sb, call, reason, tell_caller=True)
    else:
        outcome = Outcome.FAILED if reason is EndReason.FAILED else Outcome.ABANDONED
        end_unanswered(sb, call, outcome, reason, tell_caller=True)


def lost(sb: SwitchboardState, caller_id: str) -> None:
    call_id = sb.caller_calls.get(caller_id)
    if call_id is None:
        return
    call = sb.calls[call_id]
    if call.phase is LivePhase.CONNECTED:
        end_connected(sb, call, EndReason.CALLER_LOST, tell_caller=False)
    else:
        end_unanswered(sb, call, Outcome.ABANDONED, EndReason.CALLER_LOST, tell_caller=False)


def sdp(sb: SwitchboardState, caller_id: str, message: SdpOffer | SdpAnswer) -> None:
    call = _callers_call(sb, caller_id, message.call)
    if call.phase is not LivePhase.CONNECTED or call.agent_id is None or sb.agents.get(call.agent_id) is None:
        raise Refused("not_connected")
    sb.send_agent(sb.agents[call.agent_id], SdpRelay(type=message.type, call=call.call_id, sdp=message.sdp))


def rating(sb: SwitchboardState, caller_id: str, message: CallRating) -> None:
    live = sb.calls.get(message.call)
    if live is not None and live.caller_id == caller_id:
        raise Refused("call_not_over")
    record = sb.log.get(message.call)
    if record is None or record.caller_id != caller_id:
        raise Refused("unknown_call")
    if record.outcome is not Outcome.ANSWERED:
        raise Refused("not_answered")
    if record.rating is not None:
        raise Refused("already_rated")
    update_record(sb, record, rating=message.stars, question_answered=message.answered)
    log.info("call %s: rated %d", record.call_id, message.stars)


def _unsupported(sb: SwitchboardState, language: str, skills: list[str]) -> str | None:
    if language not in sb.settings.languages:
        return "unsupported_language"
    if any(skill not in sb.queues for skill in skills):
        return "unsupported_skill"
    return None


def _refuse_unsupported(
    sb: SwitchboardState, channel: CallerChannel, message: CallRequest, language: str, now: float
) -> None:
    record = CallRecord(
        call_id=message.call,
        caller_id=channel.caller_id,
        caller_kind=channel.kind,
        skill=SIGN_SKILL if SIGN_SKILL in message.skills else language,
        language=message.language,
        location=message.context.location,
        arrived_at=now,
        ended_at=now,
        outcome=Outcome.UNSUPPORTED,
        end_reason=EndReason.UNSUPPORTED,
        wait_s=0.0,
    )
    sb.log.add(record, sb.clock())
    sb.outbox.append((channel.send, Ended(call=message.call, reason=EndReason.UNSUPPORTED), channel.caller_id))
    sb.changed = True
    log.info("call %s from %s: unsupported (%s, %s)", message.call, channel.caller_id, message.language, message.skills)


def _callers_call(sb: SwitchboardState, caller_id: str, call_id: str) -> ActiveCall:
    live_id = sb.caller_calls.get(caller_id)
    if live_id != call_id:
        raise Refused("unknown_call")
    return sb.calls[call_id]
