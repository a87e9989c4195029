"""A TCP proxy between a program and its server (a kiosk and Mosquitto), with the network faults a test chooses.

Debian's ``toxiproxy`` cannot be installed here, so this does the same for our tests. It listens on a free
loopback port and forwards every connection to the target; the test then pulls the cable or spoils the line:

- :meth:`TcpProxy.cut` drops every open connection and every new one. By default it *blackholes* them, as a
  pulled cable does: the sockets stay open but nothing is forwarded any more, and nobody is told, so each
  side finds out by its own keepalive (MQTT's, for the kiosk and the broker). ``mode="reset"`` resets them
  instead (a TCP RST both ways, and at once for new connections), as a router that knows the path is gone.
  ``mode="hold"`` is a cable put back before either side gave up: open connections forward nothing while
  cut, then everything they sent meanwhile, in order, as TCP's retransmissions deliver it (new connections
  during the cut are blackholed: a connect attempt does not survive an outage).
- :meth:`TcpProxy.restore` lets new connections through again. The connections cut stay dead: their
  programs have to find out and connect again, as after a real cut longer than their keepalive.
- :meth:`TcpProxy.delay` holds every chunk for that long, each way; :meth:`TcpProxy.throttle` lets at most
  that many bytes a second through, each way; :meth:`TcpProxy.drop` drops that share of the chunks at
  random (seeded, so a run can be repeated). A dropped chunk spoils the stream, as it would for MQTT.

The proxy runs an asyncio loop of its own in a thread, so a test on any loop (or none, or Qt's) controls
it with plain calls, and a busy test loop cannot stall the traffic. Use it as ``with TcpProxy(port) as
proxy:``; leaving closes every socket and joins the thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import socket
import struct
import threading
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypeVar

T = TypeVar("T")

CHUNK_BYTES = 16 * 1024
CONTROL_TIMEOUT_S = 10.0
HELD_BYTES_MAX = 1024 * 1024
"""Bytes one direction may hold (delayed or throttled) before the proxy stops reading its sender."""


class CutMode(StrEnum):
    BLACKHOLE = "blackhole"  # sockets kept open, nothing forwarded, nobody told: found out by keepalive
    RESET = "reset"  # TCP RST to both sides, and to every new connection at once
    HOLD = "hold"  # a cable put back in time: open connections wait, and get what was held, in order


@dataclass
class Counters:
    """What went through (or not), for a test to wait on or assert."""

    accepted: int = 0
    forwarded_bytes: int = 0
    forwarded_chunks: int = 0
    dropped_chunks: int = 0
    blackholed_bytes: int = 0
    reset: int = 0


@dataclass
class _Direction:
    """One way of one connection: chunks waiting for their time on the wire, in order."""

    writer: asyncio.StreamWriter
    queue: asyncio.Queue[tuple[float, bytes] | None] = field(default_factory=asyncio.Queue)
    held_bytes: int = 0
    room: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass(eq=False)  # kept in a set: each connection is itself, whatever it holds
class _Connection:
    client: asyncio.StreamWriter
    server: asyncio.StreamWriter | None = None
    dead: bool = False
    directions: tuple[_Direction, ...] = ()

    def kill(self) -> None:
        """Forward nothing more, and let the readers held back by a full direction read (and discard) again."""
        self.dead = True
        for direction in self.directions:
            direction.room.set()


class TcpProxy:
    """Forwards 127.0.0.1:``port`` (a free port unless given) to ``target_host``:``target_port``."""

    def __init__(self, target_port: int, target_host: str = "127.0.0.1", port: int = 0, seed: int = 13) -> None:
        self.target = (target_host, target_port)
        self.host = "127.0.0.1"
        self.port = port
        self.counters = Counters()
        self._random = random.Random(seed)
        self._cut: CutMode | None = None
        self._flowing: asyncio.Event | None = None  # made on the proxy's loop; cleared while held
        self._delay_s = 0.0
        self._rate: float | None = None
        self._drop_share = 0.0
        self._connections: set[_Connection] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.Server | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, name=f"tcp-proxy-{target_port}", daemon=True)

    # --- the test's controls (any thread) ----------------------------------------------------------------

    def url(self, scheme: str = "mqtt") -> str:
        return f"{scheme}://{self.host}:{self.port}"

    def start(self) -> TcpProxy:
        self._thread.start()
        self._await(self._listen())
        return self

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        self._await(self._close_all())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(CONTROL_TIMEOUT_S)
        self._loop.close()

    def __enter__(self) -> TcpProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def cut(self, mode: CutMode | str = CutMode.BLACKHOLE) -> None:
        """Pull the cable: every open connection and every new one dead (see the module's docstring)."""
        chosen = CutMode(mode)
        self._call(lambda: self._cut_now(chosen))

    def restore(self) -> None:
        """New connections go through again; those cut stay dead (but held ones go on)."""
        self._call(self._restore_now)

    def delay(self, ms: float) -> None:
        """Hold every chunk ``ms`` milliseconds, each way, from now on (0: none)."""
        if ms < 0:
            raise ValueError("a delay is 0 ms or more")
        self._call(lambda: setattr(self, "_delay_s", ms / 1000))

    def throttle(self, bytes_per_s: float | None) -> None:
        """At most ``bytes_per_s`` each way from now on; None: as fast as the sockets go."""
        if bytes_per_s is not None and bytes_per_s <= 0:
            raise ValueError("a rate is more than 0 bytes a second (None for no limit)")
        self._call(lambda: setattr(self, "_rate", bytes_per_s))

    def drop(self, share: float) -> None:
        """Drop whole chunks at random, this share of them (0 to 1), each way, from now on."""
        if not 0 <= share <= 1:
            raise ValueError("the share dropped is between 0 and 1")
        self._call(lambda: setattr(self, "_drop_share", share))

    @property
    def is_cut(self) -> bool:
        return self._cut is not None

    def open_connections(self) -> int:
        """Connections whose sockets are open, live or dead."""
        return self._call(lambda: len(self._connections))

    def _call(self, action: Callable[[], T]) -> T:
        """Run ``action`` on the proxy's loop and return its result (the loop owns all the state)."""

        async def run() -> T:
            return action()

        return self._await(run())

    def _await(self, work: Coroutine[object, object, T]) -> T:
        return asyncio.run_coroutine_threadsafe(work, self._loop).result(CONTROL_TIMEOUT_S)

    # --- the proxy's loop ----------------------------------------------------------------------------------

    async def _listen(self) -> None:
        self._flowing = asyncio.Event()
        self._flowing.set()
        self._server = await asyncio.start_server(self._accepted, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _close_all(self) -> None:
        if self._server is not None:
            self._server.close()
        for connection in list(self._connections):
            self._close(connection)
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()

    def _cut_now(self, mode: CutMode) -> None:
        self._cut = mode
        assert self._flowing is not None
        if mode is CutMode.HOLD:
            self._flowing.clear()
            return
        for connection in list(self._connections):
            if mode is CutMode.RESET:
                self._reset(connection)
            else:
                connection.kill()

    def _restore_now(self) -> None:
        self._cut = None
        assert self._flowing is not None
        self._flowing.set()

    async def _accepted(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.counters.accepted += 1
        connection = _Connection(writer)
        self._connections.add(connection)
        if self._cut is CutMode.RESET:
            self._reset(connection)
            return
        if self._cut in (CutMode.BLACKHOLE, CutMode.HOLD):
            connection.kill()
            self._spawn(self._swallow(connection, reader, writer))
            return
        try:
            server_reader, server_writer = await asyncio.open_connection(*self.target)
        except OSError:
            self._reset(connection)  # nothing listens there: the client hears of it, as it would directly
            return
        connection.server = server_writer
        if connection.dead:  # cut while connecting
            self._spawn(self._swallow(connection, reader, writer))
            self._spawn(self._swallow(connection, server_reader, server_writer))
            return
        up, down = _Direction(server_writer), _Direction(writer)
        connection.directions = (up, down)
        self._spawn(self._read(connection, reader, writer, up))
        self._spawn(self._write(connection, up))
        self._spawn(self._read(connection, server_reader, server_writer, down))
        self._spawn(self._write(connection, down))

    def _spawn(self, work: Coroutine[object, object, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _read(
        self, connection: _Connection, reader: asyncio.StreamReader, own: asyncio.StreamWriter, direction: _Direction
    ) -> None:
        """Take chunks from one side (``reader`` and its ``own`` writer) and queue them for the other, stamped
        with the time they may go."""
        loop = asyncio.get_running_loop()
        while True:
            if direction.held_bytes > HELD_BYTES_MAX and not connection.dead:
                direction.room.clear()
                await direction.room.wait()  # back-pressure: the sender's own buffers fill, as on a slow line
            try:
                # throttled, in pieces of a twentieth of a second's worth, so the line stays smooth
                size = CHUNK_BYTES if self._rate is None else max(1, min(CHUNK_BYTES, int(self._rate / 20)))
                chunk = await reader.read(size)
            except OSError:
                chunk = b""
            if connection.dead:
                if not chunk:
                    self._close_side(connection, own)  # its program closed it: only its side goes
                    direction.queue.put_nowait(None)  # and the writer waiting for more can end
                    return
                self.counters.blackholed_bytes += len(chunk)
                continue
            if not chunk:
                await direction.queue.put(None)  # the end goes on to the other side after what came before
                return
            if self._drop_share and self._random.random() < self._drop_share:
                self.counters.dropped_chunks += 1
                continue
            direction.held_bytes += len(chunk)
            await direction.queue.put((loop.time() + self._delay_s, chunk))

    async def _write(self, connection: _Connection, direction: _Direction) -> None:
        """Send queued chunks when their time comes, at most at the throttled rate."""
        loop = asyncio.get_running_loop()
        free_at = loop.time()  # when the throttled line has finished sending what went before
        while True:
            item = await direction.queue.get()
            if item is None:
                if not connection.dead:
                    self._close(connection)
                return
            if connection.dead:
                continue  # a cut drops what was on its way too
            due, chunk = item
            rate = self._rate
            if rate is not None:
                due = max(due, free_at)
            wait_s = due - loop.time()
            if wait_s > 0:
                await asyncio.sleep(wait_s)
            assert self._flowing is not None
            await self._flowing.wait()  # held by a cut in "hold" mode
            if rate is not None:
                free_at = max(free_at, loop.time()) + len(chunk) / rate
            direction.held_bytes -= len(chunk)
            direction.room.set()
            if connection.dead:
                continue
            try:
                direction.writer.write(chunk)
                await direction.writer.drain()
            except OSError:
                self._close(connection)
                return
            self.counters.forwarded_bytes += len(chunk)
            self.counters.forwarded_chunks += 1

    async def _swallow(self, connection: _Connection, reader: asyncio.StreamReader, own: asyncio.StreamWriter) -> None:
        """Read and discard until the side closes: a dead connection tells nobody anything."""
        while True:
            try:
                chunk = await reader.read(CHUNK_BYTES)
            except OSError:
                chunk = b""
            if not chunk:
                self._close_side(connection, own)
                return
            self.counters.blackholed_bytes += len(chunk)

    def _close_side(self, connection: _Connection, own: asyncio.StreamWriter) -> None:
        """Close the socket of the side that closed; the connection is gone once both sides are."""
        own.close()
        if all(w is None or w.is_closing() for w in (connection.client, connection.server)):
            self._connections.discard(connection)

    def _reset(self, connection: _Connection) -> None:
        self.counters.reset += 1
        connection.kill()
        for writer in (connection.client, connection.server):
            if writer is None:
                continue
            sock = writer.transport.get_extra_info("socket")
            if sock is not None:
                with contextlib.suppress(OSError):
                    # linger on, for 0 s: close() then sends RST instead of FIN
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            writer.transport.abort()
        self._connections.discard(connection)

    def _close(self, connection: _Connection) -> None:
        for writer in (connection.client, connection.server):
            if writer is not None:
                writer.close()
        self._connections.discard(connection)
