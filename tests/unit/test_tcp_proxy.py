"""The test's TCP proxy (tests/peers/tcp_proxy.py) over real loopback sockets: it forwards both ways; a cut
blackholes open and new connections (open, silent), resets them, or holds the open ones until restore;
restore lets new ones through while the blackholed ones stay dead; delay, throttle and a seeded drop do
what they say."""

from __future__ import annotations

import random
import socket
import socketserver
import threading
import time
from collections.abc import Iterator

import pytest

from tests.peers.tcp_proxy import TcpProxy
from tests.peers.wait import wait_until

SILENCE_S = 0.3
"""How long a socket must stay silent to count as blackholed (nothing to wait for: nothing comes)."""


class Target(socketserver.ThreadingTCPServer):
    """A loopback server that keeps what each connection sent and, with ``echo``, sends it back."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, echo: bool) -> None:
        self.echo = echo
        self.received = bytearray()
        self.connections = 0
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)

    @property
    def port(self) -> int:
        return int(self.server_address[1])


class _Handler(socketserver.BaseRequestHandler):
    server: Target

    def handle(self) -> None:
        with self.server.lock:
            self.server.connections += 1
        while data := self._receive():
            with self.server.lock:
                self.server.received += data
            if self.server.echo:
                self.request.sendall(data)

    def _receive(self) -> bytes:
        try:
            data: bytes = self.request.recv(65536)
        except ConnectionResetError:  # the proxy reset this connection, as the test asked
            return b""
        return data


def serve(echo: bool) -> Iterator[Target]:
    target = Target(echo)
    thread = threading.Thread(target=target.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield target
    finally:
        target.shutdown()
        target.server_close()
        thread.join(5)


@pytest.fixture
def echo() -> Iterator[Target]:
    yield from serve(echo=True)


@pytest.fixture
def sink() -> Iterator[Target]:
    yield from serve(echo=False)


def connect(proxy: TcpProxy) -> socket.socket:
    sock = socket.create_connection((proxy.host, proxy.port), timeout=5)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def receive(sock: socket.socket, size: int) -> bytes:
    got = bytearray()
    while len(got) < size:
        data = sock.recv(size - len(got))
        if not data:
            break
        got += data
    return bytes(got)


def round_trip(sock: socket.socket, data: bytes) -> bytes:
    sock.sendall(data)
    return receive(sock, len(data))


def test_it_forwards_both_ways_and_counts_what_went(echo: Target) -> None:
    with TcpProxy(echo.port) as proxy, connect(proxy) as sock:
        assert round_trip(sock, b"hello kiosk") == b"hello kiosk"
        wait_until(lambda: proxy.counters.forwarded_bytes == 22, "both ways counted", 5)
        assert proxy.counters.accepted == 1 and proxy.open_connections() == 1
        assert proxy.url() == f"mqtt://127.0.0.1:{proxy.port}"


def test_a_cut_blackholes_open_and_new_connections_and_restore_lets_only_new_ones_through(echo: Target) -> None:
    with TcpProxy(echo.port) as proxy, connect(proxy) as before:
        assert round_trip(before, b"ping") == b"ping"
        proxy.cut()
        assert proxy.is_cut
        before.sendall(b"lost")
        wait_until(lambda: proxy.counters.blackholed_bytes == 4, "the bytes swallowed", 5)
        before.settimeout(SILENCE_S)
        with pytest.raises(TimeoutError):
            before.recv(10)  # no echo, and no end or reset either: the socket is open and silent
        with connect(proxy) as during:  # the handshake still completes, as a blackhole's does not even answer
            during.sendall(b"knock")
            wait_until(lambda: proxy.counters.blackholed_bytes == 9, "the new connection's bytes swallowed", 5)
            assert echo.connections == 1, "a connection made during the cut reached the server"

            proxy.restore()
            with connect(proxy) as after:
                assert round_trip(after, b"back") == b"back"
            before.sendall(b"again")  # the one cut stays dead
            wait_until(lambda: proxy.counters.blackholed_bytes == 14, "the dead connection's bytes swallowed", 5)
        assert bytes(echo.received) == b"pingback"


def test_a_dead_connection_closed_by_its_program_closes_only_its_own_side(echo: Target) -> None:
    with TcpProxy(echo.port) as proxy:
        sock = connect(proxy)
        assert round_trip(sock, b"x") == b"x"
        proxy.cut()
        sock.close()  # the kiosk gave up on it (its keepalive): the server's side stays open, unknowing
        wait_until(lambda: proxy.open_connections() == 1, "the proxy keeping the server's side", 5)
        assert echo.connections == 1


def test_a_reset_cut_resets_open_connections_and_new_ones_at_once(echo: Target) -> None:
    with TcpProxy(echo.port) as proxy, connect(proxy) as before:
        assert round_trip(before, b"ping") == b"ping"
        proxy.cut("reset")
        with pytest.raises(ConnectionResetError):
            before.recv(10)
        with pytest.raises(ConnectionResetError):  # noqa: SIM117 (the RST may beat connect() back)
            with connect(proxy) as during:
                during.recv(10)
        wait_until(lambda: proxy.counters.reset == 2, "both resets counted", 5)
        proxy.restore()
        with connect(proxy) as after:
            assert round_trip(after, b"back") == b"back"


def test_a_hold_cut_delivers_what_was_held_in_order_after_restore(echo: Target) -> None:
    with TcpProxy(echo.port) as proxy, connect(proxy) as sock:
        assert round_trip(sock, b"ping") == b"ping"
        proxy.cut("hold")
        sock.sendall(b"one ")
        sock.sendall(b"two")
        sock.settimeout(SILENCE_S)
        with pytest.raises(TimeoutError):
            sock.recv(10)  # nothing through while the cable is out
        assert bytes(echo.received) == b"ping"
        with connect(proxy) as during:
            during.sendall(b"knock")
            wait_until(lambda: proxy.counters.blackholed_bytes == 5, "the new connection's bytes swallowed", 5)
        proxy.restore()
        sock.settimeout(5)
        assert receive(sock, 7) == b"one two"
        assert round_trip(sock, b"!") == b"!"


def test_a_target_that_is_not_there_resets_the_client() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]  # bound, never listening: connecting to it is refused
        with TcpProxy(port) as proxy, pytest.raises(ConnectionResetError):  # noqa: SIM117 (the connect may fail too)
            with connect(proxy) as sock:
                sock.recv(10)


def test_a_delay_holds_each_way(echo: Target) -> None:
    with TcpProxy(echo.port) as proxy, connect(proxy) as sock:
        assert round_trip(sock, b"warm") == b"warm"
        proxy.delay(100)
        started = time.monotonic()
        assert round_trip(sock, b"slow") == b"slow"
        assert time.monotonic() - started >= 0.2  # 100 ms up and 100 ms down
        proxy.delay(0)
        started = time.monotonic()
        assert round_trip(sock, b"fast") == b"fast"
        assert time.monotonic() - started < 0.2


def test_a_throttle_caps_the_bytes_a_second(sink: Target) -> None:
    data = bytes(range(256)) * 120  # 30 kB: 0.3 s at 100 kB/s
    with TcpProxy(sink.port) as proxy, connect(proxy) as sock:
        proxy.throttle(100_000)
        started = time.monotonic()
        sock.sendall(data)
        wait_until(lambda: len(sink.received) == len(data), "everything at the server", 5, interval_s=0.01)
        assert time.monotonic() - started >= 0.25  # the first piece (a twentieth of a second's worth) goes at once
        assert bytes(sink.received) == data  # in order, whole


def test_drop_loses_whole_chunks_chosen_by_the_seed(sink: Target) -> None:
    chunks = [f"<{n:02}>".encode() for n in range(40)]
    with TcpProxy(sink.port, seed=7) as proxy, connect(proxy) as sock:
        proxy.drop(0.5)
        counters = proxy.counters
        handled = lambda: counters.dropped_chunks + counters.forwarded_chunks  # noqa: E731
        for done, chunk in enumerate(chunks, start=1):
            sock.sendall(chunk)  # one at a time, so that each is one chunk for the proxy
            wait_until(lambda done=done: handled() == done, "the chunk handled", 5, interval_s=0.002)
        chooser = random.Random(7)
        kept = [chunk for chunk in chunks if not chooser.random() < 0.5]
        assert 0 < len(kept) < len(chunks)
        assert proxy.counters.dropped_chunks == len(chunks) - len(kept)
        wait_until(lambda: len(sink.received) == len(b"".join(kept)), "the kept chunks at the server", 5)
        assert bytes(sink.received) == b"".join(kept)


@pytest.mark.parametrize(
    ("control", "value"),
    [("drop", 1.5), ("drop", -0.1), ("delay", -1), ("throttle", 0), ("cut", "unplugged")],
)
def test_controls_refuse_values_that_mean_nothing(echo: Target, control: str, value: object) -> None:
    with TcpProxy(echo.port) as proxy:
        with pytest.raises(ValueError):
            getattr(proxy, control)(value)
        assert not proxy.is_cut
        with connect(proxy) as sock:
            assert round_trip(sock, b"still fine") == b"still fine"


def test_stopping_closes_every_socket_and_the_thread(echo: Target) -> None:
    proxy = TcpProxy(echo.port).start()
    sock = connect(proxy)
    assert round_trip(sock, b"x") == b"x"
    proxy.cut()
    proxy.stop()
    assert receive(sock, 1) == b""  # closed by the proxy's end
    sock.close()
    assert not any(thread.name.startswith("tcp-proxy-") for thread in threading.enumerate())
