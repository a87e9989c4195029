"""The alert look that judges only the devices whose facts changed (``FleetLook``) raises and clears exactly what
a look over every device raises and clears, in the same order, through reports, silence, going offline, new
majority versions, gaps in events and devices taken out of service."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from bus.codec import encode
from bus.messages.device import (
    DeviceEvent,
    DeviceHealth,
    DeviceKind,
    DeviceStatus,
    OfflineReason,
    PrinterHealth,
    PrinterState,
)
from bus.topics import TopicKind, Topics
from central.alerts.book import AlertBook, BookChange
from central.alerts.facts import EventGaps, KeptFleetFacts
from central.alerts.settings import AlertsSection
from central.alerts.watch import FleetLook, FleetWatch
from central.device_events import DeviceEventLog
from central.fleet import FleetState
from tests.peers.clock import FakeClock

TOPICS = Topics("airport/HAK")
T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC).timestamp()
SETTINGS = AlertsSection(
    raise_after_s=2, clear_after_s=2, offline_after_s=3, version_min_devices=3, events_missing_hold_s=6
)
DEVICES = [f"kiosk-{n}" for n in range(5)]

devices = st.sampled_from(DEVICES)
healths = st.builds(
    DeviceHealth,
    cpu_percent=st.just(10.0),
    memory_percent=st.just(20.0),
    app_rss_mb=st.just(100.0),
    uptime_s=st.just(5.0),
    temperature_c=st.none() | st.sampled_from([40.0, 76.0, 85.0]),
    disk_percent=st.none() | st.sampled_from([50.0, 87.0, 95.0]),
    printer=st.none() | st.builds(PrinterHealth, state=st.sampled_from(PrinterState)),
)
steps = st.one_of(
    st.tuples(st.just("report"), devices, healths),
    st.tuples(st.just("born"), devices, st.sampled_from(["1.0.0", "2.0.0"])),
    st.tuples(st.just("lost"), devices),
    st.tuples(st.just("gap"), devices),
    st.tuples(st.just("removed"), devices),
    st.tuples(st.just("wait"), st.integers(1, 12)),
)


class Twins:
    """One fleet, looked at twice each time from the same facts: judging what changed, and judging everyone."""

    def __init__(self) -> None:
        self.clock = FakeClock(T0)
        self.fleet = FleetState(TOPICS, 10.0, clock=self.clock.utc)
        self.events = DeviceEventLog(TOPICS)
        self.facts = KeptFleetFacts(self.fleet, EventGaps(self.events, self.clock), SETTINGS)
        self.seq: dict[str, int] = {}
        self.current: FleetLook | None = None
        self.logs: tuple[list[str], list[str]] = ([], [])
        self.watches = []
        for log, source in zip(self.logs, (self._look, self._everyone), strict=True):
            book = AlertBook(clock=self.clock)
            book.add_listener(lambda change, view, log=log: log.append(f"{change.value} {view['id']}"))
            self.watches.append(FleetWatch(SETTINGS, book, source))  # type: ignore[arg-type]
        for device_id in DEVICES:
            self.born(device_id, "1.0.0")

    def _look(self) -> FleetLook:
        assert self.current is not None
        return self.current

    def _everyone(self) -> list:  # type: ignore[type-arg]
        assert self.current is not None
        return list(self.current.facts.values())

    def born(self, device_id: str, version: str) -> None:
        status = DeviceStatus(online=True, kind=DeviceKind.KIOSK, version=version, location="T1")
        self.fleet.handle(TOPICS.device(device_id, TopicKind.DEVICE_STATUS), encode(status))

    def step(self, step: tuple) -> None:  # type: ignore[type-arg]
        what, *args = step
        if what == "report":
            self.fleet.handle(TOPICS.device(args[0], TopicKind.DEVICE_HEALTH), encode(args[1]))
        elif what == "born":
            self.born(args[0], args[1])
        elif what == "lost":
            status = DeviceStatus(online=False, kind=DeviceKind.KIOSK, reason=OfflineReason.LOST)
            self.fleet.handle(TOPICS.device(args[0], TopicKind.DEVICE_STATUS), encode(status))
        elif what == "gap":
            seq = self.seq.get(args[0], 0) + 3
            self.seq[args[0]] = seq
            self.events.take(args[0], DeviceEvent(seq=seq, name="boot", data={}))
        elif what == "removed":
            self.fleet.remove(args[0])
        else:
            self.clock.advance(args[0])
        self.clock.advance(1)
        self.current = self.facts.look()
        for watch in self.watches:
            watch.check(self.clock())


@settings(max_examples=60, deadline=None)
@given(st.lists(steps, min_size=1, max_size=40))
def test_judging_what_changed_raises_and_clears_what_judging_everyone_does(plan: list[tuple]) -> None:  # type: ignore[type-arg]
    twins = Twins()
    for step in plan:
        twins.step(step)
    changed, everyone = twins.logs
    assert changed == everyone


def test_a_look_with_nothing_new_judges_no_device_again() -> None:
    twins = Twins()
    twins.step(("wait", 1))
    assert twins.current is not None and twins.current.changed == set(DEVICES)  # the first look: all new
    twins.step(("wait", 1))
    assert twins.current is not None and twins.current.changed == set()
    twins.step(("report", "kiosk-2", DeviceHealth(cpu_percent=1, memory_percent=2, app_rss_mb=3, uptime_s=4)))
    assert twins.current is not None and twins.current.changed == {"kiosk-2"}  # its first health report
    twins.step(("report", "kiosk-2", DeviceHealth(cpu_percent=9, memory_percent=2, app_rss_mb=3, uptime_s=4)))
    assert twins.current is not None and twins.current.changed == set()  # another clear one: the same facts


def test_the_twins_do_raise_and_clear() -> None:
    twins = Twins()
    hot = DeviceHealth(cpu_percent=1, memory_percent=2, app_rss_mb=3, uptime_s=4, temperature_c=85.0)
    cool = DeviceHealth(cpu_percent=1, memory_percent=2, app_rss_mb=3, uptime_s=4, temperature_c=40.0)
    for _ in range(4):
        twins.step(("report", "kiosk-1", hot))
    for _ in range(4):
        twins.step(("report", "kiosk-1", cool))
    twins.step(("lost", "kiosk-3"))
    twins.step(("wait", 5))
    assert twins.logs[0] == [
        f"{BookChange.RAISED.value} temperature_high:kiosk-1",
        f"{BookChange.CLEARED.value} temperature_high:kiosk-1",
        f"{BookChange.RAISED.value} device_offline:kiosk-3",
    ]
    assert twins.logs[0] == twins.logs[1]


def test_a_new_majority_version_is_judged_on_the_devices_that_sent_nothing() -> None:
    twins = Twins()
    twins.step(("wait", 1))
    for device_id in DEVICES[:3]:
        twins.step(("born", device_id, "2.0.0"))
    twins.step(("wait", 3))
    assert sorted(twins.logs[0]) == [f"{BookChange.RAISED.value} version_differs:{d}" for d in DEVICES[3:]]
    assert twins.logs[0] == twins.logs[1]
