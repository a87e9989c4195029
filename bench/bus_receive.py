"""Central's bus receive path alone: CPU per message of the thread link (BusLink, the baseline) and the loop
link (LoopLink, what central runs, and as it read before: each packet through paho, no rest), beside
Mosquitto's own CPU for the same messages, in one run.

``python -m bench.bus_receive [--rate N] [--seconds S] [--quick]``

One Mosquitto (our own config on a free loopback port). For each link in turn, a receiver process subscribes
as central does (``device/+/health`` at QoS 0, ``device/+/event`` at QoS 1, and its handlers decode each
message with the codec, as central's first step does); this process then publishes a fleet's mix for
``--seconds`` at ``--rate`` messages a second (two health snapshots to one event, from 2,000 device ids, the
payloads the fleet simulator sends). CPU is each process's user + system time over its receiving, so the
figures hold on a machine busy with other work, where wall-time figures do not.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion

from bench.fleet import Programs, cpu_s, start_broker
from bench.report import table

DEVICES = 2000
KINDS = ("thread", "loop-paho", "loop")
ROOT = "airport/HAK"
QUIET_S = 5.0
LABELS = {
    "thread": "BusLink, paho's thread (baseline)",
    "loop-paho": "LoopLink, each packet by paho",  # how it read before bus/loop_link.py's take_publishes
    "loop": "LoopLink, on the loop",
}


def health_payload(n: int) -> bytes:
    # what demo.fleet's devices send, give or take the figures
    from bus.codec import encode
    from bus.messages.device import DeviceHealth

    return encode(
        DeviceHealth(
            cpu_percent=12.5 + n % 50,
            memory_percent=40.0,
            app_rss_mb=120.0,
            uptime_s=5000.0 + n,
            temperature_c=55.0,
            disk_percent=33.0,
            broker_rtt_ms=4.2,
            version="1.4.2",
        )
    )


def event_payload(n: int) -> bytes:
    from bus.codec import encode
    from bus.messages.device import DeviceEvent

    return encode(DeviceEvent(seq=n, name="flights.looked_up", data={"flights": ["HU7181"]}))


# --- the receiver, a process of its own ----------------------------------------------------------------------


async def receive(kind: str, url: str, count: int) -> dict[str, float]:
    from bus.codec import decode
    from bus.link import BusLink
    from bus.loop_link import LoopLink
    from bus.topics import TopicKind
    from config.sections import BusSection

    link_type = LoopLink if kind.startswith("loop") else BusLink
    link = link_type(BusSection(url=url), f"bench-receiver-{kind}", clean_session=True)
    if isinstance(link, LoopLink) and kind == "loop-paho":  # the loop link as it read before: paho's way, no rest
        link.parse_in_place = False
        link.read_rest_s = 0.0
    got = 0
    first_cpu = first_wall = 0.0
    done = asyncio.Event()

    def handler(topic_kind: TopicKind) -> Callable[[str, bytes], None]:
        def handle(_topic: str, payload: bytes) -> None:
            nonlocal got, first_cpu, first_wall
            if payload == b"start":
                first_cpu, first_wall = process_cpu_s(), time.monotonic()
                print("started", flush=True)
                return
            decode(topic_kind, payload)  # central's first step with every message
            got += 1
            if got >= count:
                done.set()

        return handle

    link.subscribe(f"{ROOT}/device/+/health", handler(TopicKind.DEVICE_HEALTH), qos=0)
    link.subscribe(f"{ROOT}/device/+/event", handler(TopicKind.DEVICE_EVENT), qos=1)
    link.subscribe(f"{ROOT}/bench/start", handler(TopicKind.DEVICE_EVENT), qos=1)
    up = asyncio.Event()
    link.add_connected_listener(up.set)
    await link.start()
    await asyncio.wait_for(up.wait(), 10)
    print("ready", flush=True)
    seen = -1
    while not done.is_set() and got != seen:  # all of them, or none for a while (the broker dropped some)
        seen = got
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), QUIET_S)
    cpu, wall = process_cpu_s() - first_cpu, time.monotonic() - first_wall
    await link.stop()
    return {"cpu_s": cpu, "wall_s": wall, "messages": got}


def process_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --- the run --------------------------------------------------------------------------------------------------


def publish(url_port: int, rate: float, seconds: float) -> int:
    """The fleet's mix at ``rate`` a second, paced in 10 ms steps; returns how many were sent."""
    client = mqtt.Client(
        callback_api_version=CallbackAPIVersion.VERSION2, client_id="bench-fleet", protocol=MQTTProtocolVersion.MQTTv311
    )
    client.max_queued_messages_set(0)
    client.max_inflight_messages_set(1000)
    client.connect("127.0.0.1", url_port)
    client.loop_start()
    try:
        client.publish(f"{ROOT}/bench/start", b"start", qos=1).wait_for_publish(10)
        healths = [health_payload(n) for n in range(64)]
        events = [event_payload(n) for n in range(64)]
        total = int(rate * seconds)
        began = time.monotonic()
        for n in range(total):
            device = f"kiosk-{n % DEVICES:04d}"
            if n % 3 == 2:
                client.publish(f"{ROOT}/device/{device}/event", events[n % 64], qos=1)
            else:
                client.publish(f"{ROOT}/device/{device}/health", healths[n % 64], qos=0)
            if n % max(1, int(rate / 100)) == 0:
                ahead = began + n / rate - time.monotonic()
                if ahead > 0:
                    time.sleep(ahead)
        return total
    finally:
        client.loop_stop()
        client.disconnect()


