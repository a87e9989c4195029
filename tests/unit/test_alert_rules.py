"""Fleet alerts: each condition raises once when it has held long enough and clears once when it has been
gone long enough, however the signal flaps in between (pure: fake clock, no broker)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bus.messages.central import AlertSeverity
from bus.messages.device import CameraHealth, CameraState, DeviceHealth, PrinterHealth, PrinterState
from bus.topics import Topics
from central.alerts.book import AlertBook, BookChange, UnknownAlert
from central.alerts.latch import Change, Latch
from central.alerts.publisher import AlertPublisher
from central.alerts.rules import DeviceFacts, Rule, majority_versions
from central.alerts.settings import AlertsSection
from central.alerts.watch import FeedFacts, FleetWatch
from central.settings import CentralSettings
from config.loader import SettingsError, load_settings
from tests.peers.clock import FakeClock

RAISE_S = 10.0
CLEAR_S = 30.0
SETTINGS = AlertsSection(raise_after_s=RAISE_S, clear_after_s=CLEAR_S, offline_after_s=60.0)

# --- the latch ---------------------------------------------------------------------------------------------

samples = st.lists(st.tuples(st.floats(min_value=0.1, max_value=20.0), st.booleans()), max_size=60)


def expected_changes(signal: list[tuple[float, bool]]) -> list[tuple[int, Change]]:
    """The reference: walk the samples keeping how long the signal has disagreed with the state."""
    raised, since, now, changes = False, None, 0.0, []
    for index, (step_s, bad) in enumerate(signal):
        now += step_s
        if bad == raised:
            since = None
            continue
        since = now if since is None else since
        if now - since >= (CLEAR_S if raised else RAISE_S):
            raised, since = bad, None
            changes.append((index, Change.RAISED if bad else Change.CLEARED))
    return changes


@settings(max_examples=80, deadline=None)
@given(samples)
def test_a_latch_raises_and_clears_alternately_and_only_after_the_signal_held(signal):
    latch = Latch(RAISE_S, CLEAR_S)
    now, changes = 0.0, []
    for index, (step_s, bad) in enumerate(signal):
        now += step_s
        change = latch.update(bad, now)
        if change is not None:
            changes.append((index, change))
    assert changes == expected_changes(signal)
    kinds = [change for _, change in changes]
    assert kinds == [Change.RAISED, Change.CLEARED] * (len(kinds) // 2) + [Change.RAISED] * (len(kinds) % 2)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(min_value=0.1, max_value=RAISE_S / 2), min_size=1, max_size=40))
def test_a_signal_flapping_faster_than_the_hold_never_raises(steps):
    latch = Latch(RAISE_S, CLEAR_S)
    now = 0.0
    for index, step_s in enumerate(steps):
        now += step_s
        bad = index % 2 == 0
        assert latch.update(bad, now) is None
        # it flips back before RAISE_S has passed
        now += step_s
        assert latch.update(not bad, now) is None


# --- the watch over a fleet --------------------------------------------------------------------------------


def health(**fields: Any) -> DeviceHealth:
    values: dict[str, Any] = {"cpu_percent": 10.0, "memory_percent": 20.0, "app_rss_mb": 100.0, "uptime_s": 60.0}
    values.update(fields)
    return DeviceHealth(**values)


def facts(device_id: str = "kiosk-t1-01", **fields: Any) -> DeviceFacts:
    values: dict[str, Any] = {
        "kind": "kiosk",
        "state": "online",
        "reason": None,
        "location": "T1 Hall B",
        "version": "1.0.0",
        "health": health(),
    }
    values.update(fields)
    return DeviceFacts(device_id, **values)


class Fleet:
    """What the watch reads: a list of devices the test changes."""

    def __init__(self, *devices: DeviceFacts) -> None:
        self.devices = list(devices)
        self.feeds: list[FeedFacts] = []

    def set(self, device: DeviceFacts) -> None:
        self.devices = [d for d in self.devices if d.device_id != device.device_id] + [device]


def watched(fleet: Fleet, settings_: AlertsSection = SETTINGS) -> tuple[FleetWatch, AlertBook, FakeClock, list]:
    clock = FakeClock()
    book = AlertBook(clock=clock)
    changes: list[tuple[BookChange, str]] = []
    book.add_listener(lambda change, view: changes.append((change, view["id"])))
    return FleetWatch(settings_, book, lambda: fleet.devices, lambda: fleet.feeds), book, clock, changes


def run(watch: FleetWatch, clock: FakeClock, seconds: float, step_s: float = 1.0) -> None:
    for _ in range(round(seconds / step_s)):
        clock.advance(step_s)
        watch.check(clock())


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=int(CLEAR_S) - 2), min_size=1, max_size=30))
def test_paper_flapping_out_and_back_raises_once_and_clears_once(spells_s):
    fleet = Fleet(facts())
    watch, book, clock, changes = watched(fleet)
    paper_out = health(printer=PrinterHealth(state=PrinterState.PAPER_OUT))
    fleet.set(facts(health=paper_out))
    run(watch, clock, RAISE_S + 1)
    assert changes == [(BookChange.RAISED, "paper_out:kiosk-t1-01")]
    # refilled and emptied again and again, never refilled for as long as the clear hold: the alert stays
    for index, spell_s in enumerate(spells_s):
        ready = index % 2 == 0
        fleet.set(facts(health=health(printer=PrinterHealth(state=PrinterState.READY)) if ready else paper_out))
        run(watch, clock, spell_s)
    assert len(changes) == 1
    fleet.set(facts(health=health(printer=PrinterHealth(state=PrinterState.READY))))
    run(watch, clock, CLEAR_S + 2)
    assert changes == [(BookChange.RAISED, "paper_out:kiosk-t1-01"), (BookChange.CLEARED, "paper_out:kiosk-t1-01")]
    assert book.listing()["active"] == []


def test_a_temperature_wavering_between_the_thresholds_keeps_its_alert_until_it_drops_below_the_lower_one():
    fleet = Fleet(facts(health=health(temperature_c=85.0)))
    watch, _book, clock, changes = watched(fleet)
    run(watch, clock, RAISE_S + 1)
    assert changes == [(BookChange.RAISED, "temperature_high:kiosk-t1-01")]
    for temperature in (79.0, 81.0, 76.0, 82.0, 77.0) * 4:  # under 80 but not under 75
        fleet.set(facts(health=health(temperature_c=temperature)))
        run(watch, clock, 5.0)
    assert len(changes) == 1
    fleet.set(facts(health=health(temperature_c=60.0)))
    run(watch, clock, CLEAR_S + 2)
    assert changes[-1] == (BookChange.CLEARED, "temperature_high:kiosk-t1-01")


def test_a_temperature_between_the_thresholds_does_not_raise():
    fleet = Fleet(facts(health=health(temperature_c=78.0, disk_percent=88.0)))
    watch, _book, clock, changes = watched(fleet)
    run(watch, clock, 120)
    assert changes == []


@pytest.mark.parametrize(
    ("rule", "changed"),
    [
        (Rule.PAPER_LOW, {"health": health(printer=PrinterHealth(state=PrinterState.PAPER_LOW))}),
        (Rule.COVER_OPEN, {"health": health(printer=PrinterHealth(state=PrinterState.COVER_OPEN))}),
        (Rule.CAMERA_NO_FRAMES, {"health": health(camera=CameraHealth(state=CameraState.RUNNING, fps=0.0))}),
        (Rule.CAMERA_NO_FRAMES, {"health": health(camera=CameraHealth(state=CameraState.FAILED))}),
        (Rule.DISK_FULL, {"health": health(disk_percent=97.0)}),
        (Rule.DISK_FULL, {"health": health(disk_percent=40.0, disk_full=True)}),  # a write refused
        (Rule.DEVICE_OFFLINE, {"state": "offline", "reason": "lost"}),
        (Rule.DEVICE_OFFLINE, {"state": "silent"}),
        (Rule.EVENTS_MISSING, {"last_gap_at": None}),  # set below, when the clock is known
    ],
)
def test_each_rule_raises_its_alert_with_its_severity(rule, changed):
    fleet = Fleet(facts())
    watch, book, clock, changes = watched(fleet)
    if rule is Rule.EVENTS_MISSING:
        changed = {"last_gap_at": clock()}
    fleet.set(facts(**changed))
    run(watch, clock, 61)
    assert changes == [(BookChange.RAISED, f"{rule.value}:kiosk-t1-01")]
    alert = book.get(f"{rule.value}:kiosk-t1-01")
    assert alert is not None
    assert alert["device"] == "kiosk-t1-01"
    assert "T1 Hall B" in alert["message"]


def test_offline_waits_for_its_own_longer_hold():
    fleet = Fleet(facts(state="offline", reason="lost"))
    watch, _book, clock, changes = watched(fleet)
    run(watch, clock, 59)
    assert changes == []
    run(watch, clock, 2)
    assert changes == [(BookChange.RAISED, "device_offline:kiosk-t1-01")]


def test_a_device_on_another_version_than_most_of_its_kind_is_named():
    fleet = Fleet(*(facts(f"kiosk-{n}") for n in range(3)), facts("kiosk-odd", version="0.9.0"))
    fleet.devices.append(facts("sign-1", kind="signage", version="0.1.0"))  # alone of its kind: no majority
    watch, _book, clock, changes = watched(fleet)
    run(watch, clock, RAISE_S + 1)
    assert changes == [(BookChange.RAISED, "version_differs:kiosk-odd")]


def test_no_majority_no_version_alert():
    devices = [facts("kiosk-a", version="1"), facts("kiosk-b", version="2"), facts("kiosk-c", version="3")]
    assert majority_versions(devices, 3) == {}
    assert majority_versions([*devices[:2], facts("kiosk-d", version="1")], 3) == {"kiosk": "1"}


def test_a_stale_feed_raises_a_site_wide_alert_and_a_removed_device_clears_its_own():
    fleet = Fleet(facts(health=health(printer=PrinterHealth(state=PrinterState.PAPER_OUT))))
    fleet.feeds = [FeedFacts("aidx", stale=True, error="HTTP 503", age_s=900.0)]
    watch, book, clock, changes = watched(fleet)
    run(watch, clock, RAISE_S + 1)
    assert sorted(changes) == [(BookChange.RAISED, "feed_stale:aidx"), (BookChange.RAISED, "paper_out:kiosk-t1-01")]
    feed = book.get("feed_stale:aidx")
    assert feed is not None and feed["device"] is None and "HTTP 503" in feed["message"]
    fleet.devices = []  # taken out of service: its retained status deleted
    watch.check(clock())
    assert changes[-1] == (BookChange.CLEARED, "paper_out:kiosk-t1-01")


# --- the book ----------------------------------------------------------------------------------------------


def test_the_book_keeps_who_acknowledged_and_ignores_repeats():
    clock = FakeClock()
    book = AlertBook(keep_cleared=2, clock=clock)
    changes: list[BookChange] = []
    book.add_listener(lambda change, _view: changes.append(change))
    book.raised("demand_surge:T1", "demand_surge", AlertSeverity.WARNING, None, "Queue growing fast")
    book.raised("demand_surge:T1", "demand_surge", AlertSeverity.WARNING, None, "again")
    clock.advance(5)
    first = book.acknowledge("demand_surge:T1", "ops")
    second = book.acknowledge("demand_surge:T1", "someone-else")
    assert first["acked_by"] == second["acked_by"] == "ops"
    assert first["acked_at"] is not None
    book.cleared("demand_surge:T1")
    book.cleared("demand_surge:T1")
    assert changes == [BookChange.RAISED, BookChange.ACKED, BookChange.CLEARED]
    listing = book.listing()
    assert listing["active"] == [] and listing["cleared"][0]["state"] == "cleared"
    with pytest.raises(UnknownAlert):
        book.acknowledge("nothing:here", "ops")


def test_the_book_forgets_the_oldest_cleared_alerts_beyond_its_limit():
    book = AlertBook(keep_cleared=2, clock=FakeClock())
    for n in range(4):
        book.raised(f"paper_out:kiosk-{n}", "paper_out", AlertSeverity.CRITICAL, f"kiosk-{n}", "out")
        book.cleared(f"paper_out:kiosk-{n}")
    assert [view["id"] for view in book.listing()["cleared"]] == ["paper_out:kiosk-3", "paper_out:kiosk-2"]


def test_a_bad_alert_id_fails_where_it_is_made():
    book = AlertBook(clock=FakeClock())
    with pytest.raises(ValueError):
        book.raised("has spaces", "paper_out", AlertSeverity.WARNING, None, "")
    assert book.listing()["active"] == []


def test_thresholds_must_leave_room_for_hysteresis():
    with pytest.raises(ValueError, match="temperature_clear_c"):
        AlertsSection(temperature_c=70, temperature_clear_c=75)
    with pytest.raises(ValueError, match="http"):
        AlertsSection(webhook_url="ftp://user:secret@example.com/hook")
    with pytest.raises(ValueError) as refused:
        AlertsSection(webhook_url="file:///etc/passwd-secret")
    assert "secret" not in str(refused.value)


# --- the bus ---------------------------------------------------------------------------------------------


class FakeLink:
    """A broker link the test takes down and brings back."""

    def __init__(self) -> None:
        self.up = False
        self.sent: list[dict[str, Any]] = []
        self._connected: list[Any] = []

    def add_connected_listener(self, listener: Any) -> None:
        self._connected.append(listener)

    def publish(self, publication: Any) -> bool:
        if self.up:
            assert publication.topic == "airport/HAK/alert" and publication.qos == 1 and not publication.retain
            self.sent.append(json.loads(publication.payload))
        return self.up

    def reconnect(self) -> None:
        self.up = True
        for listener in self._connected:
            listener()


def test_alerts_raised_while_the_broker_is_away_are_published_in_order_when_it_is_back():
    link = FakeLink()
    book = AlertBook(clock=FakeClock())
    AlertPublisher(book, link, Topics("airport/HAK"))  # type: ignore[arg-type]
    book.raised("paper_out:kiosk-1", "paper_out", AlertSeverity.CRITICAL, "kiosk-1", "out")
    book.acknowledge("paper_out:kiosk-1", "ops")  # not a bus message
    book.cleared("paper_out:kiosk-1")
    assert link.sent == []
    link.reconnect()
    assert [(body["id"], body["state"]) for body in link.sent] == [
        ("paper_out:kiosk-1", "raised"),
        ("paper_out:kiosk-1", "cleared"),
    ]
    book.raised("disk_full:kiosk-1", "disk_full", AlertSeverity.WARNING, "kiosk-1", "full")
    assert link.sent[-1]["state"] == "raised" and link.sent[-1]["kind"] == "disk_full"


def test_a_refused_webhook_url_is_not_repeated_in_the_error():
    with pytest.raises(SettingsError) as refused:
        load_settings(
            CentralSettings,
            "CENTRAL_",
            None,
            environ={"CENTRAL_ALERTS__WEBHOOK_URL": "ftp://u:Hook-Pass-91@x.example/h"},
        )
    assert "webhook_url" in str(refused.value) and "http" in str(refused.value)
    assert "Hook-Pass-91" not in str(refused.value)
