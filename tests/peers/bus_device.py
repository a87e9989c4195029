"""A device's call topics as a test drives them, and an observer of everything on the site's bus."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from pydantic import BaseModel

from bus.codec import encode
from bus.link import Publication
from bus.messages.call import CallContext, CallRequest
from bus.topics import TopicKind
from config.sections import BusSection
from tests.peers.central import SITE, TOPICS, WAIT_S
from tests.peers.inbox import Inbox


class BusDevice:
    """Publishes a device's ``call/out`` (as its own MQTT client, so the device's real connection can be
    another process) and keeps what arrives on its ``call/in``."""

    def __init__(self, broker_url: str, device_id: str) -> None:
        self.device_id = device_id
        self.inbox = Inbox(
            BusSection(url=broker_url, site=SITE), TOPICS.device(device_id, TopicKind.CALL_IN), f"test-{device_id}"
        )

    async def __aenter__(self) -> BusDevice:
        await self.inbox.__aenter__()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.inbox.__aexit__(*exc)

    def publish(self, kind: TopicKind, payload: bytes, retain: bool = False) -> None:
        sent = self.inbox.link.publish(Publication(TOPICS.device(self.device_id, kind), payload, 1, retain))
        assert sent, "the test's link is down"

    def send(self, message: BaseModel) -> None:
        self.publish(TopicKind.CALL_OUT, encode(message))

    def request(self, call_id: str, language: str = "zh", location: str = "T1 Hall B, gate 12") -> None:
        context = CallContext(screen="flight_detail", flight="HU7181", location=location, language=language)
        self.send(CallRequest(call=call_id, language=language, context=context))

    async def expect(self, message_type: str, **fields: Any) -> dict[str, Any]:
        """The first ``call/in`` message of this type (old or new) whose fields have these values."""

        def match(_topic: str, body: Any) -> bool:
            return (
                isinstance(body, dict)
                and body.get("type") == message_type
                and all(body.get(key) == value for key, value in fields.items())
            )

        found: dict[str, Any] = await self.inbox.wait_for(match, WAIT_S)
        return found

    def received(self, message_type: str) -> list[dict[str, Any]]:
        return [body for _, body in self.inbox.messages if isinstance(body, dict) and body.get("type") == message_type]


@asynccontextmanager
async def bus_observer(broker_url: str) -> AsyncIterator[Inbox]:
    """Every message under the site's root, live and retained alike (see tests.peers.retained for the latter)."""
    async with Inbox(BusSection(url=broker_url, site=SITE), f"{TOPICS.root}/#", "test-observer") as inbox:
        yield inbox


def queue_summary(check: Callable[[dict[str, Any]], bool]) -> Callable[[str, Any], bool]:
    """A match for the site's queue summary whose body passes ``check``."""
    return lambda topic, body: topic == TOPICS.site(TopicKind.QUEUE) and isinstance(body, dict) and check(body)


def from_now_on(inbox: Inbox, match: Callable[[str, Any], bool]) -> Callable[[str, Any], bool]:
    """``match``, but only for messages that arrive after this call (Inbox.wait_for also looks at old ones)."""
    seen = {id(body) for _, body in inbox.messages}
    return lambda topic, body: id(body) not in seen and match(topic, body)