def measure(args: argparse.Namespace, workdir: Path, programs: Programs) -> str:
    port = start_broker(programs, workdir, 10)
    url = f"mqtt://127.0.0.1:{port}"
    broker = programs.process("mosquitto")
    results: dict[str, dict[str, float]] = {}
    count = int(args.rate * args.seconds)
    for kind in KINDS:
        receiver = subprocess.Popen(
            [sys.executable, "-m", "bench.bus_receive", "--receiver", kind, "--broker", url, "--count", str(count)],
            cwd=Path(__file__).resolve().parent.parent,
            env={**os.environ},
            stdout=subprocess.PIPE,
        )
        programs.started.append((f"receiver-{kind}", receiver))
        assert receiver.stdout is not None
        if receiver.stdout.readline().strip() != b"ready":
            raise RuntimeError(f"the {kind} receiver did not start")
        broker_before = cpu_s(broker.pid)
        sent = publish(port, args.rate, args.seconds)
        if receiver.stdout.readline().strip() != b"started":
            raise RuntimeError(f"the {kind} receiver missed the start")
        out = receiver.stdout.read()  # not communicate(): it would skip what readline() has buffered
        receiver.wait(30)
        broker_cpu = cpu_s(broker.pid) - broker_before
        lines = out.decode().strip().splitlines()
        if receiver.returncode != 0 or not lines:
            raise RuntimeError(f"the {kind} receiver exited {receiver.returncode} with {out.decode()[-500:]!r}")
        figures = json.loads(lines[-1])
        figures["broker_cpu_s"] = broker_cpu
        figures["sent"] = sent
        results[kind] = figures
    rows = [["receiver", "messages", "CPU s", "µs a message", "vs thread", "broker CPU s", "vs broker"]]
    thread_us = results["thread"]["cpu_s"] / results["thread"]["messages"] * 1e6
    for kind, label in LABELS.items():
        r = results[kind]
        per = r["cpu_s"] / r["messages"] * 1e6
        rows.append(
            [
                label,
                f"{r['messages']:.0f}",
                f"{r['cpu_s']:.2f}",
                f"{per:.1f}",
                f"{per / thread_us:.2f}",
                f"{r['broker_cpu_s']:.2f}",
                f"{r['cpu_s'] / r['broker_cpu_s']:.2f}x" if r["broker_cpu_s"] > 0 else "-",
            ]
        )
    return "\n".join(
        [
            f"bench.bus_receive: {args.rate:g} messages a second for {args.seconds:g} s (2 health at QoS 0 to 1 event "
            f"at QoS 1, {DEVICES} device ids), each decoded by the receiver; CPU = user + system time",
            "",
            table(rows),
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bus_receive", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rate", type=float, default=600.0, metavar="N", help="messages a second (the fleet: 600)")
    parser.add_argument("--seconds", type=float, default=30.0, metavar="S")
    parser.add_argument("--quick", action="store_true", help="5 s: shows it still works")
    parser.add_argument("--receiver", choices=KINDS, help=argparse.SUPPRESS)
    parser.add_argument("--broker", help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.receiver:
        print(json.dumps(asyncio.run(receive(args.receiver, args.broker, args.count))), flush=True)
        return 0
    if args.quick:
        args.seconds = 5.0
    programs = Programs()
    with tempfile.TemporaryDirectory(prefix="bench-bus-receive-") as tmp:
        try:
            print(measure(args, Path(tmp), programs))
        finally:
            programs.stop_all()
    return 0


if __name__ == "__main__":
    sys.exit(main())
