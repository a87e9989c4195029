"""The fleet's views are built once per message and reused by later snapshots: a snapshot still shows every
change, including silence, which comes from the clock alone; and the alert watch, which passes over devices
with nothing wrong and nothing pending, still clears what it raised."""

from __future__ import annotations

from datetime import UTC, datetime

from bus.codec import encode
from bus.messages.device import DeviceHealth, DeviceKind, DeviceStatus, OfflineReason, PrinterHealth, PrinterState
from bus.topics import TopicKind, Topics
from central.alerts.book import AlertBook, BookChange
from central.alerts.facts import fleet_facts
from central.alerts.settings import AlertsSection
from central.alerts.watch import FleetWatch
from central.fleet import FleetState
from tests.peers.clock import FakeClock

TOPICS = Topics("airport/HAK")
T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC).timestamp()
STALE_AFTER_S = 60.0


def status(device_id: str, online: bool = True) -> tuple[str, bytes]:
    message = DeviceStatus(
        online=online,
        kind=DeviceKind.KIOSK,
        version="1.0.0",
        location="T1 Hall B",
        reason=None if online else OfflineReason.LOST,
    )
    return TOPICS.device(device_id, TopicKind.DEVICE_STATUS), encode(message)


def health(device_id: str, cpu: float = 10.0, printer: PrinterState = PrinterState.READY) -> tuple[str, bytes]:
    message = DeviceHealth(
        cpu_percent=cpu, memory_percent=20, app_rss_mb=100, uptime_s=5, printer=PrinterHealth(state=printer)
    )
    return TOPICS.device(device_id, TopicKind.DEVICE_HEALTH), encode(message)


def fleet_of(clock: FakeClock, *ids: str) -> FleetState:
    fleet = FleetState(TOPICS, STALE_AFTER_S, clock=clock.utc)
    for device_id in ids:
        fleet.handle(*status(device_id))
        fleet.handle(*health(device_id))
    return fleet


def states(fleet: FleetState) -> dict[str, str]:
    return {view["id"]: view["state"] for view in fleet.snapshot()["devices"]}


def test_a_snapshot_shows_each_new_health_and_status():
    clock = FakeClock(T0)
    fleet = fleet_of(clock, "kiosk-a", "kiosk-b")
    first = fleet.snapshot()
    fleet.handle(*health("kiosk-a", cpu=77.0))
    fleet.handle(*status("kiosk-b", online=False))
    second = fleet.snapshot()
    by_id = {view["id"]: view for view in second["devices"]}
    assert by_id["kiosk-a"]["health"] is not None and by_id["kiosk-a"]["health"]["cpu_percent"] == 77.0
    assert by_id["kiosk-b"]["state"] == "offline" and by_id["kiosk-b"]["reason"] == "lost"
    assert second["counts"] == {"online": 1, "offline": 1, "silent": 0, "total": 2}
    assert first["counts"] == {"online": 2, "offline": 0, "silent": 0, "total": 2}
    assert fleet.view("kiosk-a") == by_id["kiosk-a"]


def test_silence_shows_in_the_snapshot_as_soon_as_the_clock_says_so():
    clock = FakeClock(T0)
    fleet = fleet_of(clock, "kiosk-a", "kiosk-b")
    assert states(fleet) == {"kiosk-a": "online", "kiosk-b": "online"}
    clock.advance(STALE_AFTER_S / 2)
    fleet.handle(*health("kiosk-b"))
    clock.advance(STALE_AFTER_S / 2 + 1)
    # nobody called check_silence: the snapshot judges the clock itself
    assert states(fleet) == {"kiosk-a": "silent", "kiosk-b": "online"}
    assert fleet.counts() == {"online": 2, "offline": 0, "silent": 1, "total": 2}
    assert fleet.view("kiosk-a") is not None and fleet.view("kiosk-a")["silent"] is True  # type: ignore[index]
    fleet.handle(*health("kiosk-a"))
    assert states(fleet) == {"kiosk-a": "online", "kiosk-b": "online"}


def test_the_watch_clears_what_it_raised_and_forgets_a_removed_device():
    clock = FakeClock(T0)
    fleet = fleet_of(clock, *(f"kiosk-{n}" for n in range(50)))
    book = AlertBook(clock=clock)
    changes: list[tuple[BookChange, str]] = []
    book.add_listener(lambda change, view: changes.append((change, view["id"])))
    settings = AlertsSection(raise_after_s=5, clear_after_s=5)
    watch = FleetWatch(settings, book, lambda: fleet_facts(fleet))

    def look(seconds: float) -> None:
        for _ in range(int(seconds)):
            clock.advance(1)
            fleet.handle(*health("kiosk-7", printer=printer_state))
            watch.check(clock())

    printer_state = PrinterState.PAPER_OUT
    look(3)
    printer_state = PrinterState.READY  # gone before it held long enough: nothing raised
    look(10)
    assert changes == []
    printer_state = PrinterState.PAPER_OUT
    look(7)
    assert changes == [(BookChange.RAISED, "paper_out:kiosk-7")]
    printer_state = PrinterState.READY
    look(7)
    assert changes[-1] == (BookChange.CLEARED, "paper_out:kiosk-7")
    printer_state = PrinterState.PAPER_OUT
    look(7)
    assert changes[-1] == (BookChange.RAISED, "paper_out:kiosk-7")
    fleet.remove("kiosk-7")
    watch.check(clock())
    assert changes[-1] == (BookChange.CLEARED, "paper_out:kiosk-7")
    assert len(changes) == 4
