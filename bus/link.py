"""The MQTT link on paho-mqtt 2.x, driven from asyncio.

paho's network loop runs in its own thread (``loop_start``), which also does the reconnecting with
a capped, doubling delay. With several brokers (``[bus] brokers``, a cluster or a bridge), each failed
attempt and each lost connection moves the next attempt on to the next broker, in turn.

Everything a caller sees (state changes, messages, "connected") is handed to the asyncio loop with
``call_soon_threadsafe``, so handlers run on the loop and never block paho, and nothing here ever blocks
the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion
from paho.mqtt.reasoncodes import ReasonCode

from config.sections import BusRisk, BusSection

log = logging.getLogger(__name__)

MessageHandler = Callable[[str, bytes], None]
ClientT = TypeVar("ClientT", bound=mqtt.Client)
StateListener = Callable[["LinkState", str], None]

STOP_PUBLISH_TIMEOUT_S = 3.0
# Messages handed from paho's thread to the loop and not yet handled. A flood beyond this is dropped (and
# counted) in paho's thread rather than queued without bound in the loop's memory.
MAX_PENDING_MESSAGES = 10_000
MAX_AWAITED_ACKS = 10_000


_RISK_TEXT = {
    BusRisk.ANONYMOUS: "no user name, so the broker cannot keep other clients off this program's topics",
    BusRisk.PLAINTEXT: "not TLS, so anyone on the network path can read and change what is sent",
}


def topic_matcher(pattern: str) -> Callable[[str], bool]:
    """A test of topics against one subscription ``pattern`` (MQTT 3.1.1, 4.7), built once per pattern.

    paho's ``topic_matches_sub`` builds a matcher tree at every call: with 2,000 devices that was a third of
    central's CPU (bench.fleet). A pattern that starts with a wildcard does not match a ``$`` topic."""
    levels = pattern.split("/")
    if "+" not in levels and "#" not in levels:
        return lambda topic: topic == pattern
    parts: list[str] = []
    for level in levels:
        if level == "#":  # only ever last: this level and any below, or none ("a/#" matches "a")
            parts = [f"(?:{'/'.join(parts)}(?:/.*)?)" if parts else ".*"]
            break
        parts.append("[^/]*" if level == "+" else re.escape(level))
    compiled = re.compile("/".join(parts), re.DOTALL)
    shields_dollar = levels[0] in ("+", "#")
    return lambda topic: compiled.fullmatch(topic) is not None and not (shields_dollar and topic.startswith("$"))


class LinkState(StrEnum):
    CONNECTING = "connecting"
    ONLINE = "online"
    OFFLINE = "offline"
    REFUSED = "refused"


@dataclass(frozen=True)
class Publication:
    topic: str
    payload: bytes
    qos: int = 1
    retain: bool = False


