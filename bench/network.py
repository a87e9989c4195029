"""What the benchmarks that start servers or load pages share: a free loopback port, and the slow phone
network the phone pages are measured on."""

from __future__ import annotations

import socket

SLOW_3G = {"offline": False, "latency": 400, "downloadThroughput": 400_000 / 8, "uploadThroughput": 400_000 / 8}
"""Chrome's DevTools ``Network.emulateNetworkConditions`` for "3G slow" as WebPageTest defines it: 400 ms
round trip, 400 kbit/s each way."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
