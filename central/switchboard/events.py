"""Events the switchboard sends an agent console, as JSON-able dicts (``AgentChannel.send``).

Every event has ``type``. Times are epoch seconds from central's clock; durations are seconds.

``signed_in``: ``agent``, ``name``, ``skills`` (list), ``categories`` (list), ``ring_timeout_s``,
    ``wrap_up_s``. The sign-in was accepted; a ``state`` event (``away``) follows.
``signed_out``: ``reason`` (``signed_out`` or ``replaced``). The last event of a console: after its own
    sign-out, or on the old socket when the same agent signed in again elsewhere (the adapter then
    closes that socket).
``state``: ``state`` (``away``, ``available``, ``ringing``, ``on_call``, ``wrap_up``). The agent's state
    changed; not repeated when it did not.
``ring``: ``call``, ``caller``, ``caller_kind``, ``location``, ``language``, ``skill``, ``waited_s``,
    ``timeout_s``, ``context`` (object: ``screen``, ``flight``, ``location``, ``language``). A call is
    offered to this agent: accept or decline within ``timeout_s``.
``ring_cancelled``: ``call``, ``reason`` (``timeout``, ``declined`` or ``caller_left``). The ring is
    over unanswered; after ``timeout`` and ``declined`` the agent is ``away``, after ``caller_left``
    ``available`` again.
``connected``: the fields of ``ring`` without ``timeout_s``. The accept went through; the caller was
    sent ``connect`` and will send its SDP offer.
``offer`` / ``answer``: ``call``, ``sdp``. The caller's SDP, relayed (complete, no trickle ICE).
``ended``: ``call``, ``reason`` (``caller``, ``caller_lost``, ``failed``, or ``agent`` for this agent's
    own hang-up, confirmed). The call is over; ``wrap_up`` follows.
``wrap_up``: ``call``, ``until_s`` (epoch seconds), ``left_s``, ``categories`` (list). Wrap-up began;
    send the disposition.
``disposition_saved``: ``call``. The disposition was recorded.
``error``: ``reason``, ``request`` (what was refused, or null). Sent by the adapter, not the
    switchboard, when a console message is refused (``Refused.reason``).

Example::

    {"type": "ring", "call": "kiosk-t1-01-20261123-145151", "caller": "kiosk-t1-01", "caller_kind": "device",
     "location": "T1 Hall B, gate 12", "language": "zh-CN", "skill": "zh", "waited_s": 12.4, "timeout_s": 15.0,
     "context": {"screen": "flight_detail", "flight": "HU7181", "location": "T1 Hall B, gate 12",
                 "language": "zh-CN"}}
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from central.switchboard.model import AgentEvent, AgentState

RING_CANCEL_REASONS = ("timeout", "declined", "caller_left")
ENDED_REASONS = ("caller", "caller_lost", "failed", "agent")


def signed_in(
    agent_id: str,
    name: str,
    skills: Iterable[str],
    categories: Iterable[str],
    ring_timeout_s: float,
    wrap_up_s: float,
) -> AgentEvent:
    return {
        "type": "signed_in",
        "agent": agent_id,
        "name": name,
        "skills": sorted(skills),
        "categories": list(categories),
        "ring_timeout_s": ring_timeout_s,
        "wrap_up_s": wrap_up_s,
    }


def signed_out(reason: str) -> AgentEvent:
    return {"type": "signed_out", "reason": reason}


def state(value: AgentState) -> AgentEvent:
    return {"type": "state", "state": value.value}


def call_details(
    call_id: str,
    *,
    caller: str,
    caller_kind: str,
    location: str,
    language: str,
    skill: str,
    waited_s: float,
    context: dict[str, Any],
) -> AgentEvent:
    """The fields ``ring`` and ``connected`` share; the caller wants to see them in both."""
    return {
        "call": call_id,
        "caller": caller,
        "caller_kind": caller_kind,
        "location": location,
        "language": language,
        "skill": skill,
        "waited_s": round(waited_s, 1),
        "context": context,
    }


def ring(details: AgentEvent, timeout_s: float) -> AgentEvent:
    return {"type": "ring", **details, "timeout_s": timeout_s}


def ring_cancelled(call_id: str, reason: str) -> AgentEvent:
    return {"type": "ring_cancelled", "call": call_id, "reason": reason}


def connected(details: AgentEvent) -> AgentEvent:
    return {"type": "connected", **details}


def sdp(kind: str, call_id: str, sdp_text: str) -> AgentEvent:
    """``kind`` is ``offer`` or ``answer``."""
    return {"type": kind, "call": call_id, "sdp": sdp_text}


def ended(call_id: str, reason: str) -> AgentEvent:
    return {"type": "ended", "call": call_id, "reason": reason}


def wrap_up(call_id: str, until_s: float, left_s: float, categories: Iterable[str]) -> AgentEvent:
    return {
        "type": "wrap_up",
        "call": call_id,
        "until_s": until_s,
        "left_s": left_s,
        "categories": list(categories),
    }


def disposition_saved(call_id: str) -> AgentEvent:
    return {"type": "disposition_saved", "call": call_id}


def error(reason: str, request: str | None = None) -> AgentEvent:
    """For the adapter: a console message was refused (``Refused.reason``)."""
    return {"type": "error", "reason": reason, "request": request}
