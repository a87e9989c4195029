"""What a waiting caller is told, and when (docs/calls.md, "While a call waits").

- A new call hears ``queued`` at once (a new call with an agent free is told 0), and so does the caller of
  a repeated request, a take-over or a rebind: each is one message for one caller.
- Everyone else hears of a move from a *telling*: one pass over the waiting callers of the queues that
  changed, made by a tick (the adapter's timer) at most once every ``TELL_EVERY_S``, never inside the
  routing decision or command that moved them. A decision therefore costs the same with ten or ten
  thousand callers waiting, and the ring goes out long before anyone's new place.
- A telling tells a caller when their place changed, while among the first ``EXACT_PLACES``, and further
  back when it moved by a tenth of what they were told; or when their estimate appeared, vanished, or
  moved by at least 5 s and a tenth. What they are told is exact at that moment: the telling counts the
  places as it walks the queue and sends before anything else can move. Between tellings their screen
  may be up to ``TELL_EVERY_S`` (and, far back, a tenth of their place) behind.
- Estimates are whole seconds, looked at again in every telling and, as time passes, at least every
  ``ETA_DRIFT_S``.
"""

from __future__ import annotations

import logging

from bus.messages.call import Queued
from central.switchboard.eta import waiting_eta_s
from central.switchboard.model import LivePhase
from central.switchboard.state import ActiveCall, SwitchboardState

log = logging.getLogger(__name__)

TELL_EVERY_S = 1.0
"""Waiting callers hear of moves at most this often: a decision every 0.2 s in a queue of thousands would
otherwise send each of them five messages a second, and make every decision pay for all of them."""
ETA_DRIFT_S = 5.0
"""Expected waits shrink as the head of the queue waits: they are looked at again this often anyway."""
EXACT_PLACES = 20
"""Callers this near the head hear every move; further back, a move of a tenth of their place."""
ETA_RESEND_STEP_S = 5.0
"""A waiting caller hears of a new expected wait only when it moved by this much, or by a tenth (or their
position changed): the estimate drifts every second, and a message per caller per second is noise on the bus."""


_ETA_TENTH_FROM_S = 10 * ETA_RESEND_STEP_S  # beyond it, a tenth of the estimate is the larger step


def eta_moved(sent_s: float | None, eta_s: float | None) -> bool:
    """Whether a caller should hear of a new expected wait: it appeared, vanished, or moved by at least
    ``ETA_RESEND_STEP_S`` or a tenth of what they were told (a minute either way means little at 20 minutes)."""
    if sent_s is None or eta_s is None:
        return sent_s is not eta_s
    return abs(eta_s - sent_s) >= max(ETA_RESEND_STEP_S, 0.1 * sent_s)


def place_moved(sent: int | None, place: int) -> bool:
    """Whether a caller should hear of a new place: every move near the head, a tenth of it further back
    (a passenger at 5,000 learns nothing from 4,999, and ten thousand of them would hear it every second)."""
    if sent is None:
        return True
    if place == sent:
        return False
    return place <= EXACT_PLACES or abs(place - sent) >= 0.1 * sent


def schedule(sb: SwitchboardState) -> None:
    """Callers moved: set the next telling, ``TELL_EVERY_S`` after the last one (or now, after a quiet spell).

    Marks the step changed, so that the adapter's timer looks at :meth:`Switchboard.next_deadline` again.
    """
    if sb.tell_at is not None or not sb.dirty:
        return
    if not any(sb.queues[skill] for skill in sb.dirty):
        sb.dirty.clear()  # the queues that changed are empty now: nobody to tell
        return
    now = sb.clock()
    if sb.told_at <= now - TELL_EVERY_S:
        sb.tell_at = now  # after a quiet second: at once (in the next tick, not in this step)
    else:
        # A second after the last; never further away, also when the system clock was set back since.
        sb.tell_at = min(sb.told_at, now) + TELL_EVERY_S
    sb.changed = True


