"""Continue on your phone: a waiting call moves from its device to a phone and keeps its place.

- The device asks for a token for its own waiting (or ringing) call; asked again, it gets the same token
  while that token is valid, so a repeated request (QoS 1) or a redrawn screen shows the same QR.
- A token is single use. It lapses when its call stops waiting (an agent answered it, or it ended) or
  ``handover_ttl_s`` after it was made, whichever comes first.
- Taking over keeps the call's place in its queue, its arrival time and its context; only who is reached
  changes: the phone becomes the caller (kind ``phone``), the device hears ``ended`` reason
  ``handed_over`` and is free for the next passenger. A ringing call keeps ringing; the phone hears
  ``connect`` when the agent accepts.
- A refused take-over changes nothing, the token included: a phone that is itself in a call may hang up
  and scan again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from bus.messages.call import Ended, EndReason, Handover, HandoverRequest
from central.switchboard.model import CallerChannel, LivePhase, Refused
from central.switchboard.state import ActiveCall, HandoverTicket, SwitchboardState
from central.switchboard.telling import push_queued
from central.switchboard.transitions import drop_handover as drop

log = logging.getLogger(__name__)


def mint(sb: SwitchboardState, caller_id: str, message: HandoverRequest, new_token: Callable[[], str]) -> None:
    """Send the device a token for its waiting call (the one it holds already, while that is valid)."""
    call_id = sb.caller_calls.get(caller_id)
    if call_id != message.call:
        raise Refused("unknown_call")
    call = sb.calls[call_id]
    if call.phase is LivePhase.CONNECTED or call.answered_at is not None:  # being passed on: it stays put
        raise Refused("not_waiting")
    now = sb.clock()
    ticket = _ticket_of(sb, call_id)
    if ticket is None or ticket.expires_at <= now:
        drop(sb, call_id)
        ticket = HandoverTicket(new_token(), call_id, caller_id, now + sb.settings.handover_ttl_s)
        sb.handovers[ticket.token] = ticket
        sb.handover_of_call[call_id] = ticket.token
        log.info("call %s: handover token made for %s", call_id, caller_id)
    sb.send_caller(call, Handover(call=call_id, token=ticket.token, ttl_s=round(ticket.expires_at - now, 1)))


def take_over(sb: SwitchboardState, token: str, channel: CallerChannel) -> str:
    """The phone on ``channel`` becomes the caller of the token's call; the call's id."""
    call = usable_call(sb, token)
    if channel.caller_id in sb.caller_calls:
        raise Refused("call_in_progress")
    old_channel, old_caller = call.channel, call.caller_id
    drop(sb, call.call_id)
    del sb.caller_calls[old_caller]
    call.channel = channel
    call.caller_id = channel.caller_id
    call.caller_kind = channel.kind
    sb.touched.add(call.call_id)
    # the phone was told nothing yet: a ringing call that goes back to the queue must tell it its place
    call.sent_position = call.sent_eta_s = None
    sb.caller_calls[channel.caller_id] = call.call_id
    sb.outbox.append(
        (old_channel.send, Ended(call=call.call_id, reason=EndReason.HANDED_OVER), old_caller),
    )
    if call.phase is LivePhase.WAITING:
        push_queued(sb, call)  # the same place; the phone hears it at once
    sb.changed = True
    log.info("call %s: handed over from %s to %s (%s)", call.call_id, old_caller, channel.caller_id, call.phase)
    return call.call_id


def rebind(sb: SwitchboardState, channel: CallerChannel) -> str:
    """The caller of ``channel`` is back on a new connection (a phone's socket dropped while it waited):
    its waiting or ringing call is reached through ``channel`` from now on, in the same place."""
    call_id = sb.caller_calls.get(channel.caller_id)
    if call_id is None:
        raise Refused("no_call")
    call = sb.calls[call_id]
    if call.phase is LivePhase.CONNECTED:
        raise Refused("call_answered")  # its media went with the old connection
    call.channel = channel
    if call.phase is LivePhase.WAITING:
        push_queued(sb, call)
    log.info("call %s: %s is back", call_id, channel.caller_id)
    return call_id


def usable_call(sb: SwitchboardState, token: str) -> ActiveCall:
    """The waiting or ringing call ``token`` may take over, or :class:`Refused` saying why not."""
    ticket = sb.handovers.get(token)
    if ticket is None:
        raise Refused("unknown_token")
    if ticket.expires_at <= sb.clock():
        raise Refused("expired_token")
    call = sb.calls.get(ticket.call_id)
    if call is None or call.caller_id != ticket.caller_id:
        raise Refused("call_gone")
    if call.phase is LivePhase.CONNECTED or call.answered_at is not None:
        raise Refused("call_answered")  # answered and being passed on: the call goes on where it is
    return call


def _ticket_of(sb: SwitchboardState, call_id: str) -> HandoverTicket | None:
    token = sb.handover_of_call.get(call_id)
    return None if token is None else sb.handovers.get(token)
