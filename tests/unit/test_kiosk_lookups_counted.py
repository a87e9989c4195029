"""Central counts a kiosk's ``flights.looked_up`` events toward demand alerts: the event log (fed here as the
bus would feed it) hands each new event to the listener, which counts ``flight:<number>`` in DemandWatch for
flights on the boards; an event with hundreds of numbers, or none, is refused and logged once per device."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from bus.codec import encode
from bus.messages.device import DeviceEvent
from bus.messages.flights import Direction, Flight, FlightBoard
from bus.topics import TopicKind, Topics
from central.demand import (
    DEVICE_FLIGHTS_PER_MINUTE,
    BoardNumbers,
    DemandCounter,
    DemandSettings,
    DemandWatch,
    KioskLookupsCounted,
    Surge,
)
from central.device_events import DeviceEventLog

TOPICS = Topics("airport/HAK")
SETTINGS = DemandSettings(window_s=60, baseline_s=600, factor=3.0, clear_factor=1.5, min_count=5)
NOON = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


class RecordingSink:
    def __init__(self) -> None:
        self.surges: list[Surge] = []

    def raised(self, surge: Surge) -> None:
        self.surges.append(surge)

    def cleared(self, alert_id: str) -> None:
        pass


class Boards:
    def __init__(self, *numbers: str, revision: int = 1) -> None:
        self.set(*numbers, revision=revision)

    def set(self, *numbers: str, revision: int) -> None:
        flights = [
            Flight(id=f"{n}-20261130-D", number=n, direction=Direction.DEPARTURES, other_airport="PEK", scheduled=NOON)
            for n in numbers
        ]
        self.boards = [FlightBoard(direction=Direction.DEPARTURES, revision=revision, flights=flights, site="HAK")]

    def __call__(self) -> list[FlightBoard]:
        return self.boards


class Central:
    """The event log, the listener and the demand watch as central wires them, on a fake clock."""

    def __init__(self, *on_board: str) -> None:
        self.clock = Clock()
        self.sink = RecordingSink()
        self.watch = DemandWatch(DemandCounter(SETTINGS), self.sink, self.clock, check_s=5)
        self.boards = Boards(*on_board)
        self.lookups = KioskLookupsCounted(self.watch.count, BoardNumbers(self.boards), self.clock)
        self.log = DeviceEventLog(TOPICS)
        self.log.add_listener(self.lookups)
        self.seq: dict[str, int] = {}

    def event(self, device: str, data: dict[str, object], name: str = "flights.looked_up") -> None:
        seq = self.seq[device] = self.seq.get(device, -1) + 1
        payload = encode(DeviceEvent(seq=seq, name=name, data=data))
        self.log.handle(TOPICS.device(device, TopicKind.DEVICE_EVENT), payload)

    def counted(self, topic: str) -> int:
        """The topic's count so far (all within the window: the clock moves only when a test moves it)."""
        return sum(count for _second, count in self.watch.counter._buckets.get(topic, ()))


def test_each_flight_of_a_kiosks_lookup_is_counted_as_demand_for_it() -> None:
    central = Central("HU7181", "CA1376")
    central.event("kiosk-t1-01", {"flights": ["HU7181"], "via": "detail"})
    central.event("kiosk-t1-02", {"flights": ["HU7181", "CA1376"], "via": "search"})
    central.event("kiosk-t1-02", {"flights": ["HU7181"], "via": "detail"}, name="print.done")  # not a lookup
    assert central.counted("flight:HU7181") == 2
    assert central.counted("flight:CA1376") == 1


def test_a_burst_from_many_kiosks_raises_demand_surge_for_that_flight() -> None:
    central = Central("HU7181")
    for n in range(6):
        central.event(f"kiosk-t1-{n:02}", {"flights": ["HU7181"], "via": "detail"})
    central.watch.look()
    assert [surge.alert_id for surge in central.sink.surges] == ["demand_surge:flight:HU7181"]


def test_a_repeated_event_counts_once() -> None:
    central = Central("HU7181")
    payload = encode(DeviceEvent(seq=7, name="flights.looked_up", data={"flights": ["HU7181"]}))
    topic = TOPICS.device("kiosk-t1-01", TopicKind.DEVICE_EVENT)
    central.log.handle(topic, payload)
    central.log.handle(topic, payload)  # sent again after a lost acknowledgement
    assert central.counted("flight:HU7181") == 1


def test_flights_not_on_the_boards_make_no_topics_until_they_are() -> None:
    central = Central("HU7181")
    central.event("kiosk-t1-01", {"flights": ["ZZ9999"]})
    assert "flight:ZZ9999" not in central.watch.counter._buckets
    central.boards.set("HU7181", "ZZ9999", revision=2)
    central.event("kiosk-t1-01", {"flights": ["ZZ9999"]})
    assert central.counted("flight:ZZ9999") == 1


@pytest.mark.parametrize(
    "data",
    [
        {"flights": [f"HU{n}" for n in range(500)]},
        {"flights": "HU7181"},
        {"flights": []},
        {},
        {"flights": ["HU7181", "<script>"]},
        {"flights": ["HU7181", 7181]},
    ],
)
def test_a_bad_lookup_is_refused_whole_and_logged_once_per_device(
    data: dict[str, object], caplog: pytest.LogCaptureFixture
) -> None:
    central = Central("HU7181", *(f"HU{n}" for n in range(500)))
    with caplog.at_level(logging.DEBUG, logger="central.demand"):
        for _ in range(3):
            central.event("kiosk-t1-01", data)
    assert not central.watch.counter._buckets, "nothing counted"
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and "kiosk-t1-01" in r.getMessage()]
    assert len(warnings) == 1, [r.getMessage() for r in caplog.records]
    assert "flights.looked_up" in warnings[0].getMessage()
    assert central.lookups.refused.count == 3
    central.event("kiosk-t1-01", {"flights": ["HU7181"]})
    assert central.counted("flight:HU7181") == 1, "the device's next good event counts"


def test_a_device_that_floods_has_the_rest_of_the_minute_dropped(caplog: pytest.LogCaptureFixture) -> None:
    central = Central("HU7181")
    with caplog.at_level(logging.WARNING, logger="central.demand"):
        for _ in range(DEVICE_FLIGHTS_PER_MINUTE + 40):
            central.event("kiosk-t1-01", {"flights": ["HU7181"]})
    central.event("kiosk-t1-02", {"flights": ["HU7181"]})
    assert central.counted("flight:HU7181") == DEVICE_FLIGHTS_PER_MINUTE + 1, "other kiosks still count"
    assert len([r for r in caplog.records if "a minute" in r.getMessage()]) == 1
    central.clock.now += 61
    central.event("kiosk-t1-01", {"flights": ["HU7181"]})
    assert central.counted("flight:HU7181") == DEVICE_FLIGHTS_PER_MINUTE + 2
