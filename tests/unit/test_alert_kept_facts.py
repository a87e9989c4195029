"""The alert look keeps each device's facts while nothing about it changed, and passes over devices it found
well on those same facts; what changes without a message from the device (silence from the clock, the
fleet's majority version, a gap in its events) is still found."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from bus.codec import encode
from bus.messages.device import (
    CameraHealth,
    CameraState,
    DeviceEvent,
    DeviceHealth,
    DeviceKind,
    DeviceStatus,
    PrinterHealth,
    PrinterState,
)
from bus.topics import TopicKind, Topics
from central.alerts.book import AlertBook, BookChange
from central.alerts.facts import EventGaps, KeptFleetFacts
from central.alerts.rules import Rule, _health_findings, health_is_clear
from central.alerts.settings import AlertsSection
from central.alerts.watch import FleetWatch
from central.device_events import DeviceEventLog
from central.fleet import FleetState
from tests.peers.clock import FakeClock

TOPICS = Topics("airport/HAK")
T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC).timestamp()
SETTINGS = AlertsSection(raise_after_s=2, clear_after_s=2, offline_after_s=2, version_min_devices=3)


def born(fleet: FleetState, device_id: str, version: str = "1.0.0") -> None:
    status = DeviceStatus(online=True, kind=DeviceKind.KIOSK, version=version, location="T1")
    fleet.handle(TOPICS.device(device_id, TopicKind.DEVICE_STATUS), encode(status))


def reports(fleet: FleetState, device_id: str, cpu: float = 10.0) -> None:
    health = DeviceHealth(cpu_percent=cpu, memory_percent=20, app_rss_mb=100, uptime_s=5)
    fleet.handle(TOPICS.device(device_id, TopicKind.DEVICE_HEALTH), encode(health))


class Fleet:
    def __init__(self, count: int) -> None:
        self.clock = FakeClock(T0)
        self.fleet = FleetState(TOPICS, 30.0, clock=self.clock.utc)
        self.events = DeviceEventLog(TOPICS)
        self.facts = KeptFleetFacts(self.fleet, EventGaps(self.events, self.clock))
        self.book = AlertBook(clock=self.clock)
        self.raised: list[str] = []
        self.book.add_listener(lambda change, view: change is BookChange.RAISED and self.raised.append(view["id"]))
        self.watch = FleetWatch(SETTINGS, self.book, self.facts)
        for n in range(count):
            born(self.fleet, f"kiosk-{n}")
            reports(self.fleet, f"kiosk-{n}")

    def look(self, seconds: int, reporting: tuple[str, ...] = ()) -> None:
        for _ in range(seconds):
            self.clock.advance(1)
            for device_id in reporting:
                reports(self.fleet, device_id)
            self.watch.check(self.clock())


def test_facts_are_kept_until_their_device_sends_something() -> None:
    fleet = Fleet(5)
    first = {facts.device_id: facts for facts in fleet.facts()}
    reports(fleet.fleet, "kiosk-3", cpu=50.0)
    second = {facts.device_id: facts for facts in fleet.facts()}
    assert [d for d in first if first[d] is not second[d]] == ["kiosk-3"]
    assert second["kiosk-3"].health is not None and second["kiosk-3"].health.cpu_percent == 50.0
    fleet.fleet.remove("kiosk-4")
    assert [facts.device_id for facts in fleet.facts()] == [f"kiosk-{n}" for n in range(4)]


def test_a_device_gone_silent_is_found_though_it_sent_nothing() -> None:
    fleet = Fleet(4)
    everyone = tuple(f"kiosk-{n}" for n in range(4))
    fleet.look(5, reporting=everyone)
    assert fleet.raised == []
    fleet.look(40, reporting=everyone[1:])  # kiosk-0 stops reporting: silent after 30 s, raised 2 s later
    assert fleet.raised == ["device_offline:kiosk-0"]


def test_a_new_majority_version_is_found_on_devices_that_sent_nothing() -> None:
    fleet = Fleet(5)
    fleet.look(5)
    assert fleet.raised == []
    for n in (0, 1, 2):
        born(fleet.fleet, f"kiosk-{n}", version="2.0.0")
    fleet.look(5)
    assert sorted(fleet.raised) == ["version_differs:kiosk-3", "version_differs:kiosk-4"]


def test_a_gap_in_a_device_s_events_is_found_and_held_by_the_clock() -> None:
    fleet = Fleet(3)
    fleet.look(5)
    fleet.events.take("kiosk-1", DeviceEvent(seq=0, name="boot", data={}))
    fleet.events.take("kiosk-1", DeviceEvent(seq=9, name="boot", data={}))
    fleet.look(5)
    assert fleet.raised == ["events_missing:kiosk-1"]


# --- clear reports: the facts kept as they were ------------------------------------------------------------------

printers = st.none() | st.builds(PrinterHealth, state=st.sampled_from(PrinterState))
cameras = st.none() | st.builds(
    CameraHealth,
    state=st.sampled_from(CameraState),
    fps=st.sampled_from([0.0, 0.5, 15.0]),
    last_frame_age_s=st.none() | st.sampled_from([0.0, 4.9, 5.0, 5.1, 60.0]),
)
figures = st.none() | st.floats(0, 100, allow_nan=False)
healths = st.builds(
    DeviceHealth,
    cpu_percent=st.just(10.0),
    memory_percent=st.just(20.0),
    app_rss_mb=st.just(100.0),
    uptime_s=st.just(5.0),
    temperature_c=figures | st.sampled_from([74.9, 75.0, 79.9, 80.0, 80.1]),
    disk_percent=figures | st.sampled_from([84.9, 85.0, 89.9, 90.0, 90.1]),
    disk_low=st.booleans(),
    disk_full=st.none() | st.booleans(),
    printer=printers,
    camera=cameras,
)


@settings(max_examples=100, deadline=None)
@given(health=healths, raised=st.frozensets(st.sampled_from(Rule)))
def test_a_clear_report_is_one_in_which_no_rule_finds_anything_whatever_is_raised(
    health: DeviceHealth, raised: frozenset[Rule]
) -> None:
    rules = AlertsSection(camera_frame_age_s=5.0)
    found = _health_findings("kiosk-1", health, rules, lambda rule: rule in raised)
    if health_is_clear(health, rules):
        assert found == {}
    if found == {} and not raised:
        assert health_is_clear(health, rules) or _under_raise_threshold(health, rules)


def _under_raise_threshold(health: DeviceHealth, rules: AlertsSection) -> bool:
    """Not clear, yet nothing found with nothing raised: a figure between the two thresholds (hysteresis)."""
    temperature, disk = health.temperature_c, health.disk_percent
    return (temperature is not None and rules.temperature_clear_c <= temperature <= rules.temperature_c) or (
        disk is not None and rules.disk_clear_percent <= disk <= rules.disk_percent
    )


def test_clear_reports_keep_the_facts_and_a_look_passes_over_them() -> None:
    fleet = Fleet(3)
    fleet.facts = KeptFleetFacts(fleet.fleet, EventGaps(fleet.events, fleet.clock), SETTINGS)
    first = {facts.device_id: facts for facts in fleet.facts()}
    reports(fleet.fleet, "kiosk-1", cpu=70.0)  # another figure, still nothing wrong
    assert {facts.device_id: facts for facts in fleet.facts()} == first
    assert all(a is b for a, b in zip(fleet.facts(), first.values(), strict=True))


def test_a_report_with_something_wrong_makes_new_facts_and_its_alert_is_raised_and_cleared_once() -> None:
    fleet = Fleet(3)
    fleet.facts = KeptFleetFacts(fleet.fleet, EventGaps(fleet.events, fleet.clock), SETTINGS)
    fleet.watch = FleetWatch(SETTINGS, fleet.book, fleet.facts)
    hot = DeviceHealth(cpu_percent=10, memory_percent=20, app_rss_mb=100, uptime_s=5, temperature_c=85.0)
    cool = DeviceHealth(cpu_percent=10, memory_percent=20, app_rss_mb=100, uptime_s=5, temperature_c=50.0)
    topic = TOPICS.device("kiosk-2", TopicKind.DEVICE_HEALTH)
    for _ in range(5):
        fleet.clock.advance(1)
        fleet.fleet.handle(topic, encode(hot))
        fleet.watch.check(fleet.clock())
    assert fleet.raised == ["temperature_high:kiosk-2"]
    cleared: list[str] = []
    fleet.book.add_listener(lambda change, view: change is BookChange.CLEARED and cleared.append(view["id"]))
    for _ in range(10):
        fleet.clock.advance(1)
        fleet.fleet.handle(topic, encode(cool))  # clear reports from now on: the kept facts still clear it
        fleet.watch.check(fleet.clock())
    assert cleared == ["temperature_high:kiosk-2"]
    assert fleet.raised == ["temperature_high:kiosk-2"]
