"""Health history on a fake clock, in SQLite and in PostgreSQL: one-minute buckets, written when the minute
ends, pruned after 24 h."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from central.fleet_history import MINUTE_S, WINDOW_S, HealthHistory
from central.records.sqlite import StoreError

START = 1_800_000_000 // 60 * 60  # the start of a minute


@pytest.fixture(params=["sqlite", "postgres"])
def place(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    """Where the history is written: its SQLite file, or a PostgreSQL database ([store] url)."""
    if request.param == "sqlite":
        return tmp_path / "h.sqlite3"
    return str(request.getfixturevalue("postgres_url"))


class FakeClock:
    def __init__(self) -> None:
        self.now = float(START)

    def __call__(self) -> float:
        return self.now


def test_reports_within_a_minute_make_one_point_averaged_and_at_their_worst(place):
    clock = FakeClock()
    history = HealthHistory(place, clock)
    history.record("kiosk-1", 10, 40, 50.0, None)
    clock.now += 20
    history.record("kiosk-1", 30, 60, 65.0, 12.0)
    clock.now += 39
    history.record("kiosk-1", 20, 50, None, 4.0)
    [point] = history.points("kiosk-1")
    assert point == {
        "minute": START,
        "cpu_percent": 20.0,
        "memory_percent": 50.0,
        "temperature_c": 65.0,
        "broker_rtt_ms": 12.0,
    }
    clock.now += 1  # the next minute
    history.record("kiosk-1", 90, 50, 70.0, 1.0)
    points = history.points("kiosk-1")
    assert [p["minute"] for p in points] == [START, START + MINUTE_S]
    assert points[1]["cpu_percent"] == 90.0
    assert history.points("kiosk-2") == []
    history.close()


def test_finished_minutes_are_written_and_survive_a_restart(place):
    clock = FakeClock()
    history = HealthHistory(place, clock)
    history.record("kiosk-1", 10, 40, None, None)
    assert history.row_count() == 0, "the minute in progress stays in memory"
    clock.now += MINUTE_S
    history.flush()
    assert history.row_count() == 1
    history.close()
    again = HealthHistory(place, clock)
    assert [p["cpu_percent"] for p in again.points("kiosk-1")] == [10.0]
    again.close()


def test_minutes_older_than_a_day_are_pruned_and_not_shown(place):
    clock = FakeClock()
    history = HealthHistory(place, clock)
    for _ in range(5):
        history.record("kiosk-1", 10, 40, None, None)
        history.record("signage-1", 5, 30, 45.0, None)
        clock.now += MINUTE_S
    history.flush()
    assert history.row_count() == 10
    clock.now = START + WINDOW_S + 2 * MINUTE_S + 1  # the first three minutes are over a day old
    assert [p["minute"] for p in history.points("kiosk-1")] == [START + 3 * MINUTE_S, START + 4 * MINUTE_S]
    assert history.flush() == 6
    assert history.row_count() == 4
    history.close()


@settings(max_examples=40, deadline=None)
@given(steps=st.lists(st.tuples(st.integers(0, 400), st.sampled_from(["k1", "k2"]), st.booleans()), max_size=60))
def test_whatever_the_order_each_device_has_one_point_per_minute_within_the_window(steps):
    clock = FakeClock()
    history = HealthHistory(":memory:", clock, window_s=30 * MINUTE_S)
    reports: dict[tuple[str, int], int] = {}
    for seconds, device, flush in steps:
        clock.now += seconds
        history.record(device, 1.0, 2.0, None, None)
        minute = int(clock.now // MINUTE_S * MINUTE_S)
        reports[(device, minute)] = reports.get((device, minute), 0) + 1
        if flush:
            history.flush()
    for device in ("k1", "k2"):
        minutes = [point["minute"] for point in history.points(device)]
        assert minutes == sorted(set(minutes)), "one point per minute, in order"
        assert all(minute >= clock.now - 30 * MINUTE_S for minute in minutes), "nothing older than the window"
        expected = sorted(m for (d, m) in reports if d == device and m >= clock.now - 30 * MINUTE_S)
        assert minutes == expected
    history.close()


def test_a_history_file_from_a_newer_central_is_refused_with_both_versions(tmp_path):
    path = tmp_path / "fleet-history.sqlite3"
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute("PRAGMA user_version=99")
    with pytest.raises(StoreError, match="schema 99; this version reads"):
        HealthHistory(path)
