"""Events the switchboard sends an agent console (``AgentChannel.send``), one model per ``type``.

Times are epoch seconds from central's clock; durations are seconds. On the socket each is one JSON
object (:func:`central.switchboard.console.wire.as_json`).

``signed_in``: the sign-in was accepted; a ``state`` event (``away``) follows. It also carries the limits
    the console's forms must keep (``max_note_chars``), so the page never holds a copy of its own.
``signed_out``: the last event of a console: after its own sign-out (``signed_out``), or on the old socket
    when the same agent signed in again elsewhere (``replaced``; the adapter then closes that socket).
``state``: the agent's state changed; not repeated when it did not.
``ring``: a call is offered to this agent: accept or decline within ``timeout_s``.
``ring_cancelled``: the ring is over unanswered; after ``timeout`` and ``declined`` the agent is
    ``away``, after ``caller_left`` ``available`` again.
``connected``: the fields of ``ring`` without ``timeout_s``. The accept went through; the caller was sent
    ``connect`` and will send its SDP offer.
``offer`` / ``answer``: the caller's SDP, relayed (complete, no trickle ICE).
``ended``: the call is over (``reason`` one of :class:`bus.messages.call.EndReason`: ``caller``,
    ``caller_lost``, ``failed``, or ``agent`` for this agent's own hang-up, confirmed); ``wrap_up`` follows.
``wrap_up``: wrap-up began; send the disposition.
``caller_away``: the caller's device lost its connection to the bus (its Last Will) during the call, which
    is kept until ``until_s`` (``grace_s`` after; the media is peer to peer and may go on meanwhile); then it
    ends ``caller_lost`` unless ``caller_back`` came first: the device is online again.
``consult``: a colleague on a call wants to talk about it (this agent is now ``consulting``): ``call``,
    ``agent`` and ``name`` of the colleague, ``handed_note``, ``context``, and ``role`` (``consulted``; the
    colleague's own console gets ``consult`` with role ``consulting`` and this agent's id and name). The
    colleague's console offers a peer connection (``consult_signal``).
``consult_signal``: the other console's SDP for the two consoles' own connection, relayed (``kind``
    ``offer`` or ``answer``).
``consult_ended``: the consultation is over: ``reason`` ``handed_over`` (the consulted agent now has the
    call: ``connected`` follows for them), ``taken_back``, ``call_ended``, or ``left`` (the other console went).
``transferred``: this agent's ``transfer`` went through: their part of the call is over (close the media;
    no wrap-up: the disposition is the next agent's), a ``state`` event follows. ``skill`` or ``agent``
    says where the call went. A call passed on rings its next agent with ``transferred_from`` (the first
    agent's name) and ``handed_note`` (the note they saved before passing it on) in ``ring`` and ``connected``.
``disposition_saved``: the disposition was recorded.
``error``: sent by the adapter, not the switchboard, when a console message is refused
    (``Refused.reason`` or the reason it did not validate); ``request`` names what was refused.

Example::

    {"type": "ring", "call": "kiosk-t1-01-20261123-145151", "caller": "kiosk-t1-01", "caller_kind": "device",
     "location": "T1 Hall B, gate 12", "language": "zh-CN", "skill": "zh", "waited_s": 12.4, "timeout_s": 15.0,
     "context": {"screen": "flight_detail", "flight": "HU7181", "location": "T1 Hall B, gate 12",
                 "language": "zh-CN"}}
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bus.messages.call import CallContext, EndReason
from central.switchboard.console.messages import MAX_NOTE_CHARS


class AgentState(StrEnum):
    """Where an agent is: ``offline`` → ``away`` → ``available`` ⇄ ``ringing`` → ``on_call`` → ``wrap_up``."""

    OFFLINE = "offline"
    AWAY = "away"
    AVAILABLE = "available"
    RINGING = "ringing"
    ON_CALL = "on_call"
    WRAP_UP = "wrap_up"
    CONSULTING = "consulting"
    """Talking to a colleague who asked, about their call (from ``available``; back to it afterwards)."""


class SignOutReason(StrEnum):
    SIGNED_OUT = "signed_out"
    REPLACED = "replaced"


class RingCancelReason(StrEnum):
    TIMEOUT = "timeout"
    DECLINED = "declined"
    CALLER_LEFT = "caller_left"


class _Event(BaseModel):
    model_config = ConfigDict(frozen=True)


class SignedIn(_Event):
    type: Literal["signed_in"] = "signed_in"
    agent: str
    name: str
    skills: list[str]
    """The account's skills this site serves, sorted."""
    categories: list[str]
    ring_timeout_s: float
    wrap_up_s: float
    max_note_chars: int = MAX_NOTE_CHARS
    site_skills: list[str] = []
    """Every queue of the site, in the order of the settings: where a call can be passed on to."""

    @field_validator("skills")
    @classmethod
    def _sorted(cls, skills: list[str]) -> list[str]:
        return sorted(skills)


