"""Routing and the waiting callers: who rings next, and what each waiting caller is told.

- Routing: the longest-waiting queue is the one whose oldest waiting call has waited longest; the
  longest-idle agent is the one available longest.
- Expected waits: a caller hears a new ``queued`` when their position changes, or when their estimate
  appears, vanishes, or moves by at least 5 s and a tenth of what they were told; estimates are whole
  seconds, recomputed whenever the queue, its staffing or its handle time changes and at every tick.
  A new call with an agent free is told 0.
"""

from __future__ import annotations

import logging

from bus.messages.call import Queued
from central.switchboard.eta import waiting_eta_s
from central.switchboard.state import ActiveCall, SwitchboardState
from central.switchboard.transitions import ring

log = logging.getLogger(__name__)

ETA_RESEND_STEP_S = 5.0
"""A waiting caller hears of a new expected wait only when it moved by this much, or by a tenth (or their
position changed): the estimate drifts every second, and a message per caller per second is noise on the bus."""


def eta_moved(sent_s: float | None, eta_s: float | None) -> bool:
    """Whether a caller should hear of a new expected wait: it appeared, vanished, or moved by at least
    ``ETA_RESEND_STEP_S`` or a tenth of what they were told (a minute either way means little at 20 minutes)."""
    if sent_s is None or eta_s is None:
        return sent_s is not eta_s
    return abs(eta_s - sent_s) >= max(ETA_RESEND_STEP_S, 0.1 * sent_s)


def route(sb: SwitchboardState) -> None:
    """Offer the head of the longest-waiting queue to the longest-idle available agent who can take it.

    Looks at each skill once per offer (a handful), never at every caller or agent.
    """
    while True:
        best_skill: str | None = None
        best_arrival = 0.0
        for skill, queue in sb.queues.items():
            if not queue or not sb.agents.idle(skill):
                continue
            oldest = queue.oldest_arrival()
            if oldest is not None and (best_skill is None or oldest < best_arrival):
                best_skill, best_arrival = skill, oldest
        if best_skill is None:
            return
        agent_id = sb.agents.idle(best_skill).first()
        assert agent_id is not None
        call_id = sb.queues[best_skill].pop_head()
        ring(sb, sb.calls[call_id], sb.agents[agent_id])


def refresh_waiting(sb: SwitchboardState) -> None:
    """Note every waiting caller of a changed queue whose position or expected wait moved.

    This runs once per waiting caller of the queue per routing decision, so it is written out flat
    (the estimate is :func:`eta.waiting_eta_s` inlined), and it only notes who is to be told: the
    ``queued`` messages are built as they are delivered, so that hundreds of them are not all alive at
    once (which would push them into the garbage collector's old generations and make its full
    collections, tens of milliseconds each, far more frequent).
    """
    if not sb.dirty:
        return
    now = sb.clock()
    calls = sb.calls
    updates = sb.position_updates
    for skill in sb.dirty:
        queue = sb.queues[skill]
        if not queue:
            continue
        staffed = sb.agents.staffed(skill)
        per_position_s = sb.handle_times[skill].mean_s() / staffed if staffed > 0 else None
        head_waited_s = now - calls[next(iter(queue))].arrived_at
        for position, call_id in enumerate(queue, start=1):
            call = calls[call_id]
            call.position = position
            if per_position_s is None:
                eta_s = None
            else:
                eta_s = position * per_position_s - head_waited_s
                eta_s = float(round(eta_s)) if eta_s > 0.0 else 0.0
            if position == call.sent_position and not eta_moved(call.sent_eta_s, eta_s):
                continue
            call.sent_position = position
            call.sent_eta_s = eta_s
            if not call.update_pending:
                call.update_pending = True
                updates.append(call)
    sb.dirty.clear()


def deliver_position_updates(sb: SwitchboardState) -> None:
    """Send the ``queued`` messages :func:`refresh_waiting` noted."""
    updates, sb.position_updates = sb.position_updates, []
    for call in updates:
        call.update_pending = False
        # Rung, answered or gone since it moved: its position no longer means anything to the caller.
        if call.position is None:
            continue
        try:
            call.channel.send(Queued(call=call.call_id, position=call.sent_position, eta_s=call.sent_eta_s))
        except Exception:
            log.exception("sending queued to %s failed", call.caller_id)


def push_queued(sb: SwitchboardState, call: ActiveCall) -> None:
    """Tell one waiting caller where they stand, whether or not it changed."""
    position = call.position
    assert position is not None
    eta_s = _eta_s(sb, call.skill, position, sb.clock())
    call.sent_position = position
    call.sent_eta_s = None if eta_s is None else float(round(eta_s))
    sb.send_caller(call, Queued(call=call.call_id, position=position, eta_s=call.sent_eta_s))


def _eta_s(sb: SwitchboardState, skill: str, position: int, now: float) -> float | None:
    if sb.agents.idle(skill):
        return 0.0  # a new call with an agent free: it is rung as soon as this step routes
    queue = sb.queues[skill]
    head_waited_s = now - sb.calls[next(iter(queue))].arrived_at if queue else 0.0
    return waiting_eta_s(position, sb.handle_times[skill].mean_s(), sb.agents.staffed(skill), head_waited_s)
