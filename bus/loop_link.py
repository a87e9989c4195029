"""A :class:`BusLink` whose socket is read and written on the asyncio loop: no network thread.

For a program that takes many messages (central, with a fleet of thousands of devices). :class:`BusLink` runs
paho's network loop in a thread; each message then costs a ``select``, three ``recv`` calls (paho asks for one
byte for the packet's type and one for each byte of its length) and a hand-off to the asyncio loop (a
``call_soon_threadsafe``, which writes to the loop's wake-up pipe) — most of central's CPU with 2,000 devices
(bench.fleet). Here paho is driven the way its documentation describes for an outside event loop
(``loop_read``/``loop_write``/``loop_misc`` from ``add_reader``/``add_writer``), its socket is read 64 KiB at
a time (:class:`BufferedClient`), and each message goes to its handler on the spot. Plain QoS 0 and 1
PUBLISH packets are parsed where they lie in that buffer (:meth:`BufferedClient.take_publishes`), everything
else goes paho's own way, and the socket rests :data:`READ_REST_S` between two reads, so that a read takes
what came meanwhile in one wake-up instead of one wake-up per message.

Behaviour kept from :class:`BusLink`: states and listeners, the Last Will, subscriptions renewed at every
connect, a persistent session, reconnecting with a capped, doubling delay, PUBACK callbacks. One thing is
stronger: paho sends the PUBACK of a QoS 1 message after its ``on_message`` returns, and here that is after
the handler has run (the thread version only queued the message for the loop by then); the PUBACKs of one
read go out together after its handlers. What the thread
version bounded with a queue, a flood the loop cannot keep up with, is bounded here by not reading: the
socket waits, and the broker holds or drops per its own limits.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import struct
import threading
from collections.abc import Callable
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import MQTTErrorCode, MQTTProtocolVersion

from bus.link import STOP_PUBLISH_TIMEOUT_S, BusLink, LinkState, MessageHandler, Publication

log = logging.getLogger(__name__)

READ_CHUNK_BYTES = 64 * 1024
# Packets handled per wake-up before the loop gets a turn: a burst of thousands (the retained messages at a
# subscribe) must not hold timers and web requests back for its whole length.
PACKETS_PER_TURN = 500
# After a read the socket rests this long before the next: at 600 messages a second (2,000 devices) a read
# per wake-up took one or two messages, and each wake-up (the selector, the loop's turn, a recv) cost about
# as much as a message's own handling. Resting, a read takes what came meanwhile in one go. It is at most this
# much delay for any message (a call's signalling included); QoS 1 messages flow at up to the broker's
# in-flight window (Mosquitto's max_inflight_messages, 20 by default) per rest.
READ_REST_S = 0.01
MISC_EVERY_S = 1.0  # paho's own loop calls loop_misc (keepalive pings, their timeout) about once a second
STOP_WAIT_S = 3.0
_PUBACK = struct.Struct("!BBH")  # MQTT 3.1.1 §3.4: type 4, remaining length 2, the message id
TOPICS_REMEMBERED = 30_000  # the status, health and event topics of up to 10,000 devices


class BufferedClient(mqtt.Client):
    """paho's client reading its socket in large chunks and handing paho the bytes it asks for from memory."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._read_buffer = bytearray()
        self.take_message: Callable[[str, bytes], None] | None = None
        """Given each QoS 0 or 1 message of MQTT 3.1.1 as (topic, payload) instead of ``on_message``."""

    @property
    def buffered(self) -> int:
        """Bytes read from the socket that paho has not taken yet."""
        return len(self._read_buffer)

    def _sock_recv(self, bufsize: int) -> bytes:
        buffer = self._read_buffer
        if not buffer:
            data = super()._sock_recv(READ_CHUNK_BYTES)  # BlockingIOError when nothing came: paho's "again"
            if len(data) <= bufsize:
                return data  # b"" is the peer closing, as paho expects
            buffer += data
        taken = bytes(buffer[:bufsize])
        del buffer[:bufsize]  # cheap: a bytearray drops its head without moving the rest
        return taken

    def fill(self) -> bool:
        """Read what the socket has into memory when nothing is left there; False when the socket has nothing.
        A closed or failed socket counts as something: paho finds out on its next read and says why."""
        if self._read_buffer:
            return True
        try:
            self._read_buffer += super()._sock_recv(READ_CHUNK_BYTES)
        except BlockingIOError:
            return False
        except OSError:
            pass
        return True

    def take_publishes(self, most: int) -> int:
        """Hand every whole QoS 0 or 1 PUBLISH at the head of memory to :attr:`take_message` (at most ``most``),
        parsed where it lies, and queue each QoS 1 one's PUBACK; returns how many. paho's own way reads a packet
        through four calls (its type, each byte of its length, the rest) and a dict of its state: for two
        thirds of a message's receiving (bench.bus_receive). Anything else, a packet not wholly read yet or
        anything odd, stops here and is left to paho, which also takes over a packet it has begun."""
        take = self.take_message
        buffer = self._read_buffer
        if take is None or self._protocol != MQTTProtocolVersion.MQTTv311 or self._in_packet["command"]:
            return 0
        size = len(buffer)
        start = taken = 0
        acks: list[int] = []
        while taken < most and start + 4 <= size:
            header = buffer[start]
            qos = (header & 0x06) >> 1
            if header & 0xF0 != 0x30 or qos > 1:
                break
            length, at, shift = 0, start + 1, 0
            while at < size and shift < 28:  # the remaining length: at most four bytes of seven bits
                byte = buffer[at]
                length |= (byte & 0x7F) << shift
                at += 1
                shift += 7
                if byte < 0x80:
                    break
            else:
                break  # not wholly read yet, or more than four bytes (paho calls that a protocol error)
            end = at + length
            topic_end = at + 2 + ((buffer[at] << 8) | buffer[at + 1]) if at + 2 <= size else end + 1
            if end > size or topic_end == at + 2 or topic_end + 2 * qos > end:
                break  # not whole yet, or an empty topic or a short packet: paho's way, which says what is wrong
            try:
                topic = buffer[at + 2 : topic_end].decode("utf-8")
            except UnicodeDecodeError:
                break
            if qos:
                acks.append((buffer[topic_end] << 8) | buffer[topic_end + 1])
                topic_end += 2
            start = end
            taken += 1
            take(topic, bytes(buffer[topic_end:end]))
            if self._sock is None:  # a handler stopped the link: what is left is for no one
                break
        if start:
            del buffer[:start]
            self._last_bytes_received = mqtt.time_func()  # as paho's own reading does, for its keepalive
        if acks:
            # one packet of all the PUBACKs, so one send: paho writes each queued packet with a send of its own
            self._packet_queue(mqtt.PUBACK, b"".join(_PUBACK.pack(0x40, 2, mid) for mid in acks), 0, 0)
        return taken

    def _sock_close(self) -> None:
        self._read_buffer.clear()  # bytes of a connection that is gone are no start for the next one
        super()._sock_close()

    def _handle_publish(self) -> MQTTErrorCode:
        """A PUBLISH at QoS 0 or 1 straight to :attr:`take_message`, then its PUBACK: paho's own way builds
        an MQTTMessage, formats a log line and walks its callback tree first, a third of what the link costs
        per message (bench.bus_receive). Everything else, and anything odd, goes paho's own way."""
        take = self.take_message
        header = self._in_packet["command"]
        qos = (header & 0x06) >> 1
        packet = self._in_packet["packet"]
        if take is None or qos > 1 or self._protocol != MQTTProtocolVersion.MQTTv311 or len(packet) < 2:
            return super()._handle_publish()
        end = 2 + ((packet[0] << 8) | packet[1])
        if end == 2 or end + 2 * qos > len(packet):
            return super()._handle_publish()  # an empty topic or a short packet: paho calls it malformed
        try:
            topic = packet[2:end].decode("utf-8")
        except UnicodeDecodeError:
            return super()._handle_publish()
        mid = 0
        if qos:
            mid = (packet[end] << 8) | packet[end + 1]
            end += 2
        take(topic, bytes(packet[end:]))
        return self._send_puback(mid) if qos else MQTTErrorCode.MQTT_ERR_SUCCESS


