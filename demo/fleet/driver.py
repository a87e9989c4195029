"""Many paho clients on one asyncio loop, without a thread per client.

paho's own ``loop_start`` gives every client a network thread; two thousand threads cost memory and
scheduler time that a load test should not measure. paho also offers an external-loop interface instead:
it tells us when a client's socket opens and closes and when it has bytes to write, and we call
``loop_read`` / ``loop_write`` / ``loop_misc`` when the socket is ready. Here the asyncio loop's selector
watches every socket, so one thread serves them all.

Writes are gathered: paho asks for a write every time it queues a packet; the client is put in a set that
is flushed once per loop turn, and only a socket whose buffer is full gets a writer on the selector (an
``epoll_ctl`` per publish would cost more than the publish).

Connecting is the one blocking call in paho (a TCP connect, and the TLS handshake for ``mqtts``); it runs
in a small pool of threads so that an unreachable broker never stalls the loop.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import paho.mqtt.client as mqtt

log = logging.getLogger(__name__)

CONNECT_THREADS = 8
MISC_INTERVAL_S = 1.0
"""How often each client's keepalive is looked after (PINGREQ due, broker silent too long)."""


class PahoDriver:
    """Runs the network side of any number of paho clients on the running asyncio loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._loop_thread = threading.get_ident()
        self._clients: set[mqtt.Client] = set()
        self._to_flush: set[mqtt.Client] = set()
        self._writers: dict[mqtt.Client, Any] = {}
        self._flushing = False
        self._connector = ThreadPoolExecutor(CONNECT_THREADS, thread_name_prefix="mqtt-connect")
        self._misc: asyncio.TimerHandle | None = None
        self._closed = False

    def attach(self, client: mqtt.Client) -> None:
        """Take over ``client``'s network side; call before its first connect."""
        client.on_socket_open = self._socket_opened
        client.on_socket_close = self._socket_closed
        client.on_socket_register_write = self._wants_write
        client.on_socket_unregister_write = self._wrote_all
        self._clients.add(client)
        if self._misc is None and not self._closed:
            self._misc = self._loop.call_later(MISC_INTERVAL_S, self._look_after_keepalives)

    def detach(self, client: mqtt.Client) -> None:
        self._clients.discard(client)
        self._to_flush.discard(client)
        self._stop_writing(client)

    async def connect(self, client: mqtt.Client) -> None:
        """Open the connection and send CONNECT (the CONNACK comes later, to ``on_connect``); raises
        ``OSError`` when the broker cannot be reached."""
        await self._loop.run_in_executor(self._connector, client.reconnect)

    def close(self) -> None:
        self._closed = True
        if self._misc is not None:
            self._misc.cancel()
            self._misc = None
        self._connector.shutdown(wait=False, cancel_futures=True)

    # --- paho's callbacks (on the loop, or in a connect thread) ------------------------------------------

    def _on_loop(self, callback: Callable[..., None], *args: Any) -> None:
        if threading.get_ident() == self._loop_thread:
            callback(*args)
        elif not self._loop.is_closed():
            self._loop.call_soon_threadsafe(callback, *args)

    def _socket_opened(self, client: mqtt.Client, _userdata: Any, sock: Any) -> None:
        self._on_loop(self._watch, client, sock)

    def _socket_closed(self, client: mqtt.Client, _userdata: Any, sock: Any) -> None:
        self._on_loop(self._unwatch, client, sock)

    def _wants_write(self, client: mqtt.Client, _userdata: Any, _sock: Any) -> None:
        self._on_loop(self._schedule_write, client)

    def _wrote_all(self, client: mqtt.Client, _userdata: Any, _sock: Any) -> None:
        self._on_loop(self._stop_writing, client)

    # --- the loop's side -----------------------------------------------------------------------------------

    def _watch(self, client: mqtt.Client, sock: Any) -> None:
        still_open = client.socket() is sock  # not closed again before this ran
        if client in self._clients and sock is not None and still_open:
            self._loop.add_reader(sock, client.loop_read)

    def _unwatch(self, client: mqtt.Client, sock: Any) -> None:
        self._loop.remove_reader(sock)
        if self._writers.pop(client, None) is not None:
            self._loop.remove_writer(sock)
        self._to_flush.discard(client)

    def _schedule_write(self, client: mqtt.Client) -> None:
        if self._flushing:
            # a write during the flush left bytes behind (the socket's buffer is full): wait until it drains
            sock = client.socket()
            if sock is not None and client not in self._writers:
                self._writers[client] = sock
                self._loop.add_writer(sock, client.loop_write)
            return
        if client in self._writers:
            return  # the selector will say when the socket takes more
        if not self._to_flush:
            self._loop.call_soon(self._flush)
        self._to_flush.add(client)

    def _stop_writing(self, client: mqtt.Client) -> None:
        sock = self._writers.pop(client, None)
        if sock is not None:
            self._loop.remove_writer(sock)

    def _flush(self) -> None:
        clients, self._to_flush = self._to_flush, set()
        self._flushing = True
        try:
            for client in clients:
                if client.want_write():
                    client.loop_write()
        finally:
            self._flushing = False

    def _look_after_keepalives(self) -> None:
        for client in list(self._clients):
            if client.socket() is not None:
                client.loop_misc()
        self._misc = None if self._closed else self._loop.call_later(MISC_INTERVAL_S, self._look_after_keepalives)
