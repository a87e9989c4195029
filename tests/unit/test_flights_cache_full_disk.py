"""The flight cache on a full disk: the screen goes on, the last good file stays, and it is said once."""

from __future__ import annotations

import errno
import logging
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bus.messages.flights import Direction, Flight, FlightBoard
from device.flights import store as store_module
from device.flights.store import FlightStore

DEP = Direction.DEPARTURES
T0 = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)


def board(revision: int, gate: str) -> FlightBoard:
    flight = Flight(
        id="HU7181-20261123-D", number="HU7181", direction=DEP, other_airport="PEK", scheduled=T0, gate=gate
    )
    return FlightBoard(direction=DEP, revision=revision, flights=[flight], site="HAK", tz="Asia/Shanghai")


def disk_full(_fd: int) -> None:
    """``os.fsync`` on a full SD card: the buffered bytes find no room."""
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_a_full_disk_keeps_the_last_good_cache_file_and_says_so_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
):
    store = FlightStore(tmp_path)  # no running loop: every change is written at once
    assert store.apply_snapshot(board(1, "7"))
    cache = tmp_path / "flights-dep.json"
    good = cache.read_bytes()
    monkeypatch.setattr(store_module.os, "fsync", disk_full)
    with caplog.at_level(logging.INFO, logger="device.flights.store"):
        for revision in range(2, 6):
            assert store.apply_snapshot(board(revision, str(revision)))
        assert store.flight("HU7181-20261123-D").gate == "5"  # the screen shows the newest board all along
        assert cache.read_bytes() == good
        assert sorted(path.name for path in tmp_path.iterdir()) == ["flights-dep.json"]  # no half file
        warnings = [record for record in caplog.records if record.levelno == logging.WARNING]
        assert len(warnings) == 1 and "No space left on device" in warnings[0].message
        assert store.save_failures == 4

        monkeypatch.undo()
        assert store.apply_snapshot(board(6, "6"))
        assert store.save_failures == 0
        assert any("written again (4 writes failed before)" in record.message for record in caplog.records)
    restarted = FlightStore(tmp_path)
    assert restarted.revision(DEP) == 6 and restarted.flight("HU7181-20261123-D").gate == "6"


def test_a_store_restarted_during_a_full_disk_starts_from_the_last_good_board(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    store = FlightStore(tmp_path)
    store.apply_snapshot(board(1, "7"))
    monkeypatch.setattr(store_module.os, "fsync", disk_full)
    store.apply_snapshot(board(2, "8"))
    store.close()
    restarted = FlightStore(tmp_path)
    assert restarted.revision(DEP) == 1 and restarted.flight("HU7181-20261123-D").gate == "7"
