"""Events per second through the device's outbox, beside paho publishing the same events directly.

``python -m bench.outbox [--events N] [--rounds R] [--quick]``

A real Mosquitto on a free loopback port (started and stopped here). Each round sends N events, QoS 1, from
one client and waits for the last broker acknowledgement: once as plain ``BusLink.publish`` (the floor: no
disk, nothing kept), once through :class:`bus.outbox.Outbox` (each event committed to SQLite before it goes,
deleted when its PUBACK comes). Rounds alternate the two; the table gives the median and the range.
Goal: the outbox costs at most 2x the floor.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.report import table, yes
from bus.link import BusLink, Publication
from bus.outbox import Outbox
from config.sections import BusSection

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
TOPIC = "airport/HAK/device/kiosk-bench/event"
GOAL_RATIO = 2.0


def start_broker(workdir: Path) -> tuple[subprocess.Popen[bytes], int]:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    conf = workdir / "mosquitto.conf"
    conf.write_text(
        f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
        + ("user root\n" if os.geteuid() == 0 else "")
    )
    broker = subprocess.Popen([MOSQUITTO, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return broker, port
        except OSError:
            if time.monotonic() > deadline or broker.poll() is not None:
                broker.kill()
                raise RuntimeError("mosquitto did not start") from None
            time.sleep(0.05)


async def direct(link: BusLink, events: int) -> float:
    done = asyncio.Event()
    acked = 0

    def ack() -> None:
        nonlocal acked
        acked += 1
        if acked == events:
            done.set()

    start = time.perf_counter()
    for n in range(events):
        while not link.publish_acked(Publication(TOPIC, b'{"v": 1, "seq": %d, "name": "bench"}' % n), ack):
            await asyncio.sleep(0.001)
    await asyncio.wait_for(done.wait(), 60)
    return time.perf_counter() - start


async def through_outbox(link: BusLink, events: int, workdir: Path, round_no: int) -> float:
    outbox = Outbox(workdir / f"outbox-{round_no}.sqlite3", link, TOPIC)
    try:
        start = time.perf_counter()
        for _ in range(events):
            outbox.add(lambda seq: b'{"v": 1, "seq": %d, "name": "bench"}' % seq)
            await asyncio.sleep(0)  # the acknowledgements come back on the loop meanwhile
        while len(outbox):
            await asyncio.sleep(0.001)
        return time.perf_counter() - start
    finally:
        outbox.close()


async def run(events: int, rounds: int) -> str:
    with tempfile.TemporaryDirectory(prefix="bench-outbox-") as tmp:
        workdir = Path(tmp)
        broker, port = start_broker(workdir)
        try:
            link = BusLink(BusSection(url=f"mqtt://127.0.0.1:{port}"), "kiosk-bench")
            up = asyncio.Event()
            link.add_connected_listener(up.set)
            await link.start()
            await asyncio.wait_for(up.wait(), 10)
            floor: list[float] = []
            boxed: list[float] = []
            for round_no in range(rounds):
                floor.append(await direct(link, events))
                boxed.append(await through_outbox(link, events, workdir, round_no))
            await link.stop()
        finally:
            broker.terminate()
            broker.wait(10)

    def rate(seconds: list[float]) -> str:
        rates = sorted(events / s for s in seconds)
        return f"{statistics.median(rates):,.0f} ({rates[0]:,.0f}–{rates[-1]:,.0f})"

    ratio = statistics.median(boxed) / statistics.median(floor)
    rows = [
        ["path", "events/s median (range)", "ms per event"],
        ["paho publish, QoS 1 (floor)", rate(floor), f"{statistics.median(floor) / events * 1000:.3f}"],
        ["outbox: SQLite, then QoS 1", rate(boxed), f"{statistics.median(boxed) / events * 1000:.3f}"],
    ]
    return "\n".join(
        [
            f"bench.outbox: {events} events x {rounds} rounds each way, alternating, Mosquitto on loopback",
            "",
            table(rows),
            "",
            f"outbox / floor: {ratio:.2f}x",
            f"goal: the outbox costs at most {GOAL_RATIO:g}x the floor .... {yes(ratio <= GOAL_RATIO)}",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.outbox", description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="a short run that only shows it still works")
    args = parser.parse_args(argv)
    if args.quick:
        args.events, args.rounds = 200, 1
    print(asyncio.run(run(args.events, args.rounds)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
