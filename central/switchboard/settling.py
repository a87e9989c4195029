"""The end of every step: route, deliver the step's messages, tell waiting callers (a tick's), notify."""

from __future__ import annotations

import logging

from central.switchboard import keeping, routing, telling
from central.switchboard.state import Delivery, Listener, SwitchboardState

log = logging.getLogger(__name__)


def deliver(outbox: list[Delivery]) -> None:
    """Send the step's messages; one broken channel must not stop the others hearing of the step."""
    for send, payload, to in outbox:
        try:
            send(payload)
        except Exception:
            log.exception("sending %s to %s failed", payload.type, to)


def settle(state: SwitchboardState, listeners: list[Listener]) -> None:
    """Route, deliver, tell, notify; again while deliveries or listeners change something."""
    if state.settling:
        return  # called from inside a delivery or listener: the loop below finishes the job
    state.settling = True
    try:
        while True:
            routing.route(state)
            if state.touched:
                keeping.save_touched(state)
            if state.outbox:
                outbox, state.outbox = state.outbox, []
                deliver(outbox)
                continue
            if state.tell_now:  # a tick's, after its rings: thousands of callers may have moved
                telling.tell(state)
                continue
            telling.schedule(state)
            if state.changed:
                state.changed = False
                for listener in list(listeners):
                    try:
                        listener()
                    except Exception:
                        log.exception("switchboard listener %r failed", listener)
                continue
            return
    finally:
        state.settling = False
