"""Loopback ports and waiting for a server to listen."""

from __future__ import annotations

import itertools
import os
import random
import socket
import time
from collections.abc import Iterator
from pathlib import Path

LOWEST_PORT = 10_000


def _first_ephemeral_port() -> int:
    """Where the kernel starts picking ports for outgoing connections and ``bind(0)``."""
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def _ports_of_this_process() -> Iterator[int]:
    """The ports this test process hands out, in turn: below the ephemeral range, so that no connection a
    test opens meanwhile takes one between :func:`free_port` and the program binding it, and a share of
    their own for each pytest-xdist worker, so that two workers never pick the same one. Starting at a
    random place keeps independent runs on one machine apart too."""
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
    workers = max(1, int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")))
    share = (_first_ephemeral_port() - LOWEST_PORT) // workers
    first = LOWEST_PORT + worker * share
    start = random.randrange(share)
    return itertools.cycle([*range(first + start, first + share), *range(first, first + start)])


_ports = _ports_of_this_process()


def free_port() -> int:
    """A loopback port nothing listens on now, and that no other worker of this run will hand out."""
    for port in itertools.islice(_ports, 1000):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise OSError("no free loopback port among the next 1000 of this process's share")


def wait_for_port(port: int, timeout_s: float = 10.0, alive: object = None) -> None:
    """Return once something accepts TCP connections on 127.0.0.1:port; raise after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            if alive is not None and callable(alive) and not alive():
                raise RuntimeError(f"server for port {port} exited before listening") from None
            if time.monotonic() > deadline:
                raise TimeoutError(f"nothing listening on 127.0.0.1:{port} after {timeout_s}s") from None
            time.sleep(0.05)
