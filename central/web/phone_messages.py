"""What a phone's video-help page sends on ``/ws/phone``, one JSON object per text frame.

The page never names a call: central chooses the phone's caller id and its call ids, so a page can only
ever act on its own call. Anything that does not validate is answered with ``error`` and counted; see
:mod:`central.web.phone` for what happens to a socket that keeps sending it.
"""

from __future__ import annotations

import json
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from bus.messages.call import HandoverToken, Language, Sdp


class _PhoneMessage(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class StartCall(_PhoneMessage):
    """Ask for an agent in ``language``; ``sign`` for a sign-language agent."""

    type: Literal["call"]
    language: Language
    sign: bool = False


class TakeOver(_PhoneMessage):
    """Continue on your phone: take over the waiting call the token names."""

    type: Literal["take_over"]
    token: HandoverToken


class Resume(_PhoneMessage):
    """Back on a new socket after the old one dropped while waiting: the ``resume`` token of ``session``."""

    type: Literal["resume"]
    token: HandoverToken


class Cancel(_PhoneMessage):
    type: Literal["cancel"]


class Offer(_PhoneMessage):
    """The page's complete SDP offer (ICE gathered), after ``connect``."""

    type: Literal["offer"]
    sdp: Sdp


class Hangup(_PhoneMessage):
    type: Literal["hangup"]
    reason: Literal["caller", "failed"] = "caller"


class Rate(_PhoneMessage):
    type: Literal["rating"]
    stars: Annotated[int, Field(ge=1, le=5)]
    answered: bool | None = None


PhoneMessage = Annotated[StartCall | TakeOver | Resume | Cancel | Offer | Hangup | Rate, Field(discriminator="type")]
_ADAPTER: TypeAdapter[PhoneMessage] = TypeAdapter(PhoneMessage)


class BadPhoneMessage(ValueError):
    """The frame is not a message this socket takes; ``reason`` is short and safe to send back."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def parse(text: str) -> PhoneMessage:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise BadPhoneMessage("not_json") from None
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        raise BadPhoneMessage("not_a_message")
    try:
        return _ADAPTER.validate_python(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"][1:]) or "type"
        raise BadPhoneMessage(f"invalid:{where}"[:100]) from None
