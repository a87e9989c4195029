"""What an agent console may send on its socket, validated strictly before anything reaches the switchboard.

Client to server, one JSON object per WebSocket text message:

| ``type`` | other fields | does |
| --- | --- | --- |
| ``presence`` | ``available`` (boolean) | available for calls, or away |
| ``accept`` | ``call`` | take the call that rings |
| ``decline`` | ``call`` | let the ringing call go back to the head of its queue (the agent becomes away) |
| ``answer`` | ``call``, ``sdp`` (complete SDP, ICE gathered) | the console's answer to the caller's offer |
| ``hangup`` | ``call`` | end the call; wrap-up follows |
| ``disposition`` | ``call``, ``resolved`` (boolean), ``category``, ``note`` (≤ ``MAX_NOTE_CHARS``) | the outcome |
| ``transfer`` | ``call``, and ``skill`` or ``agent`` | pass the call on, blind, to a queue or an available agent |
| ``consult`` | ``call``, ``agent`` | talk to an available colleague about the call; the caller is held |
| ``consult_signal`` | ``call``, ``kind`` (``offer`` or ``answer``), ``sdp`` | SDP for the two consoles' connection |
| ``hand_over`` | ``call`` | the consulted colleague takes the call |
| ``take_back`` | ``call`` | end the consultation and go on with the caller |
| ``consult_leave`` | ``call`` | (the colleague) end the consultation |

A message that does not validate is answered with ``{"type": "error", "reason": ..., "request": ...}``
and the socket stays open.
"""

from __future__ import annotations

import json
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from bus.messages.base import AgentId, CallId
from bus.messages.call import Sdp

MAX_MESSAGE_BYTES = 96 * 1024
"""A little more than the largest SDP (64 Ki characters) with its envelope."""
MAX_NOTE_CHARS = 2000
"""The longest disposition note; the console learns it from ``signed_in`` and keeps its form to it."""
REQUEST_TYPES = (
    "presence",
    "accept",
    "decline",
    "answer",
    "hangup",
    "disposition",
    "transfer",
    "consult",
    "consult_signal",
    "hand_over",
    "take_back",
    "consult_leave",
)


class _ConsoleMessage(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, allow_inf_nan=False)


class Presence(_ConsoleMessage):
    type: Literal["presence"]
    available: bool


class Accept(_ConsoleMessage):
    type: Literal["accept"]
    call: CallId


class Decline(_ConsoleMessage):
    type: Literal["decline"]
    call: CallId


class Answer(_ConsoleMessage):
    type: Literal["answer"]
    call: CallId
    sdp: Sdp


class Hangup(_ConsoleMessage):
    type: Literal["hangup"]
    call: CallId


class Disposition(_ConsoleMessage):
    type: Literal["disposition"]
    call: CallId
    resolved: bool
    category: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")]
    note: Annotated[str, Field(max_length=MAX_NOTE_CHARS)] = ""


class Transfer(_ConsoleMessage):
    type: Literal["transfer"]
    call: CallId
    skill: Annotated[str, Field(pattern=r"^[a-z0-9_-]{1,32}$")] | None = None
    agent: AgentId | None = None


class ConsultRequest(_ConsoleMessage):
    type: Literal["consult"]
    call: CallId
    agent: AgentId


class ConsultSignalMessage(_ConsoleMessage):
    type: Literal["consult_signal"]
    call: CallId
    kind: Literal["offer", "answer"]
    sdp: Sdp


class HandOver(_ConsoleMessage):
    type: Literal["hand_over"]
    call: CallId


class TakeBack(_ConsoleMessage):
    type: Literal["take_back"]
    call: CallId


class ConsultLeave(_ConsoleMessage):
    type: Literal["consult_leave"]
    call: CallId


ConsoleMessage = Annotated[
    Presence
    | Accept
    | Decline
    | Answer
    | Hangup
    | Disposition
    | Transfer
    | ConsultRequest
    | ConsultSignalMessage
    | HandOver
    | TakeBack
    | ConsultLeave,
    Field(discriminator="type"),
]
_ADAPTER: TypeAdapter[ConsoleMessage] = TypeAdapter(ConsoleMessage)


class BadConsoleMessage(ValueError):
    """A console message that is not one of ours; ``reason`` is short and safe to send back and log."""

    def __init__(self, reason: str, request: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.request = request


def parse(text: str) -> ConsoleMessage:
    """The typed message, or :class:`BadConsoleMessage`."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_MESSAGE_BYTES:
        raise BadConsoleMessage(f"message of {size} bytes exceeds {MAX_MESSAGE_BYTES}")
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise BadConsoleMessage("message is not JSON") from None
    if not isinstance(data, dict):
        raise BadConsoleMessage("message is not a JSON object")
    kind = data.get("type")
    if not isinstance(kind, str) or kind not in REQUEST_TYPES:
        raise BadConsoleMessage("unknown message type")
    try:
        return _ADAPTER.validate_python(data, strict=True)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"][1:]) or "message"
        raise BadConsoleMessage(f"{where}: {first['msg']}", kind) from None
