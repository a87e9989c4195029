"""Topic names of the v1 contract, built and parsed in one place."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from config.sections import DEVICE_ID_PATTERN

_DEVICE_ID = re.compile(DEVICE_ID_PATTERN)


class TopicKind(StrEnum):
    DEVICE_STATUS = "status"
    DEVICE_HEALTH = "health"
    DEVICE_QUEUE = "queue"
    DEVICE_EVENT = "event"
    COMMAND = "cmd"
    COMMAND_REPLY = "cmd/reply"
    CALL_OUT = "call/out"
    CALL_IN = "call/in"
    CENTRAL_STATUS = "central/status"
    QUEUE = "queue-summary"
    FLIGHTS_DEP = "flights/dep"
    FLIGHTS_ARR = "flights/arr"
    FLIGHTS_UPDATE = "flights/update"
    ALERT = "alert"


DEVICE_KINDS = (
    TopicKind.DEVICE_STATUS,
    TopicKind.DEVICE_HEALTH,
    TopicKind.DEVICE_QUEUE,
    TopicKind.DEVICE_EVENT,
    TopicKind.COMMAND,
    TopicKind.COMMAND_REPLY,
    TopicKind.CALL_OUT,
    TopicKind.CALL_IN,
)

_SITE_TOPICS = {
    "central/status": TopicKind.CENTRAL_STATUS,
    "queue": TopicKind.QUEUE,
    "flights/dep": TopicKind.FLIGHTS_DEP,
    "flights/arr": TopicKind.FLIGHTS_ARR,
    "flights/update": TopicKind.FLIGHTS_UPDATE,
    "alert": TopicKind.ALERT,
}


@dataclass(frozen=True)
class TopicMatch:
    kind: TopicKind
    device_id: str | None = None


@dataclass(frozen=True)
class Topics:
    """Every topic under one root, e.g. ``airport/HAK``."""

    root: str

    def device(self, device_id: str, kind: TopicKind) -> str:
        if kind not in DEVICE_KINDS:
            raise ValueError(f"{kind} is not a per-device topic")
        if not _DEVICE_ID.fullmatch(device_id):
            raise ValueError(f"device id {device_id!r} must match {DEVICE_ID_PATTERN}")
        return f"{self.root}/device/{device_id}/{kind.value}"

    def every_device(self, kind: TopicKind) -> str:
        """Subscription pattern for one kind of topic on all devices."""
        if kind not in DEVICE_KINDS:
            raise ValueError(f"{kind} is not a per-device topic")
        return f"{self.root}/device/+/{kind.value}"

    def site(self, kind: TopicKind) -> str:
        for suffix, known in _SITE_TOPICS.items():
            if known is kind:
                return f"{self.root}/{suffix}"
        raise ValueError(f"{kind} is a per-device topic")

    def parse(self, topic: str) -> TopicMatch | None:
        """What a topic is, or None when it is not ours."""
        prefix = self.root + "/"
        if not topic.startswith(prefix):
            return None
        rest = topic[len(prefix) :]
        if rest in _SITE_TOPICS:
            return TopicMatch(_SITE_TOPICS[rest])
        parts = rest.split("/", 2)
        if len(parts) == 3 and parts[0] == "device" and _DEVICE_ID.fullmatch(parts[1]):
            for kind in DEVICE_KINDS:
                if parts[2] == kind.value:
                    return TopicMatch(kind, parts[1])
        return None