def on_tick(sb: SwitchboardState, now: float) -> None:
    """A tick: estimates move on with time; a telling that is due happens in this step, after its rings."""
    if now >= sb.drift_at + ETA_DRIFT_S or now < sb.drift_at:  # (or the system clock was set back)
        sb.drift_at = now
        sb.dirty.update(skill for skill, queue in sb.queues.items() if queue)
    schedule(sb)
    if sb.tell_at is not None and sb.tell_at <= now:
        sb.tell_now = True


def tell(sb: SwitchboardState) -> None:
    """The telling: note every waiting caller of a changed queue who moved, then send them their place.

    Written out flat (the estimate is :func:`eta.waiting_eta_s` inlined, and :func:`place_moved` and
    :func:`eta_moved` too): it runs once per waiting caller, 10,000 of them in a few milliseconds.
    The ``queued`` messages are built as they are sent, not all at once, so that thousands of them are
    not alive together (which would push them into the garbage collector's old generations and make its
    full collections, tens of milliseconds each, far more frequent).
    """
    now = sb.clock()
    sb.tell_now = False
    sb.tell_at = None
    sb.told_at = now
    calls = sb.calls
    updates = sb.position_updates
    for skill in sb.dirty:
        queue = sb.queues[skill]
        if not queue:
            continue
        staffed = sb.agents.staffed(skill)
        per_place_s = sb.handle_times[skill].mean_s() / staffed if staffed > 0 else None
        head_waited_s = now - calls[next(iter(queue))].arrived_at
        for place, call_id in enumerate(queue, start=1):
            call = calls[call_id]
            if per_place_s is None:
                eta_s = None
            else:
                eta_s = place * per_place_s - head_waited_s
                eta_s = float(round(eta_s)) if eta_s > 0.0 else 0.0
            # place_moved and eta_moved, inlined: this line runs for every waiting caller of the queue.
            sent = call.sent_position
            if sent is not None and (place == sent or (place > EXACT_PLACES and abs(place - sent) < 0.1 * sent)):
                sent_eta = call.sent_eta_s
                if sent_eta is None or eta_s is None:
                    if sent_eta is eta_s:
                        continue
                elif abs(eta_s - sent_eta) < (0.1 * sent_eta if sent_eta > _ETA_TENTH_FROM_S else ETA_RESEND_STEP_S):
                    continue
            call.sent_position = place
            call.sent_eta_s = eta_s
            updates.append(call)
    sb.dirty.clear()
    _send_noted(sb)


def _send_noted(sb: SwitchboardState) -> None:
    updates, sb.position_updates = sb.position_updates, []
    for call in updates:
        # Gone or rung since (a channel may act from inside its send): the place means nothing to it now.
        if call.phase is not LivePhase.WAITING or sb.calls.get(call.call_id) is not call:
            continue
        assert call.sent_position is not None
        try:
            call.channel.send(Queued(call=call.call_id, position=call.sent_position, eta_s=call.sent_eta_s))
        except Exception:
            log.exception("sending queued to %s failed", call.caller_id)


def push_queued(sb: SwitchboardState, call: ActiveCall, place: int | None = None) -> None:
    """Tell one waiting caller where they stand now, whether or not it changed (``place`` if known)."""
    if place is None:
        place = sb.queues[call.skill].position(call.call_id)
    assert place is not None, "only a waiting call has a place"
    eta_s = _eta_s(sb, call.skill, place, sb.clock())
    call.sent_position = place
    call.sent_eta_s = None if eta_s is None else float(round(eta_s))
    sb.send_caller(call, Queued(call=call.call_id, position=place, eta_s=call.sent_eta_s))


def _eta_s(sb: SwitchboardState, skill: str, place: int, now: float) -> float | None:
    if sb.agents.idle(skill):
        return 0.0  # a new call with an agent free: it is rung as soon as this step routes
    queue = sb.queues[skill]
    head_waited_s = now - sb.calls[next(iter(queue))].arrived_at if queue else 0.0
    return waiting_eta_s(place, sb.handle_times[skill].mean_s(), sb.agents.staffed(skill), head_waited_s)
