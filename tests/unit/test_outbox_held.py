"""The outbox on a disk that takes nothing more: events wait in memory, bounded, and are stored in order,
numbered then, once there is room; those beyond the bound are counted in an ``outbox.dropped`` notice."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import bus.outbox
from bus.link import BusLink
from bus.outbox import Outbox
from bus.topics import TopicKind, Topics
from config.sections import BusSection

TOPIC = Topics("airport/HAK").device("kiosk-a", TopicKind.DEVICE_EVENT)


def notice(seq: int, count: int, total: int) -> bytes:
    return json.dumps({"seq": seq, "name": "outbox.dropped", "count": count, "total": total}).encode()


def event(n: int) -> bus.outbox.PayloadOf:
    return lambda seq: json.dumps({"seq": seq, "n": n, "pad": "x" * 20_000}).encode()


def stored(outbox: Outbox) -> list[dict[str, object]]:
    rows = outbox._db.execute("SELECT payload FROM outbox ORDER BY seq").fetchall()
    return [{k: v for k, v in json.loads(row[0]).items() if k != "pad"} for row in rows]


def test_beyond_the_bound_the_oldest_held_are_lost_and_counted_ahead_of_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bus.outbox, "HELD_MAX", 3)
    outbox = Outbox(tmp_path / "events.sqlite3", BusLink(BusSection(), "kiosk-a"), TOPIC, dropped_notice=notice)
    try:
        outbox.add(event(0))
        pages = outbox._db.execute("PRAGMA page_count").fetchone()[0]
        outbox._db.execute(f"PRAGMA max_page_count = {pages}")  # full
        assert [outbox.add(event(n)) for n in range(1, 6)] == [None] * 5
        assert (outbox.held, outbox.failed, len(outbox)) == (3, 2, 1)
        outbox._db.execute("PRAGMA max_page_count = 1000000")
        assert outbox.add(event(6)) == 5  # the held ones first, then this one
        assert stored(outbox) == [
            {"seq": 0, "n": 0},
            {"seq": 1, "name": "outbox.dropped", "count": 2, "total": 2},
            {"seq": 2, "n": 3},
            {"seq": 3, "n": 4},
            {"seq": 4, "n": 5},
            {"seq": 5, "n": 6},
        ]
        assert (outbox.held, outbox.dropped) == (0, 2)
        assert outbox._db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        outbox.close()


def test_held_events_are_stored_by_a_later_look_without_a_new_event(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "events.sqlite3", BusLink(BusSection(), "kiosk-a"), TOPIC)
    try:
        outbox.add(event(0))
        pages = outbox._db.execute("PRAGMA page_count").fetchone()[0]
        outbox._db.execute(f"PRAGMA max_page_count = {pages}")
        assert outbox.add(event(1)) is None
        assert outbox.store_held() is None and outbox.held == 1  # still full: still waiting
        outbox._db.execute("PRAGMA max_page_count = 1000000")
        assert outbox.store_held() == 1 and outbox.held == 0
        assert stored(outbox) == [{"seq": 0, "n": 0}, {"seq": 1, "n": 1}]
    finally:
        outbox.close()
