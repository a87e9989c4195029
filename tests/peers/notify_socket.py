"""systemd's side of the notify protocol, for tests: a Unix datagram socket that records every message a
program sends to ``NOTIFY_SOCKET``, with its arrival time, from a thread of its own (so arrivals are timed
even while the sender's UI thread is frozen)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Datagram:
    at: float  # time.monotonic() at arrival
    fields: tuple[str, ...]


class NotifySocket:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._received: list[Datagram] = []
        self._changed = threading.Condition()

    def arrivals(self, field: str) -> list[float]:
        """When each datagram carrying ``field`` (e.g. ``WATCHDOG=1``) arrived."""
        with self._changed:
            return [d.at for d in self._received if field in d.fields]

    def fields(self) -> list[str]:
        with self._changed:
            return [f for d in self._received for f in d.fields]

    def wait_for(self, field: str, count: int = 1, timeout_s: float = 30.0) -> list[float]:
        """Block until ``count`` datagrams carried ``field``; their arrival times. TimeoutError otherwise."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self._arrivals(field)) >= count, timeout_s):
                raise TimeoutError(f"{count} x {field} not received in {timeout_s} s; got {self._received}")
            return self._arrivals(field)

    def _arrivals(self, field: str) -> list[float]:
        return [d.at for d in self._received if field in d.fields]

    def _record(self, data: bytes) -> None:
        with self._changed:
            self._received.append(Datagram(time.monotonic(), tuple(data.decode().split("\n"))))
            self._changed.notify_all()


@contextmanager
def notify_socket(path: Path) -> Iterator[NotifySocket]:
    """A bound socket at ``path`` and its receiving thread; both closed afterwards."""
    server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    server.bind(str(path))
    server.settimeout(0.05)  # how soon the thread notices the stop, not a synchronisation
    listener = NotifySocket(path)
    stop = threading.Event()

    def receive() -> None:
        while not stop.is_set():
            try:
                data = server.recv(4096)
            except TimeoutError:
                continue
            listener._record(data)

    thread = threading.Thread(target=receive, name="test-notify-socket")
    thread.start()
    try:
        yield listener
    finally:
        stop.set()
        thread.join(5)
        server.close()