class SignedOut(_Event):
    type: Literal["signed_out"] = "signed_out"
    reason: SignOutReason


class StateChanged(_Event):
    type: Literal["state"] = "state"
    state: AgentState


class CallDetails(_Event):
    """The fields ``ring`` and ``connected`` share; the agent wants to see them in both."""

    call: str
    caller: str
    caller_kind: str
    location: str
    language: str
    skill: str
    waited_s: Annotated[float, Field(description="rounded to 0.1 s")]
    context: CallContext
    transferred_from: str | None = None
    """The name of the agent who passed the call on; None for a call straight from its queue."""
    handed_note: str = ""
    """Their note (the disposition note saved before passing it on)."""

    @field_validator("waited_s")
    @classmethod
    def _tenths(cls, waited_s: float) -> float:
        return round(waited_s, 1)


class Ring(CallDetails):
    type: Literal["ring"] = "ring"
    timeout_s: float


class Connected(CallDetails):
    type: Literal["connected"] = "connected"


class RingCancelled(_Event):
    type: Literal["ring_cancelled"] = "ring_cancelled"
    call: str
    reason: RingCancelReason


class SdpRelay(_Event):
    type: Literal["offer", "answer"]
    call: str
    sdp: str


class CallEnded(_Event):
    type: Literal["ended"] = "ended"
    call: str
    reason: EndReason


class CallerAway(_Event):
    type: Literal["caller_away"] = "caller_away"
    call: str
    until_s: float
    grace_s: float


class CallerBack(_Event):
    type: Literal["caller_back"] = "caller_back"
    call: str


class WrapUp(_Event):
    type: Literal["wrap_up"] = "wrap_up"
    call: str
    until_s: float
    left_s: float
    categories: list[str]


class DispositionSaved(_Event):
    type: Literal["disposition_saved"] = "disposition_saved"
    call: str


class Transferred(_Event):
    type: Literal["transferred"] = "transferred"
    call: str
    skill: str | None = None
    agent: str | None = None


class ConsultRole(StrEnum):
    CONSULTING = "consulting"  # the agent on the call, who asked
    CONSULTED = "consulted"  # the colleague


class Consult(_Event):
    type: Literal["consult"] = "consult"
    call: str
    role: ConsultRole
    agent: str
    """The other agent's id."""
    name: str
    handed_note: str = ""
    context: CallContext | None = None


class ConsultSignal(_Event):
    type: Literal["consult_signal"] = "consult_signal"
    call: str
    kind: Literal["offer", "answer"]
    sdp: str


class ConsultEndReason(StrEnum):
    HANDED_OVER = "handed_over"
    TAKEN_BACK = "taken_back"
    CALL_ENDED = "call_ended"
    LEFT = "left"


class ConsultEnded(_Event):
    type: Literal["consult_ended"] = "consult_ended"
    call: str
    reason: ConsultEndReason


class ConsoleError(_Event):
    type: Literal["error"] = "error"
    reason: str
    request: str | None = None


ConsoleEvent = (
    SignedIn
    | SignedOut
    | StateChanged
    | Ring
    | RingCancelled
    | Connected
    | SdpRelay
    | CallEnded
    | CallerAway
    | CallerBack
    | WrapUp
    | DispositionSaved
    | Transferred
    | Consult
    | ConsultSignal
    | ConsultEnded
    | ConsoleError
)
"""Everything a console hears."""
