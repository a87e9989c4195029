"""The base of every bus message: UTF-8 JSON objects with ``"v": 1``; unknown fields are ignored."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from config.sections import DEVICE_ID_PATTERN

DEVICE_ID = DEVICE_ID_PATTERN
"""Settings check a device's own id with the same pattern, so it is defined once, in config."""
AGENT_ID = r"^[A-Za-z0-9_.-]{1,64}$"
"""An agent's account id: the console sign-in, the switchboard and the ``connect`` message's agent card."""
CALL_ID = r"^[A-Za-z0-9_-]{1,64}$"
IATA = r"^[A-Z]{3}$"

ShortText = Annotated[str, Field(max_length=200)]
LongText = Annotated[str, Field(max_length=4000)]
DeviceId = Annotated[str, Field(pattern=DEVICE_ID)]
AgentId = Annotated[str, Field(pattern=AGENT_ID)]
CallId = Annotated[str, Field(pattern=CALL_ID)]


def _must_have_offset(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("time must carry a UTC offset, e.g. 2026-11-23T14:45:00+00:00")
    return value


Timestamp = Annotated[datetime, AfterValidator(_must_have_offset)]


MAX_URL_CHARS = 2000


def _web_url(value: str) -> str:
    """An http(s) address with a host and nothing hidden in it: no control characters or spaces (which a
    browser or a QR reader may treat differently from how it looks), no user name before the host
    (``https://airport.example@evil.example`` shows one host and goes to another)."""
    if any(ord(ch) < 0x21 or ord(ch) == 0x7F for ch in value):
        raise ValueError("a web address may not contain spaces or control characters")
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"not a web address: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("a web address must start with http:// or https:// and name a host")
    if "@" in parts.netloc:
        raise ValueError("a web address may not carry a user name or password")
    del port  # parsed only to refuse a bad one
    return value


WebUrl = Annotated[str, Field(max_length=MAX_URL_CHARS), AfterValidator(_web_url)]
"""An http or https address, parsed: see :func:`_web_url`."""


def utc_now() -> datetime:
    """Now, in UTC with an offset, as every message timestamp is."""
    return datetime.now(UTC)


# Receivers decode strictly (bus.codec): no "yes" for a boolean, no "12" for a number, no NaN.
STRICT_JSON = ConfigDict(extra="ignore", frozen=True, allow_inf_nan=False)


class Part(BaseModel):
    """A nested object inside a message; unknown fields are ignored."""

    model_config = STRICT_JSON


class Message(BaseModel):
    """A v1 bus message. Unknown fields are ignored so that newer senders do not break older receivers."""

    model_config = STRICT_JSON

    v: Literal[1] = 1
