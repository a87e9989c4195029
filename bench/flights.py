"""Flight search per keystroke, and a feed change to its update on the bus.

``python -m bench.flights [--flights N] [--changes N] [--skip-bus] [--json PATH]``

Search: a board of ``--flights`` flights to the cities of ``bus/airports`` (both directions, spread over a
day), indexed once as a kiosk does after a board change, then searched as people type: every prefix of a
set of queries (flight numbers, airline codes, English names, pinyin, pinyin initials, Chinese), each
keystroke timed around one :meth:`FlightIndex.search` call. Goal: p99 ≤ 10 ms.

Kiosk: the same board on the kiosk's Flights screen (the real window, offscreen, 1080x1920), the same
keystrokes tapped on its on-screen keyboard: each timed from the key to the results in the Qt list (the
search, the model reset, the hint), and to the list repainted, beside the bare search of the same run.
Goal: p99 ≤ 10 ms for the key to the repainted list.

Bus: a real Mosquitto and ``central`` as a process with an AIDX feed (simulator off), loaded with a board
of ``--flights`` departures in one document. Then ``--changes`` times: a document moving one flight's gate
is POSTed to ``/api/feeds/aidx`` and the clock runs until the ``flights/update`` carrying that gate arrives
at a subscriber on the broker. Goal: p99 ≤ 1 s. The changes are spaced wider than central's coalescing
interval, so each is a quiet-spell change, as a real feed's are.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import platform
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from bench.network import free_port
from bench.report import table, yes
from bus.airports import chinese_names
from bus.codec import decode
from bus.messages.flights import Direction, Flight, FlightUpdate
from bus.topics import TopicKind
from device.flights.search import FlightIndex

SEARCH_GOAL_MS = 10.0
BUS_GOAL_MS = 1000.0
QUERIES = (
    "beijing",
    "bj",
    "hu7181",
    "7181",
    "shanghai",
    "sh",
    "guangzhou",
    "cz",
    "chengdu",
    "北京",
    "hong kong",
    "xian",
)
AIRLINES = ("HU", "CA", "CZ", "MU", "3U", "GS", "ZH", "MF", "HO", "9C", "SC", "KY")
ROOT = "airport/HAK"
TOKEN = "bench-token"
CHANGE_SPACING_S = 0.3
REPO = Path(__file__).resolve().parents[1]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


# --- search ------------------------------------------------------------------------------------------


def board_of(count: int, seed: int = 1) -> list[Flight]:
    rng = random.Random(seed)
    codes = sorted(chinese_names())
    start = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
    flights = []
    for n in range(count):
        direction = Direction.DEPARTURES if n % 2 else Direction.ARRIVALS
        number = f"{rng.choice(AIRLINES)}{1000 + n}"
        code = rng.choice(codes)
        names = chinese_names()[code]
        flights.append(
            Flight(
                id=f"{number}-20261123-{'D' if n % 2 else 'A'}",
                number=number,
                direction=direction,
                other_airport=code,
                city_en=names.city_en,
                city_zh=names.city,
                scheduled=start + timedelta(minutes=rng.randrange(0, 18 * 60)),
                codeshares=[f"{rng.choice(AIRLINES)}{rng.randint(1000, 9999)}"] if rng.random() < 0.3 else [],
            )
        )
    flights.append(flights[0].model_copy(update={"id": "HU7181-20261123-D", "number": "HU7181"}))
    return flights


def bench_search(count: int) -> dict[str, float]:
    flights = board_of(count)
    builds = []
    for _ in range(5):
        started = time.perf_counter()
        index = FlightIndex(flights)
        builds.append((time.perf_counter() - started) * 1000)
    timings = []
    hits = 0
    for _round in range(5):
        for query in QUERIES:
            for end in range(1, len(query) + 1):
                started = time.perf_counter()
                found = index.search(query[:end])
                timings.append((time.perf_counter() - started) * 1000)
                hits += bool(found)
    return {
        "flights": len(flights),
        "keystrokes": len(timings),
        "build_ms_median": statistics.median(builds),
        "p50_ms": percentile(timings, 0.5),
        "p99_ms": percentile(timings, 0.99),
        "max_ms": max(timings),
        "keystrokes_with_results": hits,
    }


def bench_kiosk_search(count: int) -> dict[str, float]:
    """Per keystroke on the kiosk's Flights screen: the bare search, the key to the Qt list, and to the list
    repainted, each over the same keystrokes in this run."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from device.i18n import Catalogue
    from kiosk.session import PassengerSession
    from kiosk.settings import KioskSettings
    from kiosk.ui.flights.board import FixedBoards
    from kiosk.ui.window import KioskWindow

    app = QApplication.instance() or QApplication([])
    flights = board_of(count)
    settings = KioskSettings.model_validate({"ui": {"fullscreen": False, "language": "en"}})
    window = KioskWindow(settings, Catalogue.from_package("kiosk"), PassengerSession("en"))
    window.resize(1080, 1920)
    window.show()
    screen = window.flights
    screen.set_boards(FixedBoards(flights, "Asia/Shanghai"))
    window.show_screen(screen)
    screen.open_search()
    app.processEvents()
    index = FlightIndex(flights)
    bare: list[float] = []
    to_list: list[float] = []
    to_paint: list[float] = []
    paint_cpu: list[float] = []  # this thread's CPU time: the work itself, whatever else the machine runs
    for _round in range(3):
        for query in QUERIES:
            typed = query.upper()
            if not typed.replace(" ", "").isascii():
                continue  # Chinese is not typed on the kiosk: its city buttons are
            screen.keyboard.clear()
            app.processEvents()
            for end in range(1, len(typed) + 1):
                char = typed[end - 1]
                if char not in screen.keyboard.keys:
                    continue  # the space of "hong kong": the search ignores it anyway
                started = time.perf_counter()
                index.search(typed[:end], 200)
                bare.append((time.perf_counter() - started) * 1000)
                started, cpu_started = time.perf_counter(), time.thread_time()
                screen.keyboard.keys[char].click()
                to_list.append((time.perf_counter() - started) * 1000)
                app.processEvents()  # the list's repaint, posted by the model reset
                to_paint.append((time.perf_counter() - started) * 1000)
                paint_cpu.append((time.thread_time() - cpu_started) * 1000)
    window.close()
    window.deleteLater()
    app.processEvents()
    return {
        "flights": len(flights),
        "keystrokes": len(bare),
        "bare_p50_ms": percentile(bare, 0.5),
        "bare_p99_ms": percentile(bare, 0.99),
        "list_p50_ms": percentile(to_list, 0.5),
        "list_p99_ms": percentile(to_list, 0.99),
        "paint_p50_ms": percentile(to_paint, 0.5),
        "paint_p99_ms": percentile(to_paint, 0.99),
        "paint_cpu_p50_ms": percentile(paint_cpu, 0.5),
        "paint_cpu_p99_ms": percentile(paint_cpu, 0.99),
    }