class LoopLink(BusLink):
    """:class:`BusLink`'s behaviour with the network on the loop: see the module's description."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._loop_thread: int | None = None
        self._runner: asyncio.Task[None] | None = None
        self._closed = asyncio.Event()
        self._stop_waiting = asyncio.Event()
        self._was_online = False
        # inside _readable: what paho queues to write meanwhile (PUBACKs) goes out at the end of the burst, in
        # one go, instead of a writer added to and removed from the selector for each
        self._reading = False
        self._write_after_read = False
        self._matched: dict[str, tuple[tuple[str, MessageHandler], ...]] = {}
        self._matched_count = 0
        self.read_rest_s = READ_REST_S
        """See :data:`READ_REST_S`; 0 reads whenever the socket is readable (bench.bus_receive compares)."""
        self.parse_in_place = True
        """PUBLISH packets parsed where they lie in memory (:meth:`BufferedClient.take_publishes`), or False: by
        paho's per-packet reading, as before (bench.bus_receive compares)."""
        self._rest_until = 0.0
        self._resting: asyncio.TimerHandle | None = None
        self._before_acks: list[Callable[[], None]] = []

    def add_before_acks(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` after the handlers of each read and before its PUBACKs go out: work that must be
        done before the broker forgets the messages (a store's write) is done once per read, not per message."""
        self._before_acks.append(callback)

    async def start(self) -> None:
        client = self._new_client(BufferedClient)
        client.take_message = self._take
        self._loop_thread = threading.get_ident()
        self._set_state(LinkState.CONNECTING, f"to {self.where}")
        # no network here: host, port and keepalive are kept for reconnect(), which the runner calls
        client.connect_async(self._settings.host, self._settings.port, keepalive=self._settings.keepalive_s)
        self._runner = asyncio.create_task(self._run(client), name=f"bus-{self._client_id}")

    async def stop(self, last_words: Publication | None = None) -> None:
        client, runner = self._client, self._runner
        if client is None or runner is None:
            return
        if last_words is not None and client.is_connected():
            info = client.publish(last_words.topic, last_words.payload, last_words.qos, last_words.retain)
            try:
                # the loop keeps reading meanwhile: the PUBACK arrives through _readable
                await asyncio.to_thread(info.wait_for_publish, STOP_PUBLISH_TIMEOUT_S)
            except (RuntimeError, ValueError) as exc:
                log.warning("last message to %s not confirmed: %s", last_words.topic, exc)
        connected = client.is_connected()
        self._stopping = True
        self._stop_waiting.set()
        client.disconnect()  # queues DISCONNECT; the socket closes once it is written
        if connected:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(runner), STOP_WAIT_S)
        runner.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await runner
        self._client = None
        self._set_state(LinkState.OFFLINE, "stopped")

    # --- the connection, on the loop ------------------------------------------------------------------------

    async def _run(self, client: BufferedClient) -> None:
        """Connect, serve the socket until it closes, wait, connect again: until stop()."""
        settings = self._settings
        delay_s = float(settings.reconnect_min_s)
        max_delay_s = max(float(settings.reconnect_min_s), float(settings.reconnect_max_s))
        loop = asyncio.get_running_loop()
        while not self._stopping:
            self._was_online = False
            if await self._connect(client, loop):
                await self._serve(client, loop)
            if self._stopping:
                return
            if self._was_online:
                delay_s = float(settings.reconnect_min_s)  # a lost connection, not a failing broker: start over
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop_waiting.wait(), delay_s)
            delay_s = min(delay_s * 2, max_delay_s)

    async def _connect(self, client: BufferedClient, loop: asyncio.AbstractEventLoop) -> bool:
        """Open the socket and send CONNECT; False when the broker cannot be reached."""
        # paho opens the socket (TCP, TLS handshake) blocking: in a worker, with the socket callbacks off so
        # that paho writes CONNECT itself there instead of asking the loop to
        self._socket_callbacks(client, on=False)
        connecting = loop.run_in_executor(None, client.reconnect)
        try:
            await asyncio.shield(connecting)
        except asyncio.CancelledError:
            # stop() while connecting: whatever the worker opens is closed when it is done
            connecting.add_done_callback(lambda _done: client._sock_close())
            raise
        except (OSError, ValueError) as exc:  # refused, unreachable, TLS not verified (an OSError too)
            log.debug("connecting to %s failed: %s", self.where, exc)
            self._on_connect_fail(client, None)
            return False
        return True

    async def _serve(self, client: BufferedClient, loop: asyncio.AbstractEventLoop) -> None:
        sock = client.socket()
        if sock is None:
            return
        self._closed.clear()
        self._socket_callbacks(client, on=True)
        loop.add_reader(sock, self._readable)
        if client.want_write():  # CONNECT not wholly written by the worker
            loop.add_writer(sock, self._writable)
        try:
            while not self._closed.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._closed.wait(), MISC_EVERY_S)
                if not self._closed.is_set():
                    client.loop_misc()  # keepalive: PINGREQ when quiet, close when the broker stays silent
        finally:
            self._socket_callbacks(client, on=False)
            if client.socket() is not None:  # cancelled by stop() with the socket still open
                self._forget(sock)

    def _socket_callbacks(self, client: BufferedClient, on: bool) -> None:
        client.on_socket_close = self._on_socket_close if on else None
        client.on_socket_register_write = self._on_register_write if on else None
        client.on_socket_unregister_write = self._on_unregister_write if on else None

    def _readable(self) -> None:
        client = self._client
        if not isinstance(client, BufferedClient):
            return
        loop = asyncio.get_running_loop()
        now = loop.time()
        if now < self._rest_until:
            # read moments ago: let more gather in the socket and take it all in one read, after the rest
            sock = client.socket()
            if isinstance(sock, socket.socket):  # an SSL socket is one too
                if self._resting is None:
                    loop.remove_reader(sock)
                    self._resting = loop.call_at(self._rest_until, self._rested, sock)
                return
        self._rest_until = now + self.read_rest_s
        self._reading = True
        try:
            more = self._read_packets(client)
        finally:
            self._reading = False
        for before_acks in self._before_acks:
            try:
                before_acks()
            except Exception:
                log.exception("work before the acknowledgements of a read failed")
        if self._write_after_read:
            self._write_after_read = False
            self._writable()
        if more:
            asyncio.get_running_loop().call_soon(self._readable)  # bytes in memory the selector cannot see

    def _read_packets(self, client: BufferedClient) -> bool:
        """Handle the packets read so far; True when a full turn left some in memory."""
        budget = PACKETS_PER_TURN
        while budget > 0:
            if not self.parse_in_place:
                if client.loop_read() != mqtt.MQTT_ERR_SUCCESS or client.socket() is None:
                    return False
                budget -= 1
                if not client.buffered and not _tls_pending(client.socket()):
                    return False
                continue
            if not client.fill():
                return False  # nothing more in the socket: the loop calls again when it is readable
            budget -= client.take_publishes(budget)  # the plain messages, straight from memory
            if client.socket() is None:
                return False
            if budget <= 0:
                break
            # what take_publishes left (any other packet, one not wholly read yet, a connection closing): paho's
            # way, one packet (loop_read reads one unless QoS 2 or outgoing messages are in flight)
            if client.loop_read() != mqtt.MQTT_ERR_SUCCESS or client.socket() is None:
                return False  # paho has closed the socket and said why (on_disconnect)
            budget -= 1
            if not client.buffered and not _tls_pending(client.socket()):
                return False  # the rest is still in the socket: the loop calls again when it is readable
        return True

    def _rested(self, sock: socket.socket) -> None:
        self._resting = None
        client = self._client
        if client is None or client.socket() is not sock:
            return  # closed meanwhile: _serve watches the next socket itself
        asyncio.get_running_loop().add_reader(sock, self._readable)
        self._readable()

    def _writable(self) -> None:
        client = self._client
        if client is None or client.socket() is None:
            return
        client.loop_write()  # unregisters the writer itself once everything is out
        sock = client.socket()
        if sock is not None and client.want_write():  # the socket took only part: write on when it can
            asyncio.get_running_loop().add_writer(sock, self._writable)

    def _on_register_write(self, _client: mqtt.Client, _userdata: Any, sock: Any) -> None:
        if self._reading:
            self._write_after_read = True
        else:
            asyncio.get_running_loop().add_writer(sock, self._writable)

    def _on_unregister_write(self, _client: mqtt.Client, _userdata: Any, sock: Any) -> None:
        asyncio.get_running_loop().remove_writer(sock)

    def _on_socket_close(self, _client: mqtt.Client, _userdata: Any, sock: Any) -> None:
        self._forget(sock)  # before paho closes it: the selector must not hold a closed descriptor
        self._closed.set()

    def _forget(self, sock: socket.socket | Any) -> None:
        if self._resting is not None:
            self._resting.cancel()
            self._resting = None
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.remove_reader(sock)
            loop.remove_writer(sock)

    # --- paho's callbacks, here on the loop -------------------------------------------------------------------

    def _on_connect(self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
        if not reason.is_failure:
            self._was_online = True
        super()._on_connect(client, userdata, flags, reason, props)

    def _on_message(self, _client: mqtt.Client, _userdata: Any, message: mqtt.MQTTMessage) -> None:
        payload = message.payload if isinstance(message.payload, bytes) else bytes(message.payload)
        self._take(message.topic, payload)

    def _take(self, topic: str, payload: bytes) -> None:
        size = len(payload)
        if size > self._settings.max_payload_bytes:
            self._drop(f"a {size}-byte message on {topic[:200]!r} (over [bus] max_payload_bytes)")
            return
        # handled now, not queued: paho acknowledges a QoS 1 message when this returns
        self._deliver(topic, payload)

    def _deliver(self, topic: str, payload: bytes) -> None:
        # the handlers of each topic found once, not by matching every subscription's pattern per message (a
        # device's few topics come again and again); found again after any subscribe
        matchers = self._matchers
        if len(matchers) != self._matched_count:  # subscribe() only ever adds
            self._matched.clear()
            self._matched_count = len(matchers)
        handlers = self._matched.get(topic)
        if handlers is None:
            if len(self._matched) >= TOPICS_REMEMBERED:
                self._matched.clear()  # topics come from the network: start over rather than grow
            handlers = self._matched[topic] = tuple(
                (pattern, handler) for matches, pattern, handler in matchers if matches(topic)
            )
        for pattern, handler in handlers:
            try:
                handler(topic, payload)
            except Exception:
                log.exception("handler for %s failed on %s", pattern, topic)

    def _post(self, callback: Callable[..., None], *args: Any) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        if threading.get_ident() == self._loop_thread:
            loop.call_soon(callback, *args)  # after paho's own step, as from the thread, with no wake-up pipe
        else:
            super()._post(callback, *args)


def _tls_pending(sock: Any) -> int:
    """Decrypted bytes a TLS socket holds that its descriptor no longer shows as readable."""
    pending = getattr(sock, "pending", None)
    return int(pending()) if pending is not None else 0
