"""Call signalling on ``device/{id}/call/out`` (device to switchboard) and ``call/in`` (back)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import Field, TypeAdapter

from bus.messages.base import AgentId, CallId, LongText, Message, Part, ShortText, WebUrl

MAX_SDP_CHARS = 64 * 1024

Sdp = Annotated[str, Field(min_length=1, max_length=MAX_SDP_CHARS)]
Language = Annotated[str, Field(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")]
Skill = Annotated[str, Field(pattern=r"^[a-z0-9_-]{1,32}$")]


class EndReason(StrEnum):
    """Why a call ended: the ``reason`` of ``hangup`` and ``ended``, and of the call's record.

    The fields stay free text on the wire (a newer peer may send a reason this one does not know, and the
    call still ends), but every reason a program of ours sends or compares is one of these.
    """

    CALLER = "caller"
    """The passenger hung up or gave up."""
    CALLER_LOST = "caller_lost"
    """The caller's device vanished (Last Will) or its phone socket closed."""
    FAILED = "failed"
    """The caller's side failed: signalling, SDP, ICE, or its media."""
    AGENT = "agent"
    """The agent hung up."""
    AGENT_LOST = "agent_lost"
    """The agent's console vanished during the call."""
    UNSUPPORTED = "unsupported"
    """The site serves no agent for the language or skill asked for; the call was never queued."""
    HANDED_OVER = "handed_over"
    """The waiting call moved to the passenger's phone ("continue on your phone"); it goes on there, in the
    same place in the queue, and only the device's part of it is over."""


class CallContext(Part):
    """What the passenger was doing when they asked for help; shown to the agent."""

    screen: ShortText = ""
    flight: ShortText | None = None
    location: ShortText = ""
    language: ShortText = ""


class CallRequest(Message):
    type: Literal["request"] = "request"
    call: CallId
    language: Language
    skills: Annotated[list[Skill], Field(max_length=8)] = Field(default_factory=list)
    context: CallContext = Field(default_factory=CallContext)


class CallCancel(Message):
    type: Literal["cancel"] = "cancel"
    call: CallId


class SdpOffer(Message):
    type: Literal["offer"] = "offer"
    call: CallId
    sdp: Sdp


class SdpAnswer(Message):
    type: Literal["answer"] = "answer"
    call: CallId
    sdp: Sdp


class CallHangup(Message):
    type: Literal["hangup"] = "hangup"
    call: CallId
    reason: ShortText = EndReason.CALLER


class CallRating(Message):
    type: Literal["rating"] = "rating"
    call: CallId
    stars: Annotated[int, Field(ge=1, le=5)]
    answered: bool | None = Field(default=None, description="was the passenger's question answered?")


class HandoverRequest(Message):
    """The device asks for a one-time token that lets a phone take over its waiting call (added in v1)."""

    type: Literal["handover_request"] = "handover_request"
    call: CallId


CallOut = Annotated[
    CallRequest | CallCancel | SdpOffer | SdpAnswer | CallHangup | CallRating | HandoverRequest,
    Field(discriminator="type"),
]


class Queued(Message):
    type: Literal["queued"] = "queued"
    call: CallId
    position: Annotated[int, Field(ge=1)] = Field(description="1 = next to be answered")
    eta_s: Annotated[float, Field(ge=0)] | None = Field(description="expected wait, s; null when nobody is staffed")


class IceServer(Part):
    urls: Annotated[list[Annotated[str, Field(max_length=300)]], Field(min_length=1, max_length=8)]
    username: ShortText | None = None
    credential: ShortText | None = None


class Agent(Part):
    id: AgentId
    name: ShortText = ""


class Connect(Message):
    type: Literal["connect"] = "connect"
    call: CallId
    agent: Agent
    ice_servers: Annotated[list[IceServer], Field(max_length=8)] = Field(default_factory=list)


class PushKind(StrEnum):
    TEXT = "text"
    QR = "qr"
    FLIGHT = "flight"
    MAP = "map"
    PRINT = "print"


class Push(Message):
    """Content the agent sends to the passenger's screen. Unknown kinds are refused by the model."""

    type: Literal["push"] = "push"
    call: CallId
    kind: PushKind
    text: LongText = ""
    url: WebUrl | None = None
    data: dict[str, Any] = Field(default_factory=dict)


class Ended(Message):
    type: Literal["ended"] = "ended"
    call: CallId
    reason: ShortText = ""
    requeue_offered: bool = False


class Transfer(Message):
    """The agent passed the call on (added in v1): the caller closes its peer connection, shows "connecting
    you to a specialist", and keeps the call id; the next agent's ``connect`` starts a new leg (a new
    offer). ``queued`` may come in between, with the call at the head of the new queue."""

    type: Literal["transfer"] = "transfer"
    call: CallId


class Hold(Message):
    """The agent is consulting a colleague (added in v1): the caller keeps its connection, shows "please
    wait, your agent is asking a colleague" and holds its media until ``resume`` (the first agent took the
    call back) or ``transfer`` (the colleague takes it: their ``connect`` follows)."""

    type: Literal["hold"] = "hold"
    call: CallId


class Resume(Message):
    """The hold is over: the agent is back (added in v1)."""

    type: Literal["resume"] = "resume"
    call: CallId


HandoverToken = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{16,64}$")]


class Handover(Message):
    """The answer to ``handover_request``: the token a phone presents at ``/h/{token}`` (added in v1).

    Single use; it lapses when the call stops waiting (answered or ended) or after ``ttl_s``.
    """

    type: Literal["handover"] = "handover"
    call: CallId
    token: HandoverToken
    ttl_s: Annotated[float, Field(ge=0)] = Field(description="seconds the token stays valid at most")


CallIn = Annotated[
    Queued | Connect | SdpOffer | SdpAnswer | Push | Ended | Handover | Transfer | Hold | Resume,
    Field(discriminator="type"),
]

CALL_OUT: TypeAdapter[CallOut] = TypeAdapter(CallOut)
CALL_IN: TypeAdapter[CallIn] = TypeAdapter(CallIn)