# --- feed change to the bus --------------------------------------------------------------------------


def wait_for_port(port: int, timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"nothing listens on {port} after {timeout_s} s")
        time.sleep(0.05)


@contextlib.contextmanager
def process(args: list[str], log: Path, env: dict[str, str] | None = None) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        child = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, cwd=REPO, env=env)
    try:
        yield child
    finally:
        child.terminate()
        try:
            child.wait(10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait(10)


def leg_xml(number: int, gate: str, minute: int) -> str:
    off = datetime(2026, 11, 23, 0, 0, tzinfo=UTC) + timedelta(minutes=minute)
    return (
        f"<FlightLeg><LegIdentifier><Airline>HU</Airline><FlightNumber>{number}</FlightNumber>"
        f"<DepartureAirport>HAK</DepartureAirport><ArrivalAirport>PEK</ArrivalAirport>"
        f"<OriginDate>{date(2026, 11, 23)}</OriginDate></LegIdentifier><LegData><OperationalStatus>SCH"
        f'</OperationalStatus><OperationTime OperationQualifier="OFB" TimeType="SCT">{off.isoformat()}'
        f'</OperationTime><AirportResources Usage="Actual"><Resource DepartureOrArrival="Departure">'
        f"<PassengerGate>{gate}</PassengerGate></Resource></AirportResources></LegData></FlightLeg>"
    )


def document(legs: list[str]) -> bytes:
    body = "".join(legs)
    root = 'IATA_AIDX_FlightLegNotifRQ xmlns="http://www.iata.org/IATA/2007/00" Version="16.1"'
    return f"<{root}>{body}</IATA_AIDX_FlightLegNotifRQ>".encode()


def post(port: int, body: bytes) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("POST", "/api/feeds/aidx", body, {"Authorization": f"Bearer {TOKEN}"})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def observe_updates(
    port: int, on_update: Callable[[FlightUpdate, float], None], client_id: str, timeout_s: float = 30.0
) -> mqtt.Client:
    """A subscriber to ``flights/update`` that returns once it would hear central's next one: central's
    retained ``central/status`` saying online has reached it, so both its subscription and central's
    connection to the broker are live (an open HTTP port alone says neither, on a loaded machine)."""
    central_online = threading.Event()
    status_topic = f"{ROOT}/{TopicKind.CENTRAL_STATUS.value}"

    def on_message(_client: mqtt.Client, _userdata: object, message: mqtt.MQTTMessage) -> None:
        at = time.perf_counter()
        if message.topic == status_topic:
            if message.payload and decode(TopicKind.CENTRAL_STATUS, bytes(message.payload)).online:
                central_online.set()
            return
        on_update(decode(TopicKind.FLIGHTS_UPDATE, bytes(message.payload)), at)

    observer = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, client_id=client_id)
    observer.on_message = on_message
    observer.connect("127.0.0.1", port)
    observer.subscribe([(f"{ROOT}/flights/update", 1), (status_topic, 1)])
    observer.loop_start()
    if not central_online.wait(timeout_s):
        observer.loop_stop()
        raise RuntimeError(f"central did not come online on the broker within {timeout_s:g} s")
    return observer


