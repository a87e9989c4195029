"""How a call session talks to the switchboard: the ``Signalling`` interface, over the bus or in memory.

The interface is a pull: ``send`` one ``call/out`` message, ``receive`` the next ``call/in`` message. A
signalling object carries the messages of every call of its device; the one consumer (the current call
session) ignores those of other calls, e.g. a late ``queued`` of a call that has already ended.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Generic, Protocol, TypeVar, cast

from bus import codec
from bus.codec import MalformedLog, MalformedMessage
from bus.link import BusLink, Publication
from bus.messages.call import CallIn, CallOut
from bus.topics import TopicKind, Topics

log = logging.getLogger(__name__)


class SignallingUnavailable(ConnectionError):
    """A message could not be handed to the transport (e.g. the bus link is down); it was not sent."""


class Signalling(Protocol):
    """The device's side of call signalling. Both methods belong to the asyncio loop."""

    async def send(self, message: CallOut) -> None:
        """Hand ``message`` to the transport; raises :class:`SignallingUnavailable` when it cannot."""

    async def receive(self) -> CallIn:
        """The next valid message for this device; malformed ones never come out of here."""


class BusSignalling:
    """Signalling over MQTT: publishes on ``{root}/device/{id}/call/out``, listens on ``…/call/in``.

    ``start()`` subscribes. Malformed messages are dropped and logged (the first at WARNING). At most
    ``INBOX_LIMIT`` messages wait for the session; beyond that the oldest is dropped, so a flood from the
    network cannot grow memory.
    """

    INBOX_LIMIT = 64

    def __init__(self, link: BusLink, topics: Topics, device_id: str) -> None:
        self._link = link
        self._device_id = device_id
        self._out_topic = topics.device(device_id, TopicKind.CALL_OUT)
        self._in_topic = topics.device(device_id, TopicKind.CALL_IN)
        self._inbox: asyncio.Queue[CallIn] = asyncio.Queue(maxsize=self.INBOX_LIMIT)
        self._malformed = MalformedLog(log)
        self._overflowed = False
        self._started = False

    @property
    def malformed_count(self) -> int:
        return self._malformed.count

    def start(self) -> None:
        """Subscribe to this device's ``call/in`` (the link keeps the subscription across reconnects)."""
        if not self._started:
            self._started = True
            self._link.subscribe(self._in_topic, self._on_message)

    async def send(self, message: CallOut) -> None:
        if not self._link.publish(Publication(self._out_topic, codec.encode(message), qos=1)):
            state = self._link.state
            raise SignallingUnavailable(f"bus link is {state}: {message.type} of call {message.call} not sent")

    async def receive(self) -> CallIn:
        return await self._inbox.get()

    def _on_message(self, topic: str, payload: bytes) -> None:
        try:
            message = cast(CallIn, codec.decode(TopicKind.CALL_IN, payload))
        except MalformedMessage as exc:
            self._malformed.report(TopicKind.CALL_IN, self._device_id, exc.reason)
            return
        if self._inbox.full():
            dropped = self._inbox.get_nowait()
            if not self._overflowed:
                self._overflowed = True
                log.warning("call/in of %s: nobody reads it; dropping old messages (%s)", self._device_id, dropped.type)
        self._inbox.put_nowait(message)


SendT = TypeVar("SendT")
ReceiveT = TypeVar("ReceiveT")


class MemoryEnd(Generic[SendT, ReceiveT]):
    """One end of a :class:`MemorySignallingPair`.

    Messages travel as the bytes the bus would carry: ``send`` encodes and checks them as the receiver would
    (an invalid message raises :class:`MalformedMessage` at the sender, where the mistake is), ``receive``
    decodes them. ``sent`` keeps everything this end sent, for tests to look at.
    """

    def __init__(
        self,
        send_kind: TopicKind,
        receive_kind: TopicKind,
        outbox: asyncio.Queue[bytes],
        inbox: asyncio.Queue[bytes],
    ) -> None:
        self._send_kind = send_kind
        self._receive_kind = receive_kind
        self._outbox = outbox
        self._inbox = inbox
        self.sent: list[SendT] = []
        self.connected = True

    async def send(self, message: SendT) -> None:
        if not self.connected:
            raise SignallingUnavailable("memory signalling disconnected")
        payload = codec.encode(cast(Any, message))
        codec.decode(self._send_kind, payload)
        self.sent.append(message)
        self._outbox.put_nowait(payload)

    async def receive(self) -> ReceiveT:
        return cast(ReceiveT, codec.decode(self._receive_kind, await self._inbox.get()))


class MemorySignallingPair:
    """Two connected ends for tests and benchmarks: ``device`` for the call session, ``switchboard`` for the
    scripted far end (which receives ``call/out`` messages and sends ``call/in`` messages)."""

    def __init__(self) -> None:
        to_switchboard: asyncio.Queue[bytes] = asyncio.Queue()
        to_device: asyncio.Queue[bytes] = asyncio.Queue()
        self.device: MemoryEnd[CallOut, CallIn] = MemoryEnd(
            TopicKind.CALL_OUT, TopicKind.CALL_IN, to_switchboard, to_device
        )
        self.switchboard: MemoryEnd[CallIn, CallOut] = MemoryEnd(
            TopicKind.CALL_IN, TopicKind.CALL_OUT, to_device, to_switchboard
        )
