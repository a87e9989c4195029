"""What the two ends of a monitored call say to central while a supervisor watches it.

The supervisor's wallboard (``/api/monitor/ws``) and the agent's console (``/api/agent/monitor/ws``) each
send one JSON object per text frame; anything that does not validate is refused with an ``error`` naming
the reason and is never passed on. Central only relays: the media goes from the agent's browser to the
supervisor's, peer to peer (see docs/contact-centre.md).
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from bus.messages.base import CallId

MAX_MESSAGE_BYTES = 80 * 1024
"""A complete SDP with every candidate is a few KiB; 64 KiB is the limit for one, plus the envelope."""
MAX_SDP_CHARS = 64 * 1024
MONITOR_ID = r"^m-[0-9a-f]{16}$"
MID = r"^[A-Za-z0-9_-]{1,16}$"


class MonitorMode(StrEnum):
    SILENT = "silent"
    """The supervisor watches and hears both sides; nobody sees or hears the supervisor."""
    WHISPER = "whisper"
    """As silent, and the supervisor's microphone reaches the agent (never the passenger)."""


class TrackRole(StrEnum):
    """What one m-line of the agent's relay offer carries (its ``mid`` in the offer's ``tracks``)."""

    PASSENGER_VIDEO = "passenger_video"
    PASSENGER_AUDIO = "passenger_audio"
    AGENT_VIDEO = "agent_video"
    AGENT_AUDIO = "agent_audio"
    WHISPER = "whisper"
    """The way back: the supervisor's microphone, played in the agent's page only."""


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


MonitorId = Annotated[str, Field(pattern=MONITOR_ID)]
Sdp = Annotated[str, Field(min_length=1, max_length=MAX_SDP_CHARS)]


# --- from the supervisor ------------------------------------------------------------------------------


class Start(_Message):
    type: Literal["start"]
    call: CallId
    mode: MonitorMode = MonitorMode.SILENT


class SupervisorAnswer(_Message):
    type: Literal["answer"]
    monitor: MonitorId
    sdp: Sdp


class ChangeMode(_Message):
    type: Literal["mode"]
    monitor: MonitorId
    mode: MonitorMode


class Stop(_Message):
    type: Literal["stop"]
    monitor: MonitorId


SupervisorMessage = Annotated[Start | SupervisorAnswer | ChangeMode | Stop, Field(discriminator="type")]


# --- from the agent's console -------------------------------------------------------------------------


class AgentOffer(_Message):
    type: Literal["offer"]
    monitor: MonitorId
    sdp: Sdp
    tracks: Annotated[dict[Annotated[str, Field(pattern=MID)], TrackRole], Field(min_length=1, max_length=8)]
    """Which m-line (by ``mid``) carries what, so the supervisor's page knows the passenger from the agent."""


class AgentStopped(_Message):
    type: Literal["stopped"]
    monitor: MonitorId
    reason: Literal["no_call", "media_failed", "agent"] = "agent"


AgentMessage = Annotated[AgentOffer | AgentStopped, Field(discriminator="type")]

_SUPERVISOR: TypeAdapter[Start | SupervisorAnswer | ChangeMode | Stop] = TypeAdapter(SupervisorMessage)
_AGENT: TypeAdapter[AgentOffer | AgentStopped] = TypeAdapter(AgentMessage)


class BadMonitorMessage(ValueError):
    """A message refused: ``reason`` for the sender, ``request`` the type it claimed (if any)."""

    def __init__(self, reason: str, request: str | None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.request = request


M = TypeVar("M")


def _parse(adapter: TypeAdapter[M], text: str) -> M:
    if len(text.encode()) > MAX_MESSAGE_BYTES:
        raise BadMonitorMessage("too_large", None)
    try:
        raw = json.loads(text)
    except (ValueError, RecursionError):
        raise BadMonitorMessage("not_json", None) from None
    request = raw.get("type") if isinstance(raw, dict) and isinstance(raw.get("type"), str) else None
    if request is not None:
        request = request[:32]
    try:
        return adapter.validate_python(raw)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"][1:]) or "message"
        raise BadMonitorMessage(f"invalid {where}", request) from None


def parse_supervisor(text: str) -> Start | SupervisorAnswer | ChangeMode | Stop:
    return _parse(_SUPERVISOR, text)


def parse_agent(text: str) -> AgentOffer | AgentStopped:
    return _parse(_AGENT, text)