def bench_bus(count: int, changes: int, workdir: Path) -> dict[str, float]:
    broker_port, http_port = free_port(), free_port()
    (workdir / "mosquitto.conf").write_text(
        f"listener {broker_port} 127.0.0.1\npersistence false\nallow_anonymous true\n"
        + ("user root\n" if os.geteuid() == 0 else "")
    )
    (workdir / "central.toml").write_text(
        f'[app]\nstate_dir = "{workdir / "state"}"\nlog_level = "WARNING"\n[bus]\nurl = "mqtt://127.0.0.1:{broker_port}"\n'
        f'site = "HAK"\n[http]\nport = {http_port}\n[feeds]\nsimulator = false\naidx_token = "{TOKEN}"\n'
        f"aidx_max_bytes = {16 * 1024 * 1024}\n"
    )
    mosquitto = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CENTRAL_")}
    with (
        process([mosquitto, "-c", str(workdir / "mosquitto.conf")], workdir / "mosquitto.log"),
        process(
            [sys.executable, "-m", "central", "--config", str(workdir / "central.toml")], workdir / "central.log", env
        ),
    ):
        wait_for_port(broker_port)
        wait_for_port(http_port)
        arrived: dict[str, float] = {}
        seen = threading.Condition()

        def on_update(update: FlightUpdate, at: float) -> None:
            with seen:
                for flight in update.changed:
                    arrived.setdefault(f"{flight.number}/{flight.gate}", at)
                seen.notify_all()

        observer = observe_updates(broker_port, on_update, "bench-observer")
        try:
            legs = [leg_xml(1000 + n, "1", n % (18 * 60)) for n in range(count)]
            started = time.perf_counter()
            if post(http_port, document(legs)) != 200:
                raise RuntimeError(f"central refused the board; see {workdir / 'central.log'}")
            with seen:
                if not seen.wait_for(lambda: f"HU{999 + count}/1" in arrived, 30):
                    raise RuntimeError("the loaded board never reached the bus")
            load_ms = (arrived[f"HU{999 + count}/1"] - started) * 1000
            latencies = []
            for n in range(changes):
                flight = 1000 + (n * 37) % count
                gate = str(2 + n)
                key = f"HU{flight}/{gate}"
                started = time.perf_counter()
                if post(http_port, document([leg_xml(flight, gate, (flight - 1000) % (18 * 60))])) != 200:
                    raise RuntimeError("central refused a change")
                with seen:
                    if not seen.wait_for(lambda key=key: key in arrived, 10):
                        raise RuntimeError(f"the update for {key} never came")
                latencies.append((arrived[key] - started) * 1000)
                time.sleep(CHANGE_SPACING_S)
        finally:
            observer.loop_stop()
            observer.disconnect()
    return {
        "flights": count,
        "changes": len(latencies),
        "load_ms": load_ms,
        "p50_ms": percentile(latencies, 0.5),
        "p99_ms": percentile(latencies, 0.99),
        "max_ms": max(latencies),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.flights", description=__doc__.splitlines()[0])
    parser.add_argument("--flights", type=int, default=2000)
    parser.add_argument("--changes", type=int, default=100)
    parser.add_argument("--skip-bus", action="store_true", help="only the search benchmark")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--quick", action="store_true", help="a short run that only shows it still works")
    args = parser.parse_args(argv)
    if args.quick:
        args.flights, args.changes = 200, 5
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    search = bench_search(args.flights)
    print(f"\nSearch per keystroke over {search['flights']} flights ({search['keystrokes']} keystrokes)\n")
    print(
        table(
            [
                ["figure", "ms"],
                ["index build (median of 5)", f"{search['build_ms_median']:.2f}"],
                ["keystroke p50", f"{search['p50_ms']:.3f}"],
                ["keystroke p99", f"{search['p99_ms']:.3f}"],
                ["keystroke max", f"{search['max_ms']:.3f}"],
            ]
        )
    )
    ok = search["p99_ms"] <= SEARCH_GOAL_MS
    print(f"\ngoal p99 ≤ {SEARCH_GOAL_MS:g} ms: {yes(ok)}")
    figures: dict[str, object] = {"search": search}
    kiosk = bench_kiosk_search(args.flights)
    print(f"\nKiosk Flights screen per keystroke over {kiosk['flights']} flights ({kiosk['keystrokes']} keys)\n")
    bare_p50, bare_p99 = kiosk["bare_p50_ms"], kiosk["bare_p99_ms"]
    print(
        table(
            [
                ["per keystroke", "p50 ms", "p99 ms", "p99 / bare search"],
                ["bare search (FlightIndex.search)", f"{bare_p50:.3f}", f"{bare_p99:.3f}", "1.0x"],
                [
                    "key to results in the Qt list",
                    f"{kiosk['list_p50_ms']:.3f}",
                    f"{kiosk['list_p99_ms']:.3f}",
                    f"{kiosk['list_p99_ms'] / bare_p99:.1f}x",
                ],
                [
                    "key to the list repainted",
                    f"{kiosk['paint_p50_ms']:.3f}",
                    f"{kiosk['paint_p99_ms']:.3f}",
                    f"{kiosk['paint_p99_ms'] / bare_p99:.1f}x",
                ],
                [
                    "key to the list repainted, CPU time",
                    f"{kiosk['paint_cpu_p50_ms']:.3f}",
                    f"{kiosk['paint_cpu_p99_ms']:.3f}",
                    f"{kiosk['paint_cpu_p99_ms'] / bare_p99:.1f}x",
                ],
            ]
        )
    )
    kiosk_ok = kiosk["paint_p99_ms"] <= SEARCH_GOAL_MS
    print(f"\ngoal p99 ≤ {SEARCH_GOAL_MS:g} ms from the key to the repainted list: {yes(kiosk_ok)}")
    figures["kiosk"] = kiosk
    ok = ok and kiosk_ok
    if not args.skip_bus:
        with tempfile.TemporaryDirectory(prefix="bench-flights-") as workdir:
            bus = bench_bus(args.flights, args.changes, Path(workdir))
        print(f"\nFeed change (AIDX over HTTP) to the update on the bus, board of {bus['flights']} flights\n")
        print(
            table(
                [
                    ["figure", "ms"],
                    [f"whole board loaded and published ({bus['flights']} legs)", f"{bus['load_ms']:.0f}"],
                    [f"one change, p50 of {bus['changes']}", f"{bus['p50_ms']:.1f}"],
                    ["one change, p99", f"{bus['p99_ms']:.1f}"],
                    ["one change, max", f"{bus['max_ms']:.1f}"],
                ]
            )
        )
        bus_ok = bus["p99_ms"] <= BUS_GOAL_MS
        print(f"\ngoal p99 ≤ {BUS_GOAL_MS:g} ms: {yes(bus_ok)}")
        figures["bus"] = bus
        ok = ok and bus_ok
    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    # a quick run shows the benchmark still works; its figures, from a small board on a machine that may be
    # busy with other work, prove nothing about the goals
    return 0 if ok or args.quick else 1


if __name__ == "__main__":
    sys.exit(main())
