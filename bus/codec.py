"""Turning bus payloads into typed messages and back; a bad payload raises :class:`MalformedMessage`."""

from __future__ import annotations

import logging
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic_core import from_json

from bus.messages.call import CALL_IN, CALL_OUT
from bus.messages.central import Alert, CentralStatus, QueueSummary
from bus.messages.device import Command, CommandReply, DeviceEvent, DeviceHealth, DeviceQueue, DeviceStatus
from bus.messages.flights import FlightBoard, FlightUpdate
from bus.topics import TopicKind

MAX_PAYLOAD_BYTES = 128 * 1024
MAX_BOARD_PAYLOAD_BYTES = 8 * 1024 * 1024

_ADAPTERS: dict[TopicKind, TypeAdapter[Any]] = {
    TopicKind.DEVICE_STATUS: TypeAdapter(DeviceStatus),
    TopicKind.DEVICE_HEALTH: TypeAdapter(DeviceHealth),
    TopicKind.DEVICE_QUEUE: TypeAdapter(DeviceQueue),
    TopicKind.DEVICE_EVENT: TypeAdapter(DeviceEvent),
    TopicKind.COMMAND: TypeAdapter(Command),
    TopicKind.COMMAND_REPLY: TypeAdapter(CommandReply),
    TopicKind.CALL_OUT: CALL_OUT,
    TopicKind.CALL_IN: CALL_IN,
    TopicKind.CENTRAL_STATUS: TypeAdapter(CentralStatus),
    TopicKind.QUEUE: TypeAdapter(QueueSummary),
    TopicKind.FLIGHTS_DEP: TypeAdapter(FlightBoard),
    TopicKind.FLIGHTS_ARR: TypeAdapter(FlightBoard),
    TopicKind.FLIGHTS_UPDATE: TypeAdapter(FlightUpdate),
    TopicKind.ALERT: TypeAdapter(Alert),
}

_BOARD_KINDS = {TopicKind.FLIGHTS_DEP, TopicKind.FLIGHTS_ARR, TopicKind.FLIGHTS_UPDATE}

# each kind's size limit and adapter in one look-up: a TopicKind hashes in Python (Enum.__hash__), and central
# decodes 600 messages a second (bench.fleet)
_PLANS: dict[TopicKind, tuple[int, TypeAdapter[Any]]] = {
    kind: (MAX_BOARD_PAYLOAD_BYTES if kind in _BOARD_KINDS else MAX_PAYLOAD_BYTES, adapter)
    for kind, adapter in _ADAPTERS.items()
}


class MalformedMessage(ValueError):
    """A payload that is not a valid v1 message for its topic. ``reason`` is short and safe to log."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def encode(message: BaseModel) -> bytes:
    return message.model_dump_json(exclude_none=False).encode()


def decode(kind: TopicKind, payload: bytes) -> Any:
    """The typed message for ``payload`` on a topic of ``kind``."""
    limit, adapter = _PLANS[kind]
    if len(payload) > limit:
        raise MalformedMessage(f"payload of {len(payload)} bytes exceeds {limit}")
    if not payload:
        raise MalformedMessage("empty payload")
    # Whether the version check holds without parsing: the payload starts as encode() writes it, with the
    # integer 1 as "v", and no other key can be "v" (no second "v", and no escapes to spell one differently).
    # Validation still parses all of it; this spares most messages a first, separate parse (a third of their
    # decoding: bench.fleet). A payload that fails validation is checked in full after all. Written inline,
    # and with find() rather than a slice (a copy of the payload): central does this 600 times a second.
    plain = payload.startswith(_VERSION_1_START) and payload.find(b'"v"', 7) < 0 and b"\\" not in payload
    if not plain:
        _check_json_object_v1(payload)
    try:
        return adapter.validate_json(payload, strict=True)
    except ValidationError as exc:
        if plain:
            _check_json_object_v1(payload)  # the most basic fault first, as when checked before
        raise MalformedMessage(_summarise(exc)) from None


def _check_json_object_v1(payload: bytes) -> None:
    """Raise unless ``payload`` is a JSON object with the integer 1 as ``v``."""
    try:
        # pydantic's own JSON parser, as validate_json uses: the same payloads parse (a few that Python's
        # json takes, a lone surrogate or nesting hundreds deep, fail both), at a third of json.loads' cost
        data = from_json(payload)
    except ValueError:
        raise MalformedMessage(_not_json_reason(payload)) from None
    if not isinstance(data, dict):
        raise MalformedMessage("payload is not a JSON object")
    version = data.get("v")
    if type(version) is not int or version != 1:  # True == 1 in Python; JSON true is no version
        raise MalformedMessage(f"unsupported version v={repr(version)[:40]}")


_VERSION_1_START = b'{"v":1,'


def _not_json_reason(payload: bytes) -> str:
    try:
        payload.decode("utf-8")
    except UnicodeDecodeError:
        return "payload is not UTF-8"
    return "payload is not JSON"


def _summarise(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "message"
    more = f" (+{exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"{where}: {first['msg']}{more}"


class MalformedLog:
    """Logs a malformed message once per (kind, source) at WARNING, later ones at DEBUG, and counts all."""

    MAX_REMEMBERED = 10_000  # sources come from the network; forget them all rather than grow forever

    def __init__(self, logger: logging.Logger) -> None:
        self._logger = logger
        self._seen: set[tuple[str, str]] = set()
        self.count = 0

    def report(self, kind: TopicKind | str, source: str, reason: str) -> None:
        self.count += 1
        key = (str(kind), source)
        if len(self._seen) >= self.MAX_REMEMBERED:
            self._seen.clear()
        level = logging.DEBUG if key in self._seen else logging.WARNING
        self._seen.add(key)
        self._logger.log(level, "dropped malformed %s message from %s: %s", kind, source, reason)