class BusLink:
    """One connection to the broker, with a Last Will, subscriptions that survive reconnects, and a
    round-trip figure taken from QoS 1 acknowledgements."""

    def __init__(
        self, settings: BusSection, client_id: str, will: Publication | None = None, clean_session: bool = True
    ) -> None:
        """``clean_session=False`` asks the broker to keep the session across connections: the subscriptions,
        and the QoS 1 messages that match them while this client is away (central uses it for device events)."""
        self._settings = settings
        self._clean_session = clean_session
        self._client_id = client_id
        self._will = will
        self._subscriptions: list[tuple[str, int, MessageHandler]] = []
        self._matchers: list[tuple[Callable[[str], bool], str, MessageHandler]] = []
        self._pending_lock = threading.Lock()
        self._pending = 0
        self.dropped = 0
        self._state_listeners: list[StateListener] = []
        self._connected_listeners: list[Callable[[], None]] = []
        self._state = LinkState.OFFLINE
        self._loop: asyncio.AbstractEventLoop | None = None
        self._client: mqtt.Client | None = None
        self._sent_at: dict[int, float] = {}
        self._sent_lock = threading.Lock()
        # callbacks for messages whose broker acknowledgement (PUBACK) someone waits for, by message id;
        # an ack can beat publish() back to us, so acks nobody waited for yet are kept for a moment
        self._on_ack: dict[int, Callable[[], None]] = {}
        self._early_acks: set[int] = set()
        self._stopping = False
        self.last_rtt_ms: float | None = None
        self._endpoints = settings.endpoints
        self._broker = 0  # index in _endpoints of the broker in use, or tried next; changed in paho's thread

    @property
    def risks(self) -> list[BusRisk]:
        """What makes this connection unsafe (see :attr:`BusSection.risks`)."""
        return self._settings.risks

    @property
    def state(self) -> LinkState:
        return self._state

    @property
    def where(self) -> str:
        """host:port of the broker in use (or being tried)."""
        host, port = self._endpoints[self._broker]
        return f"{host}:{port}"

    def add_state_listener(self, listener: StateListener) -> None:
        """Called on the loop with (state, detail) whenever the link's state changes."""
        self._state_listeners.append(listener)

    def add_connected_listener(self, listener: Callable[[], None]) -> None:
        """Called on the loop after every successful (re)connect: the place to publish a birth."""
        self._connected_listeners.append(listener)

    def subscribe(self, pattern: str, handler: MessageHandler, qos: int = 1) -> None:
        """Deliver messages matching ``pattern`` to ``handler`` on the loop, now and after reconnects."""
        self._subscriptions.append((pattern, qos, handler))
        self._matchers.append((topic_matcher(pattern), pattern, handler))
        if self._client is not None and self._client.is_connected():
            # paho may have subscribed the list already; a second SUBSCRIBE for a pattern is harmless
            self._client.subscribe(pattern, qos)

    def resubscribe(self, pattern: str) -> bool:
        """SUBSCRIBE to ``pattern`` once more, adding no handler: the broker then sends its retained message
        again (MQTT 3.1.1, 3.8.4), which is how a device re-reads a snapshot. False when the link is down."""
        client = self._client
        if client is None or not client.is_connected():
            return False
        qos = next((q for known, q, _handler in self._subscriptions if known == pattern), 1)
        result, _mid = client.subscribe(pattern, qos)
        return result == mqtt.MQTT_ERR_SUCCESS

    def mute(self, pattern: str) -> bool:
        """UNSUBSCRIBE from ``pattern`` at the broker but keep its handler: nothing more arrives for it until
        :meth:`resubscribe` or the next connect (which subscribes every pattern again). A device mutes a
        retained snapshot once it has it and follows the updates instead. False when the link is down."""
        client = self._client
        if client is None or not client.is_connected():
            return False
        result, _mid = client.unsubscribe(pattern)
        return result == mqtt.MQTT_ERR_SUCCESS

    def publish(self, publication: Publication) -> bool:
        """Queue a message; returns False when the link is not up (the caller decides whether that matters)."""
        client = self._client
        if client is None or not client.is_connected():
            return False
        sent = time.monotonic()
        info = client.publish(publication.topic, publication.payload, publication.qos, publication.retain)
        if publication.qos > 0 and info.rc == mqtt.MQTT_ERR_SUCCESS:
            with self._sent_lock:
                self._sent_at[info.mid] = sent
                if len(self._sent_at) > 1000:  # acknowledgements lost with a connection
                    self._sent_at.clear()
        return info.rc == mqtt.MQTT_ERR_SUCCESS

    def publish_acked(self, publication: Publication, on_ack: Callable[[], None]) -> bool:
        """Publish with QoS 1 and call ``on_ack`` on the loop once the broker has it (its PUBACK). False
        when the link is down. An ack lost with the connection is never called: resend after reconnecting."""
        client = self._client
        if client is None or not client.is_connected():
            return False
        info = client.publish(publication.topic, publication.payload, 1, publication.retain)
        if info.rc != mqtt.MQTT_ERR_SUCCESS:
            return False
        with self._sent_lock:
            if info.mid in self._early_acks:
                self._early_acks.discard(info.mid)
                acked_already = True
            else:
                if len(self._on_ack) >= MAX_AWAITED_ACKS:  # acks lost with connections: their senders resend
                    self._on_ack.clear()
                self._on_ack[info.mid] = on_ack
                acked_already = False
        if acked_already:
            self._post(on_ack)
        return True

    async def start(self) -> None:
        """Begin connecting in the background; returns at once, also when the broker is unreachable."""
        client = self._new_client(mqtt.Client)
        self._set_state(LinkState.CONNECTING, f"to {self.where}")
        client.connect_async(self._settings.host, self._settings.port, keepalive=self._settings.keepalive_s)
        client.loop_start()

    def _new_client(self, client_type: type[ClientT]) -> ClientT:
        """A paho client of ``client_type`` with this link's settings and callbacks, not yet connecting."""
        for risk in self._settings.risks:
            log.warning("bus to %s is %s: %s (docs/security.md)", self.where, risk.value, _RISK_TEXT[risk])
        self._loop = asyncio.get_running_loop()
        client = client_type(
            callback_api_version=CallbackAPIVersion.VERSION2,
            client_id=self._client_id,
            protocol=MQTTProtocolVersion.MQTTv311,
            clean_session=self._clean_session,
        )
        settings = self._settings
        if settings.username is not None:
            password = settings.password.get_secret_value() if settings.password else None
            client.username_pw_set(settings.username, password)
        if settings.tls:
            ca = str(settings.ca_file) if settings.ca_file else None
            client.tls_set(ca_certs=ca, cert_reqs=ssl.CERT_REQUIRED)
        if self._will is not None:
            client.will_set(self._will.topic, self._will.payload, self._will.qos, self._will.retain)
        client.reconnect_delay_set(settings.reconnect_min_s, max(settings.reconnect_min_s, settings.reconnect_max_s))
        client.on_connect = self._on_connect
        client.on_connect_fail = self._on_connect_fail
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        client.on_publish = self._on_publish
        self._client = client
        return client

    async def stop(self, last_words: Publication | None = None) -> None:
        """Publish ``last_words`` (if connected), wait for the broker to take it, then disconnect cleanly."""
        client = self._client
        if client is None:
            return
        if last_words is not None and client.is_connected():
            info = client.publish(last_words.topic, last_words.payload, last_words.qos, last_words.retain)
            try:
                await asyncio.to_thread(info.wait_for_publish, STOP_PUBLISH_TIMEOUT_S)
            except (RuntimeError, ValueError) as exc:
                log.warning("last message to %s not confirmed: %s", last_words.topic, exc)
        connected = client.is_connected()
        self._stopping = True
        client.disconnect()
        if connected:
            await asyncio.to_thread(client.loop_stop)
        else:
            # paho may be in its reconnect wait, which checks for a stop only once a second: let it end
            # on its own rather than hold the program's exit
            threading.Thread(target=client.loop_stop, name="mqtt-stop", daemon=True).start()
        self._client = None
        self._set_state(LinkState.OFFLINE, "stopped")

    # --- paho's thread -------------------------------------------------------------------------------

    def _on_connect(self, client: mqtt.Client, _userdata: Any, _flags: Any, reason: ReasonCode, _props: Any) -> None:
        if reason.is_failure:
            self._post(self._set_state, LinkState.REFUSED, f"broker at {self.where} refused: {reason}")
            return
        for pattern, qos, _handler in self._subscriptions:
            client.subscribe(pattern, qos)
        self._post(self._connected)

    def _on_connect_fail(self, client: mqtt.Client, _userdata: Any) -> None:
        self._post(self._set_state, LinkState.OFFLINE, f"cannot reach broker at {self.where}")
        self._fail_over(client)

    def _on_disconnect(self, client: mqtt.Client, _userdata: Any, _flags: Any, reason: ReasonCode, _props: Any) -> None:
        if self._stopping:
            return
        if self._state is not LinkState.REFUSED:
            self._post(self._set_state, LinkState.OFFLINE, f"lost broker at {self.where}: {reason}")
        self._fail_over(client)  # also after a refusal: another node may take us

    def _fail_over(self, client: mqtt.Client) -> None:
        """Point paho's next reconnect at the next broker. Nothing sent is lost by it: paho sends the QoS 1
        messages not yet acknowledged again after connecting, and the outbox its events."""
        if len(self._endpoints) < 2:
            return
        previous = self.where
        self._broker = (self._broker + 1) % len(self._endpoints)
        # paho's host/port setters refuse while the old connection is not wholly closed, which is exactly now
        # (paho's own reconnect reads these two at its next attempt, in this thread)
        client._host, client._port = self._endpoints[self._broker]
        log.info("bus: next attempt at %s instead of %s", self.where, previous)

    def _on_message(self, _client: mqtt.Client, _userdata: Any, message: mqtt.MQTTMessage) -> None:
        size = len(message.payload)
        if size > self._settings.max_payload_bytes:
            self._drop(f"a {size}-byte message on {message.topic[:200]!r} (over [bus] max_payload_bytes)")
            return
        with self._pending_lock:
            if self._pending >= MAX_PENDING_MESSAGES:
                flooded = True
            else:
                flooded = False
                self._pending += 1
        if flooded:
            self._drop(f"a message on {message.topic[:200]!r}: {MAX_PENDING_MESSAGES} still waiting to be handled")
            return
        self._post(self._dispatch, message.topic, bytes(message.payload))

    def _drop(self, what: str) -> None:
        with self._pending_lock:
            self.dropped += 1
            first = self.dropped == 1 or self.dropped % 1000 == 0
        if first:  # once, then every thousandth: a flood must not flood the log too
            log.warning("bus dropped %s (%d dropped so far)", what, self.dropped)

    def _on_publish(self, _client: mqtt.Client, _userdata: Any, mid: int, _reason: Any, _props: Any) -> None:
        with self._sent_lock:
            sent = self._sent_at.pop(mid, None)
            on_ack = self._on_ack.pop(mid, None)
            if on_ack is None and sent is None:
                self._early_acks.add(mid)
                if len(self._early_acks) > 1000:  # acks of plain publications: nobody will ask for them
                    self._early_acks.clear()
        if on_ack is not None:
            self._post(on_ack)
        if sent is not None:
            self.last_rtt_ms = (time.monotonic() - sent) * 1000.0

    def _post(self, callback: Callable[..., None], *args: Any) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        with contextlib.suppress(RuntimeError):  # the loop closed between the check and the call
            loop.call_soon_threadsafe(callback, *args)

    # --- the asyncio loop ------------------------------------------------------------------------------

    def _connected(self) -> None:
        self._set_state(LinkState.ONLINE, f"to {self.where}")
        for listener in self._connected_listeners:
            try:
                listener()
            except Exception:
                log.exception("connected listener failed")

    def _dispatch(self, topic: str, payload: bytes) -> None:
        with self._pending_lock:
            self._pending -= 1
        self._deliver(topic, payload)

    def _deliver(self, topic: str, payload: bytes) -> None:
        for matches, pattern, handler in self._matchers:
            if matches(topic):
                try:
                    handler(topic, payload)
                except Exception:
                    log.exception("handler for %s failed on %s", pattern, topic)

    def _set_state(self, state: LinkState, detail: str) -> None:
        if state is self._state:
            return
        previous, self._state = self._state, state
        level = logging.WARNING if state is LinkState.REFUSED else logging.INFO
        log.log(level, "bus %s -> %s (%s)", previous, state, detail)
        for listener in self._state_listeners:
            try:
                listener(state, detail)
            except Exception:
                log.exception("state listener failed")
