"""FleetState: the fleet as facilities staff see it, built from device status and health messages."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bus.codec import MAX_PAYLOAD_BYTES, MalformedMessage, decode, encode
from bus.messages.device import DeviceHealth, DeviceKind, DeviceStatus, OfflineReason
from bus.topics import TopicKind, Topics
from central.fleet import DeviceView, FleetState
from tests.peers.clock import FakeClock

ROOT = "airport/HAK"
TOPICS = Topics(ROOT)
STALE_AFTER_S = 60.0
T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def status_topic(device_id: str) -> str:
    return f"{ROOT}/device/{device_id}/status"


def health_topic(device_id: str) -> str:
    return f"{ROOT}/device/{device_id}/health"


def birth(**fields: Any) -> bytes:
    values: dict[str, Any] = {
        "online": True,
        "kind": DeviceKind.KIOSK,
        "version": "1.2.0",
        "boot_id": "b00t",
        "location": "T1 Hall B",
    }
    values.update(fields)
    return encode(DeviceStatus(**values))


def last_will(reason: OfflineReason = OfflineReason.LOST) -> bytes:
    return birth(online=False, reason=reason)


def health(**fields: Any) -> bytes:
    values: dict[str, Any] = {
        "cpu_percent": 12.5,
        "memory_percent": 40.0,
        "app_rss_mb": 180.2,
        "uptime_s": 3600.0,
        "temperature_c": 55.0,
        "disk_percent": 31.0,
        "broker_rtt_ms": 4.2,
    }
    values.update(fields)
    return encode(DeviceHealth(**values))


def new_fleet(clock: FakeClock | None = None) -> FleetState:
    return FleetState(TOPICS, STALE_AFTER_S, clock=(clock or FakeClock(T0.timestamp())).utc)


class Recorder:
    def __init__(self) -> None:
        self.changes: list[tuple[str, DeviceView | None]] = []

    def __call__(self, device_id: str, view: DeviceView | None) -> None:
        self.changes.append((device_id, view))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0.timestamp())


@pytest.fixture
def fleet(clock: FakeClock) -> FleetState:
    return new_fleet(clock)


def seen(fleet: FleetState, device_id: str) -> DeviceView:
    view = fleet.view(device_id)
    assert view is not None, f"{device_id} is not in the fleet"
    return view


# --- status and health ------------------------------------------------------------------------------


def test_birth_and_health_fill_in_the_device(fleet: FleetState) -> None:
    fleet.handle(status_topic("kiosk-1"), birth())
    fleet.handle(health_topic("kiosk-1"), health())

    view = seen(fleet, "kiosk-1")
    assert view["kind"] == "kiosk"
    assert view["online"] is True
    assert view["state"] == "online"
    assert view["reason"] is None
    assert view["location"] == "T1 Hall B"
    assert view["version"] == "1.2.0"
    assert view["boot_id"] == "b00t"
    assert view["health"] is not None
    assert view["health"]["cpu_percent"] == 12.5
    assert view["health"]["memory_percent"] == 40.0
    assert view["health"]["app_rss_mb"] == 180.2
    assert view["health"]["uptime_s"] == 3600.0
    assert view["health"]["temperature_c"] == 55.0
    assert view["health"]["disk_percent"] == 31.0
    assert view["health"]["broker_rtt_ms"] == 4.2


def test_last_will_marks_the_device_offline_as_lost_and_keeps_its_last_figures(fleet: FleetState) -> None:
    fleet.handle(status_topic("kiosk-1"), birth())
    fleet.handle(health_topic("kiosk-1"), health(cpu_percent=77.0))

    fleet.handle(status_topic("kiosk-1"), last_will())

    view = seen(fleet, "kiosk-1")
    assert view["online"] is False
    assert view["state"] == "offline"
    assert view["reason"] == "lost"
    assert view["health"] is not None and view["health"]["cpu_percent"] == 77.0


def test_clean_shutdown_is_told_apart_from_a_lost_connection(fleet: FleetState) -> None:
    fleet.handle(status_topic("kiosk-1"), birth())
    fleet.handle(status_topic("kiosk-1"), last_will(OfflineReason.SHUTDOWN))

    assert seen(fleet, "kiosk-1")["reason"] == "shutdown"
    assert seen(fleet, "kiosk-1")["online"] is False


def test_a_device_coming_back_is_online_again_with_no_reason(fleet: FleetState) -> None:
    fleet.handle(status_topic("kiosk-1"), last_will())
    fleet.handle(status_topic("kiosk-1"), birth(boot_id="second-boot"))

    view = seen(fleet, "kiosk-1")
    assert (view["online"], view["reason"], view["boot_id"]) == (True, None, "second-boot")


def test_health_before_status_shows_the_device_as_unknown(fleet: FleetState) -> None:
    fleet.handle(health_topic("signage-3"), health(version="2.0.0"))

    view = seen(fleet, "signage-3")
    assert (view["state"], view["online"], view["kind"]) == ("unknown", False, None)
    assert view["version"] == "2.0.0"


def test_last_seen_is_the_time_of_the_latest_message_of_any_kind(fleet: FleetState, clock: FakeClock) -> None:
    fleet.handle(status_topic("kiosk-1"), birth())
    assert seen(fleet, "kiosk-1")["last_seen"] == T0.isoformat()

    clock.advance(30)
    fleet.handle(health_topic("kiosk-1"), health())
    assert seen(fleet, "kiosk-1")["last_seen"] == (T0 + timedelta(seconds=30)).isoformat()

    clock.advance(10)
    fleet.handle(status_topic("kiosk-1"), last_will())
    assert seen(fleet, "kiosk-1")["last_seen"] == (T0 + timedelta(seconds=40)).isoformat()


def test_messages_can_be_applied_already_decoded(fleet: FleetState) -> None:
    fleet.apply_status("kiosk-9", DeviceStatus(online=True, kind=DeviceKind.SIGNAGE, location="Gate 9"))
    fleet.apply_health("kiosk-9", DeviceHealth(cpu_percent=1, memory_percent=2, app_rss_mb=3, uptime_s=4))

    view = seen(fleet, "kiosk-9")
    assert view["kind"] == "signage"
    assert view["health"] is not None and view["health"]["uptime_s"] == 4


# --- removal ----------------------------------------------------------------------------------------


def test_an_empty_retained_status_removes_the_device(fleet: FleetState) -> None:
    heard = Recorder()
    fleet.add_listener(heard)
    fleet.handle(status_topic("kiosk-1"), birth())
    fleet.handle(health_topic("kiosk-1"), health())

    fleet.handle(status_topic("kiosk-1"), b"")

    assert "kiosk-1" not in fleet
    assert fleet.view("kiosk-1") is None
    assert heard.changes[-1] == ("kiosk-1", None)
    assert fleet.snapshot()["devices"] == []


def test_an_empty_retained_health_clears_the_figures_but_keeps_the_device(fleet: FleetState) -> None:
    fleet.handle(status_topic("kiosk-1"), birth())
    fleet.handle(health_topic("kiosk-1"), health())

    fleet.handle(health_topic("kiosk-1"), b"")

    view = seen(fleet, "kiosk-1")
    assert view["online"] is True
    assert view["health"] is None


def test_an_empty_payload_for_an_unknown_device_changes_nothing(fleet: FleetState) -> None:
    heard = Recorder()
    fleet.add_listener(heard)

    fleet.handle(status_topic("kiosk-1"), b"")
    fleet.handle(health_topic("kiosk-1"), b"")

    assert len(fleet) == 0
    assert heard.changes == []


# --- listeners --------------------------------------------------------------------------------------


def test_listeners_hear_each_changed_device_with_its_new_view(fleet: FleetState) -> None:
    heard = Recorder()
    fleet.add_listener(heard)

    fleet.handle(status_topic("kiosk-1"), birth())
    fleet.handle(status_topic("kiosk-2"), birth(location="T2"))
    fleet.handle(status_topic("kiosk-1"), last_will())

    assert [device_id for device_id, _ in heard.changes] == ["kiosk-1", "kiosk-2", "kiosk-1"]
    last_view = heard.changes[-1][1]
    assert last_view is not None and last_view["reason"] == "lost"


def test_a_failing_listener_does_not_stop_the_others(fleet: FleetState) -> None:
    def broken(_device_id: str, _view: DeviceView | None) -> None:
        raise RuntimeError("listener bug")

    heard = Recorder()
    fleet.add_listener(broken)
    fleet.add_listener(heard)

    fleet.handle(status_topic("kiosk-1"), birth())

    assert len(heard.changes) == 1
    assert seen(fleet, "kiosk-1")["online"] is True


# --- what is not for the fleet --------------------------------------------------------------------


@pytest.mark.parametrize(
    "topic",
    [
        "airport/PEK/device/kiosk-1/status",  # another site
        f"{ROOT}/device/kiosk-1/queue",  # another kind of device topic
        f"{ROOT}/central/status",
        f"{ROOT}/flights/dep",
        "",
    ],
)
def test_topics_that_are_not_fleet_topics_are_ignored(fleet: FleetState, topic: str) -> None:
    fleet.handle(topic, birth())

    assert len(fleet) == 0
    assert fleet.malformed_count == 0


# --- malformed messages ---------------------------------------------------------------------------

MALFORMED = {
    "not JSON": b"{online: true",
    "not UTF-8": b"\xff\xfe\x00",
    "JSON but not an object": b"[1, 2, 3]",
    "no version": json.dumps({"online": False, "kind": "kiosk"}).encode(),
    "wrong version": json.dumps({"v": 2, "online": False, "kind": "kiosk"}).encode(),
    "wrong schema": json.dumps({"v": 1, "online": "maybe", "kind": "toaster"}).encode(),
    "oversized": b'{"v": 1, "online": false, "kind": "kiosk", "location": "%s"}' % (b"x" * MAX_PAYLOAD_BYTES),
}


@pytest.mark.parametrize("payload", MALFORMED.values(), ids=MALFORMED.keys())
@pytest.mark.parametrize("topic", [status_topic("kiosk-1"), health_topic("kiosk-1")], ids=["status", "health"])
def test_a_malformed_message_leaves_the_device_as_it_was(fleet: FleetState, topic: str, payload: bytes) -> None:
    fleet.handle(status_topic("kiosk-1"), birth())
    fleet.handle(health_topic("kiosk-1"), health())
    before = fleet.snapshot()
    heard = Recorder()
    fleet.add_listener(heard)

    fleet.handle(topic, payload)

    assert fleet.snapshot() == before
    assert heard.changes == []
    assert fleet.malformed_count == 1


def test_a_message_meant_for_the_other_topic_is_malformed(fleet: FleetState) -> None:
    fleet.handle(status_topic("kiosk-1"), birth())
    fleet.handle(health_topic("kiosk-1"), health())
    before = fleet.snapshot()

    fleet.handle(status_topic("kiosk-1"), health())
    fleet.handle(health_topic("kiosk-1"), birth())

    assert fleet.snapshot() == before
    assert fleet.malformed_count == 2


def test_figures_that_are_not_finite_numbers_are_refused_so_the_page_always_gets_valid_json(
    fleet: FleetState,
) -> None:
    fleet.handle(status_topic("kiosk-1"), birth())
    for figure in ("temperature_c", "app_rss_mb", "uptime_s", "broker_rtt_ms"):
        for value in ("NaN", "Infinity", "-Infinity"):
            fleet.handle(
                health_topic("kiosk-1"),
                b'{"v": 1, "cpu_percent": 1, "memory_percent": 1, "app_rss_mb": 1, "uptime_s": 1, '
                + f'"{figure}": {value}}}'.encode(),
            )

    assert seen(fleet, "kiosk-1")["health"] is None
    json.dumps(fleet.snapshot(), allow_nan=False)


def test_a_malformed_message_from_a_new_device_does_not_add_it(fleet: FleetState) -> None:
    fleet.handle(status_topic("kiosk-7"), b"{nope")

    assert len(fleet) == 0


@pytest.mark.parametrize(
    "topic",
    [f"{ROOT}/device/Kiosk_1/status", f"{ROOT}/device/{'k' * 65}/health", f"{ROOT}/device/a/b/status"],
    ids=["upper case and underscore", "too long", "slash"],
)
def test_a_bad_device_id_in_the_topic_is_dropped_and_logged(
    fleet: FleetState, topic: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger="central.fleet"):
        fleet.handle(topic, birth())

    assert len(fleet) == 0
    assert fleet.malformed_count == 1
    assert [r.levelno for r in caplog.records if "malformed" in r.getMessage()] == [logging.WARNING]


def test_a_malformed_message_is_logged_once_per_device(fleet: FleetState, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="central.fleet"):
        fleet.handle(status_topic("kiosk-1"), b"{broken")
        fleet.handle(status_topic("kiosk-1"), b"{broken again")
        fleet.handle(status_topic("kiosk-2"), b"{broken")

    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 2
    assert "kiosk-1" in warnings[0] and "not JSON" in warnings[0]
    assert "kiosk-2" in warnings[1]
    repeated = [r for r in caplog.records if r.levelno == logging.DEBUG and "kiosk-1" in r.getMessage()]
    assert len(repeated) == 1
    assert fleet.malformed_count == 3


def test_a_malformed_message_makes_a_short_log_line(fleet: FleetState, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="central.fleet"):
        fleet.handle(status_topic("kiosk-1"), json.dumps({"v": "x" * 100_000}).encode())

    (record,) = caplog.records
    assert len(record.getMessage()) < 400


def _is_valid(kind: TopicKind, payload: bytes) -> bool:
    try:
        decode(kind, payload)
    except MalformedMessage:
        return False
    return True


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
# objects that look like ours, so that the schema checks (not only the JSON parser) get exercised
NEAR_MESSAGES = st.fixed_dictionaries(
    {"v": st.sampled_from([1, 1, 2, "1", None])},
    optional={
        "online": JSON_VALUES,
        "kind": st.sampled_from(["kiosk", "signage", "toaster", 3]),
        "reason": st.sampled_from(["lost", "shutdown", "bored", None]),
        "cpu_percent": JSON_VALUES,
        "memory_percent": st.floats(),
        "app_rss_mb": st.floats(),
        "uptime_s": JSON_VALUES,
        "ts": st.sampled_from(["2026-11-23T08:00:00", "yesterday", 0]),
    },
)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(payload=st.binary(min_size=1, max_size=512), kind=st.sampled_from(["status", "health"]))
def test_random_bytes_never_raise_and_never_change_the_fleet(payload: bytes, kind: str) -> None:
    fleet = new_fleet()
    fleet.handle(status_topic("kiosk-1"), birth())
    fleet.handle(health_topic("kiosk-1"), health())
    before = fleet.snapshot()

    fleet.handle(f"{ROOT}/device/kiosk-1/{kind}", payload)
    fleet.handle(f"{ROOT}/device/kiosk-2/{kind}", payload)

    if not _is_valid(TopicKind(kind), payload):
        assert fleet.snapshot() == before


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(value=JSON_VALUES | NEAR_MESSAGES, kind=st.sampled_from(["status", "health"]))
def test_random_json_never_raises_and_never_changes_the_fleet(value: object, kind: str) -> None:
    payload = json.dumps(value).encode()
    fleet = new_fleet()
    fleet.handle(status_topic("kiosk-1"), birth())
    fleet.handle(health_topic("kiosk-1"), health())
    before = fleet.snapshot()

    fleet.handle(f"{ROOT}/device/kiosk-1/{kind}", payload)

    if not _is_valid(TopicKind(kind), payload):
        assert fleet.snapshot() == before


@given(topic=st.text(max_size=120), payload=st.binary(max_size=64))
def test_random_topics_never_raise(topic: str, payload: bytes) -> None:
    new_fleet().handle(topic, payload)
    new_fleet().handle(f"{ROOT}/device/{topic}", payload)


# --- silence ----------------------------------------------------------------------------------------


def test_an_online_device_without_health_for_too_long_is_silent(fleet: FleetState, clock: FakeClock) -> None:
    heard = Recorder()
    fleet.handle(status_topic("kiosk-1"), birth())
    fleet.handle(health_topic("kiosk-1"), health())
    fleet.add_listener(heard)

    clock.advance(STALE_AFTER_S - 1)
    assert fleet.check_silence() == []
    assert seen(fleet, "kiosk-1")["silent"] is False

    clock.advance(2)
    assert fleet.check_silence() == ["kiosk-1"]
    view = seen(fleet, "kiosk-1")
    assert (view["state"], view["silent"], view["online"]) == ("silent", True, True)
    assert heard.changes[-1][1] is not None and heard.changes[-1][1]["silent"] is True
    assert fleet.check_silence() == [], "a device is reported silent once, not at every check"


def test_a_silent_device_that_reports_again_is_online(fleet: FleetState, clock: FakeClock) -> None:
    fleet.handle(status_topic("kiosk-1"), birth())
    clock.advance(STALE_AFTER_S + 1)
    assert fleet.check_silence() == ["kiosk-1"]

    fleet.handle(health_topic("kiosk-1"), health())

    assert seen(fleet, "kiosk-1")["state"] == "online"
    assert fleet.check_silence() == []


def test_a_birth_after_a_reconnect_starts_the_silence_clock_again(fleet: FleetState, clock: FakeClock) -> None:
    fleet.handle(status_topic("kiosk-1"), birth())
    fleet.handle(health_topic("kiosk-1"), health())
    clock.advance(STALE_AFTER_S * 3)
    fleet.handle(status_topic("kiosk-1"), birth(boot_id="again"))

    assert seen(fleet, "kiosk-1")["silent"] is False


def test_an_offline_device_is_never_silent(fleet: FleetState, clock: FakeClock) -> None:
    fleet.handle(status_topic("kiosk-1"), birth())
    fleet.handle(status_topic("kiosk-1"), last_will())
    clock.advance(STALE_AFTER_S * 10)

    assert fleet.check_silence() == []
    assert seen(fleet, "kiosk-1")["state"] == "offline"


def test_silence_is_logged_once(fleet: FleetState, clock: FakeClock, caplog: pytest.LogCaptureFixture) -> None:
    fleet.handle(status_topic("kiosk-1"), birth())
    clock.advance(STALE_AFTER_S + 1)
    with caplog.at_level(logging.INFO, logger="central.fleet"):
        fleet.check_silence()
        clock.advance(10)
        fleet.check_silence()

    assert [r.getMessage() for r in caplog.records] == ["device kiosk-1 silent: online but no health for over 60 s"]


# --- the snapshot -----------------------------------------------------------------------------------


def test_the_snapshot_is_json_sorted_by_id_and_counted(fleet: FleetState, clock: FakeClock) -> None:
    fleet.handle(status_topic("signage-2"), birth(kind=DeviceKind.SIGNAGE))
    fleet.handle(status_topic("kiosk-3"), last_will())
    fleet.handle(status_topic("kiosk-1"), birth())
    fleet.handle(health_topic("kiosk-1"), health())
    fleet.handle(health_topic("kiosk-9"), health())
    clock.advance(STALE_AFTER_S + 1)
    fleet.handle(health_topic("kiosk-1"), health())

    snapshot = json.loads(json.dumps(fleet.snapshot()))

    assert [d["id"] for d in snapshot["devices"]] == ["kiosk-1", "kiosk-3", "kiosk-9", "signage-2"]
    assert [d["state"] for d in snapshot["devices"]] == ["online", "offline", "unknown", "silent"]
    assert snapshot["counts"] == {"online": 2, "offline": 1, "silent": 1, "total": 4}
    assert snapshot["stale_after_s"] == STALE_AFTER_S
    assert datetime.fromisoformat(snapshot["now"]) == clock.utc()
