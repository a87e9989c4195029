"""One simulated kiosk or display on the bus, speaking the contract as the real programs do (docs/protocol.md):
its own connection and client id, a Last Will, a retained birth after every connect, health every few
seconds, numbered events, a reply to every command, and reconnecting with a doubling delay.

It runs on a :class:`PahoDriver` (no thread of its own) and on loop timers (no task of its own), so that
thousands of them fit in one process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import ssl
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion
from paho.mqtt.reasoncodes import ReasonCode

from bus.codec import MalformedMessage, decode, encode
from bus.messages.device import (
    Command,
    CommandReply,
    DeviceEvent,
    DeviceKind,
    DeviceStatus,
    OfflineReason,
    PrinterState,
)
from bus.topics import TopicKind, Topics
from demo.fleet.driver import PahoDriver
from demo.fleet.figures import HealthFigures

log = logging.getLogger(__name__)

SIMULATED_VERSION = "0.1.0-sim"
MAX_QUEUED_EVENTS = 1000
"""Events kept for the broker while it is away (paho's queue); beyond that the newest are lost, as a full
outbox would lose the oldest, and central records the gap in ``seq``."""
SCREEN_STATES = ("on", "off", "auto")


@dataclass(frozen=True)
class BrokerAddress:
    host: str
    port: int
    tls: bool = False
    ca_file: str | None = None
    username: str | None = None
    password: str | None = None


@dataclass(frozen=True)
class Pace:
    """How often a device speaks, and how it reconnects (seconds)."""

    health_every_s: float = 30.0
    event_every_s: float = 60.0
    keepalive_s: int = 60
    reconnect_min_s: float = 1.0
    reconnect_max_s: float = 30.0


@dataclass
class FleetCounters:
    """What the whole fleet did, summed over its devices."""

    online: int = 0
    births: int = 0
    health_sent: int = 0
    events_made: int = 0
    events_acked: int = 0
    events_lost: int = 0
    commands_answered: int = 0
    commands_malformed: int = 0
    connect_failures: int = 0
    connections_lost: int = 0
    ever_online: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class SimulatedIdentity:
    device_id: str
    kind: DeviceKind
    location: str
    boot_id: str = field(default_factory=lambda: uuid.uuid4().hex[:16])

    def status(self, online: bool, reason: OfflineReason | None = None) -> DeviceStatus:
        return DeviceStatus(
            online=online,
            kind=self.kind,
            version=SIMULATED_VERSION,
            boot_id=self.boot_id,
            location=self.location,
            reason=reason,
        )


class SimulatedDevice:
    """A kiosk or signage display that exists only on the bus."""

    def __init__(
        self,
        identity: SimulatedIdentity,
        broker: BrokerAddress,
        topics: Topics,
        pace: Pace,
        driver: PahoDriver,
        counters: FleetCounters,
        rng: random.Random,
        first_seq: int = 0,
    ) -> None:
        self.identity = identity
        self._broker = broker
        self._pace = pace
        self._driver = driver
        self._counters = counters
        self._rng = rng
        self._loop = asyncio.get_running_loop()
        self.next_seq = first_seq
        self._figures = HealthFigures(identity.kind, rng)
        self._started = time.monotonic()
        self._last_health = self._started
        self._screen = "auto"
        device = identity.device_id
        self._status_topic = topics.device(device, TopicKind.DEVICE_STATUS)
        self._health_topic = topics.device(device, TopicKind.DEVICE_HEALTH)
        self._event_topic = topics.device(device, TopicKind.DEVICE_EVENT)
        self._command_topic = topics.device(device, TopicKind.COMMAND)
        self._reply_topic = topics.device(device, TopicKind.COMMAND_REPLY)
        self._client = self._make_client()
        self._online = False
        self._stopping = False
        self._delay_s = pace.reconnect_min_s
        self._connecting: asyncio.Task[None] | None = None
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._retry: asyncio.TimerHandle | None = None
        self._sent_at: dict[int, float] = {}  # health mid -> when, for the broker round trip
        self._event_mids: set[int] = set()
        self._acked: dict[int, Callable[[], None]] = {}
        self.rtt_ms: float | None = None

    @property
    def online(self) -> bool:
        return self._online

    def _make_client(self) -> mqtt.Client:
        client = mqtt.Client(
            callback_api_version=CallbackAPIVersion.VERSION2,
            client_id=self.identity.device_id,
            protocol=MQTTProtocolVersion.MQTTv311,
            clean_session=True,
        )
        broker = self._broker
        if broker.username is not None:
            client.username_pw_set(broker.username, broker.password)
        if broker.tls:
            client.tls_set(ca_certs=broker.ca_file, cert_reqs=ssl.CERT_REQUIRED)
        will = self.identity.status(False, OfflineReason.LOST)
        client.will_set(self._status_topic, encode(will), qos=1, retain=True)
        client.max_queued_messages_set(MAX_QUEUED_EVENTS)
        client.connect_async(broker.host, broker.port, keepalive=self._pace.keepalive_s)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        client.on_publish = self._on_publish
        self._driver.attach(client)
        return client

    # --- life cycle ------------------------------------------------------------------------------------------

    def start(self, after_s: float = 0.0) -> None:
        """Connect after ``after_s`` (a fleet spreads its devices' first connects), then keep connecting."""
        self._retry = self._loop.call_later(after_s, self._connect_now)
        # each device keeps its own phase, so that a fleet's health does not arrive in one burst
        self._every("health", self._pace.health_every_s, self._report_health)
        self._every("event", self._pace.event_every_s, self._make_event)

    async def stop(self, timeout_s: float = 3.0) -> None:
        """Say ``shutdown`` (retained) and disconnect cleanly, so the broker drops the Will."""
        self._stopping = True
        for timer in self._timers.values():
            timer.cancel()
        if self._retry is not None:
            self._retry.cancel()
        if self._connecting is not None:
            self._connecting.cancel()
            with contextlib.suppress(asyncio.CancelledError, OSError):
                await self._connecting
        if self._online:
            acked = self._loop.create_future()
            goodbye = encode(self.identity.status(False, OfflineReason.SHUTDOWN))
            self._publish(self._status_topic, goodbye, retain=True, on_ack=lambda: _settle(acked))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(acked, timeout_s)
            self._client.disconnect()
            await asyncio.sleep(0)  # the flush that writes DISCONNECT
        self._driver.detach(self._client)
        self._set_online(False)

    def _every(self, name: str, interval_s: float, action: Callable[[], None]) -> None:
        def tick() -> None:
            if self._stopping:
                return
            self._timers[name] = self._loop.call_later(interval_s, tick)
            action()

        self._timers[name] = self._loop.call_later(self._rng.uniform(0, interval_s), tick)

    def _connect_now(self) -> None:
        self._retry = None
        if self._stopping or self._connecting is not None:
            return
        self._connecting = self._loop.create_task(self._connect(), name=f"connect-{self.identity.device_id}")

    async def _connect(self) -> None:
        try:
            await self._driver.connect(self._client)
        except (OSError, ssl.SSLError) as exc:
            self._counters.connect_failures += 1
            log.debug("%s cannot connect: %s", self.identity.device_id, exc)
            self._retry_later()
        finally:
            self._connecting = None

    def _retry_later(self) -> None:
        if self._stopping or self._retry is not None:
            return
        # jitter: a fleet that lost its broker together must not come back in one stampede
        delay = self._delay_s * self._rng.uniform(0.5, 1.0)
        self._delay_s = min(self._pace.reconnect_max_s, self._delay_s * 2)
        self._retry = self._loop.call_later(delay, self._connect_now)

    def _set_online(self, online: bool) -> None:
        if online != self._online:
            self._counters.online += 1 if online else -1
            self._online = online

    # --- paho's callbacks (on the loop, from the driver) -----------------------------------------------------

    def _on_connect(self, client: mqtt.Client, _userdata: Any, _flags: Any, reason: ReasonCode, _props: Any) -> None:
        if reason.is_failure:
            log.warning("broker refused %s: %s", self.identity.device_id, reason)
            self._counters.connect_failures += 1
            return  # the broker closes the connection: _on_disconnect retries
        self._delay_s = self._pace.reconnect_min_s
        self._set_online(True)
        self._counters.births += 1
        self._counters.ever_online.add(self.identity.device_id)
        client.subscribe(self._command_topic, 1)
        self._publish(self._status_topic, encode(self.identity.status(True)), retain=True)
        self._report_health()

    def _on_disconnect(self, _client: mqtt.Client, _userdata: Any, _flags: Any, _reason: Any, _props: Any) -> None:
        if self._online and not self._stopping:
            self._counters.connections_lost += 1
        self._set_online(False)
        self._sent_at.clear()
        self._retry_later()

    def _on_publish(self, _client: mqtt.Client, _userdata: Any, mid: int, _reason: Any, _props: Any) -> None:
        sent = self._sent_at.pop(mid, None)
        if sent is not None:
            self.rtt_ms = (time.monotonic() - sent) * 1000.0
        if mid in self._event_mids:
            self._event_mids.discard(mid)
            self._counters.events_acked += 1
        on_ack = self._acked.pop(mid, None)
        if on_ack is not None:
            on_ack()

    def _on_message(self, _client: mqtt.Client, _userdata: Any, message: mqtt.MQTTMessage) -> None:
        try:
            command = decode(TopicKind.COMMAND, bytes(message.payload))
        except MalformedMessage as exc:
            self._counters.commands_malformed += 1
            log.debug("%s: malformed command dropped (%s)", self.identity.device_id, exc.reason)
            return
        assert isinstance(command, Command)
        ok, detail = self._answer(command)
        self._publish(self._reply_topic, encode(CommandReply(id=command.id, ok=ok, detail=detail)))
        self._counters.commands_answered += 1

    # --- what the device says --------------------------------------------------------------------------------

    def _answer(self, command: Command) -> tuple[bool, str]:
        """The reply to a command, as the real programs give it for the ones they know."""
        name = command.name
        if name == "print_test":
            if self.identity.kind is not DeviceKind.KIOSK:
                return False, "this display has no printer"
            if self._figures.printer is not PrinterState.READY and self._figures.printer is not PrinterState.PAPER_LOW:
                return False, f"printer {self._figures.printer.value}: the test page waits"
            return True, f"test page printed (simulated printer, job {self._rng.getrandbits(64):016x})"
        if name == "screen":
            state = command.args.get("state")
            if state not in SCREEN_STATES:
                return False, f"screen state {state!r}: give state = on, off or auto"
            self._screen = str(state)
            return True, f"screen {self._screen}"
        return False, f"unknown command {name!r} (this simulated device knows print_test, screen)"

    def _report_health(self) -> None:
        if not self._online:
            return  # a snapshot taken while the link is down is dropped, as the real reporter does
        now = time.monotonic()
        health = self._figures.snapshot(SIMULATED_VERSION, now - self._started, now - self._last_health, self.rtt_ms)
        self._last_health = now
        mid = self._publish(self._health_topic, encode(health), retain=True)
        if mid is not None:
            self._sent_at[mid] = now
            self._counters.health_sent += 1

    def _make_event(self) -> None:
        seq = self.next_seq
        self.next_seq += 1
        self._counters.events_made += 1
        name, data = self._event_content()
        mid = self._publish(self._event_topic, encode(DeviceEvent(seq=seq, name=name, data=data)), queue=True)
        if mid is None:
            self._counters.events_lost += 1
        else:
            self._event_mids.add(mid)

    def _event_content(self) -> tuple[str, dict[str, Any]]:
        job = f"{self._rng.getrandbits(64):016x}"
        if self.identity.kind is DeviceKind.KIOSK:
            template = self._rng.choice(("wifi_voucher", "flight_slip", "queue_ticket"))
            return "print.done", {"job": job, "template": template}
        return "board.turned", {"page": self._rng.randint(1, 4), "language": self._rng.choice(("zh", "en"))}

    def _publish(
        self,
        topic: str,
        payload: bytes,
        retain: bool = False,
        queue: bool = False,
        on_ack: Callable[[], None] | None = None,
    ) -> int | None:
        """QoS 1; the message id, or None when it was not taken. Only ``queue`` messages (events) are kept
        by paho for the next connection; the rest are for now or never."""
        if not (self._online or queue):
            return None
        info = self._client.publish(topic, payload, qos=1, retain=retain)
        if info.rc not in (mqtt.MQTT_ERR_SUCCESS, mqtt.MQTT_ERR_NO_CONN):
            return None  # paho's queue is full
        if on_ack is not None:
            self._acked[info.mid] = on_ack
        return info.mid


def _settle(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
