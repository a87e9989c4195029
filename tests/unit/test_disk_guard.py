"""A full SD card: the disk guard trims only what staff read (rotated logs, old events), never the print
jobs or the flight boards; health and events say so once per crossing of the low- and high-water marks,
and central's disk alert follows the device's word."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bus.link import BusLink
from bus.messages.device import DeviceHealth, DeviceKind
from bus.outbox import Outbox
from bus.topics import Topics
from central.alerts.rules import DeviceFacts, Rule, device_findings
from central.alerts.settings import AlertsSection
from config.sections import BusSection
from device.disk import DiskGuard, guard_disk
from device.events import FILE_NAME as EVENTS_FILE
from device.events import DeviceEvents
from device.health import HealthProbe
from device.presence import DeviceIdentity, DevicePresence
from device.settings import HealthSection
from kiosk.printing.queue import FILE_NAME as PRINT_JOBS_FILE
from tests.peers.wait import until

TOPICS = Topics("airport/HAK")
MARKS = HealthSection(disk_low_free_mb=200, disk_ok_free_mb=400, disk_low_keep_events=10)


class FakeDisk:
    """Stands in for ``os.statvfs``: reports ``free_mb`` free (to an unprivileged user) on any path."""

    def __init__(self, free_mb: float) -> None:
        self.free_mb = free_mb
        self.broken = False

    def __call__(self, _path: str) -> os.statvfs_result:
        if self.broken:
            raise OSError(5, "Input/output error")
        blocks = int(self.free_mb * 256)  # 4 KiB blocks
        return os.statvfs_result((4096, 4096, 10_000_000, blocks, blocks, 1000, 1000, 1000, 0, 255))


def offline_link() -> BusLink:
    return BusLink(BusSection(url="mqtt://127.0.0.1:9"), "kiosk-a")  # never started: events stay stored


def passenger_files(state: Path) -> dict[str, str]:
    """What a passenger needs, as it lies on disk: the print queue and the cached flight boards."""
    files = [state / PRINT_JOBS_FILE, state / "flights-dep.json", state / "flights-arr.json"]
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in files}


def stored_events(state: Path) -> list[dict[str, object]]:
    db = sqlite3.connect(str(state / EVENTS_FILE))
    try:
        return [json.loads(row[0]) for row in db.execute("SELECT payload FROM outbox ORDER BY seq")]
    finally:
        db.close()


@pytest.fixture
def state(tmp_path: Path) -> Path:
    (tmp_path / PRINT_JOBS_FILE).write_bytes(b"jobs a passenger waits for" * 100)
    (tmp_path / "flights-dep.json").write_text('{"heard_at": 1, "board": {}}')
    (tmp_path / "flights-arr.json").write_text('{"heard_at": 2, "board": {}}')
    (tmp_path / "kiosk.log").write_text("the live log\n")
    (tmp_path / "kiosk.log.1").write_bytes(b"x" * 300_000)
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "kiosk.log.2.gz").write_bytes(b"y" * 200_000)
    return tmp_path


def test_a_low_disk_trims_rotated_logs_and_old_events_but_never_print_jobs_or_flight_boards(state: Path):
    events = DeviceEvents(offline_link(), TOPICS, "kiosk-a", state)
    for n in range(40):
        events.emit("print.done", {"n": n})
    before = passenger_files(state)
    disk = FakeDisk(free_mb=150)
    guard = DiskGuard(state, MARKS, events.outbox, events.emit, statvfs=disk)
    try:
        check = guard.check()
        assert check is not None and check.low and guard.low is True
        assert (check.trimmed_files, check.dropped_events) == (2, 31)  # 30 over the cap, and room for the notice
        assert not (state / "kiosk.log.1").exists() and not (state / "logs" / "kiosk.log.2.gz").exists()
        assert (state / "kiosk.log").read_text() == "the live log\n"  # only rotated logs go
        assert passenger_files(state) == before

        kept = stored_events(state)
        assert [event["name"] for event in kept[:2]] == ["print.done", "print.done"]
        assert kept[0]["data"] == {"n": 31}  # the oldest went first
        notice, low = kept[-2], kept[-1]
        assert notice["name"] == "outbox.dropped" and notice["data"] == {"count": 31, "total": 31}
        assert low["name"] == "disk.low"
        assert low["data"] == {
            "free_mb": 150.0,
            "low_mb": 200.0,
            "trimmed_files": 2,
            "trimmed_mb": pytest.approx(0.48, abs=0.01),
            "dropped_events": 31,
        }
        assert len(events.outbox) == 11  # the cap (notice included), and the disk.low event after the trim
    finally:
        events.close()


def test_health_and_events_say_so_once_per_crossing_and_clear_only_above_the_high_water_mark(state: Path):
    said: list[str] = []
    turned: list[bool] = []
    disk = FakeDisk(free_mb=1000)
    guard = DiskGuard(state, MARKS, emit=lambda name, _data: said.append(name), statvfs=disk)
    guard.add_listener(turned.append)
    for free_mb in (1000, 150, 120, 199, 300, 399, 401, 350, 201, 100):
        disk.free_mb = free_mb
        guard.check()
        if free_mb == 300:
            assert guard.low is True  # between the marks: still low
    assert said == ["disk.low", "disk.ok", "disk.low"]
    assert turned == [False, True, False, True]
    assert guard.low is True


def test_a_disk_between_the_marks_at_start_is_not_low_and_says_nothing(state: Path):
    said: list[str] = []
    guard = DiskGuard(state, MARKS, emit=lambda name, _data: said.append(name), statvfs=FakeDisk(300))
    assert guard.low is None
    guard.check()
    assert guard.low is False and said == []
    assert (state / "kiosk.log.1").exists()  # nothing trimmed above the low-water mark


def test_an_unreadable_disk_keeps_the_last_state_and_is_logged_once(state: Path, caplog: pytest.LogCaptureFixture):
    disk = FakeDisk(free_mb=100)
    guard = DiskGuard(state, MARKS, statvfs=disk)
    guard.check()
    disk.broken = True
    with caplog.at_level(logging.WARNING, logger="device.disk"):
        assert guard.check() is None
        assert guard.check() is None
    assert guard.low is True
    assert [record.message for record in caplog.records].count(
        f"cannot read the free space of {state}: [Errno 5] Input/output error"
    ) == 1


def test_the_outbox_trim_drops_the_oldest_and_counts_them_like_its_bound(tmp_path: Path):
    notices: list[tuple[int, int]] = []

    def notice(seq: int, count: int, total: int) -> bytes:
        notices.append((count, total))
        return f"dropped {count} of {total}".encode()

    outbox = Outbox(tmp_path / "o.sqlite3", offline_link(), "t", max_events=100, dropped_notice=notice)
    try:
        for n in range(20):
            outbox.add(lambda seq, n=n: str(n).encode())
        assert outbox.drop_oldest_beyond(25) == 0  # under the cap: nothing goes, no notice
        assert outbox.drop_oldest_beyond(5) == 16
        assert outbox.drop_oldest_beyond(5) == 0
        for n in range(20, 30):
            outbox.add(lambda seq, n=n: str(n).encode())
        assert outbox.drop_oldest_beyond(5) == 11
        assert notices == [(16, 16), (11, 27)]
        assert len(outbox) == 5 and outbox.dropped == 27
        with pytest.raises(ValueError, match="keep at least one"):
            outbox.drop_oldest_beyond(0)
    finally:
        outbox.close()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=1000, allow_nan=False), max_size=30))
def test_low_and_ok_alternate_starting_with_low_and_follow_the_marks(readings: list[float]):
    said: list[str] = []
    guard = DiskGuard(Path("/nonexistent-state"), MARKS, emit=lambda name, _data: said.append(name))
    for free_mb in readings:
        guard.apply(free_mb)
        if free_mb < MARKS.disk_low_free_mb:
            assert guard.low is True
        elif free_mb > MARKS.disk_ok_free_mb:
            assert guard.low is False
    assert said == ["disk.low", "disk.ok"] * (len(said) // 2) + ["disk.low"] * (len(said) % 2)


def test_the_marks_must_leave_room_between_them():
    with pytest.raises(ValueError, match="disk_ok_free_mb must be above disk_low_free_mb"):
        HealthSection(disk_low_free_mb=400, disk_ok_free_mb=400)


async def test_a_running_device_reports_disk_low_in_its_health(state: Path):
    link = offline_link()
    identity = DeviceIdentity(device_id="kiosk-a", kind=DeviceKind.KIOSK, version="test")
    presence = DevicePresence(link, TOPICS, identity, HealthProbe(state), interval_s=3600)
    events = DeviceEvents(link, TOPICS, "kiosk-a", state)
    guard_disk(MARKS, state, presence, events, own_events=True, statvfs=FakeDisk(free_mb=50))

    def health() -> DeviceHealth | None:
        return presence.last_health

    await presence.start()
    try:
        await until(lambda: (h := health()) is not None and h.disk_low is True, "health saying the disk is low", 10)
    finally:
        await presence.stop()
    assert [event["name"] for event in stored_events(state)] == ["disk.low"]


def test_central_raises_disk_full_while_a_device_says_its_disk_is_low_whatever_its_percentage():
    def findings(**health: object) -> dict[Rule, str]:
        values: dict[str, Any] = {"cpu_percent": 1.0, "memory_percent": 1.0, "app_rss_mb": 1.0, "uptime_s": 1.0}
        facts = DeviceFacts("kiosk-a", "kiosk", "online", None, "T1", "1", DeviceHealth(**values, **health))
        return device_findings(facts, AlertsSection(), {}, lambda _rule: False, now=0.0)

    assert findings(disk_percent=60.0, disk_low=True)[Rule.DISK_FULL] == (
        "Disk low on free space (60% used), trimming logs and old events: kiosk-a at T1"
    )
    assert Rule.DISK_FULL not in findings(disk_percent=60.0, disk_low=False)
    assert Rule.DISK_FULL not in findings(disk_percent=60.0)  # a device that does not watch its disk
    assert findings(disk_percent=97.0, disk_low=True)[Rule.DISK_FULL] == "Disk 97% full: kiosk-a at T1"


def test_a_full_disk_is_full_in_health_until_the_held_events_are_stored(tmp_path: Path):
    events = DeviceEvents(offline_link(), TOPICS, "kiosk-a", tmp_path)
    disk = FakeDisk(free_mb=1000)
    turned: list[bool] = []
    guard = DiskGuard(tmp_path, MARKS, events.outbox, events.emit, statvfs=disk)
    guard.add_listener(turned.append)
    try:
        check = guard.check()
        assert check is not None and not check.full and guard.full is False
        disk.free_mb = 0.01  # 10 KiB: no write can be counted on
        pages = events.outbox._db.execute("PRAGMA page_count").fetchone()[0]
        events.outbox._db.execute(f"PRAGMA max_page_count = {pages}")  # and the file takes nothing more
        assert events.emit("print.done", {"pad": "x" * 20_000}) is None  # waits in memory
        check = guard.check()
        assert check is not None and check.full and guard.full is True and turned[-1] is True
        disk.free_mb = 300  # room on the disk, but the file still refuses: the held events still wait
        assert guard.check() is not None and guard.full is True
        events.outbox._db.execute("PRAGMA max_page_count = 1000000")
        check = guard.check()
        assert check is not None and not check.full and guard.full is False
        assert [event["name"] for event in stored_events(tmp_path)] == ["print.done", "disk.low"]  # in order
    finally:
        events.close()
