"""central's SQLite stores on a file that takes nothing more (``max_page_count`` at its size, as a full disk
would refuse): a record or live call is kept in memory, read back as if stored, and written by the next
write that fits; the file is never harmed. The real full disk: tests/faults/test_disk_full.py."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from bus.topics import Topics
from central.fleet import FleetState
from central.live_calls import SqliteLiveCalls
from central.metrics import MetricSources, exposition, read
from central.records import SqliteCallStore
from central.switchboard import CallRecord, Outcome
from central.switchboard.live_store import SavedCall

BIG = "x" * 20_000  # needs new pages, which the full file refuses

RECORD = CallRecord(
    call_id="c1",
    caller_id="kiosk-t1-01",
    caller_kind="device",
    skill="zh",
    language="zh-CN",
    location="T1",
    arrived_at=1795400100.0,
    answered_at=1795400110.0,
    ended_at=1795400200.0,
    agent_id="chen",
    outcome=Outcome.ANSWERED,
    end_reason="agent",
    wait_s=10.0,
    talk_s=90.0,
    wrap_s=5.0,
    note=BIG,
)


def refuse_growth(db: sqlite3.Connection) -> None:
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.execute(f"PRAGMA max_page_count = {pages}")


def test_a_record_the_file_cannot_take_is_read_as_stored_and_written_by_the_next_save(tmp_path: Path):
    store = SqliteCallStore(tmp_path / "calls.sqlite3")
    try:
        refuse_growth(store._db)
        store.save(RECORD)  # no exception: the switchboard's step goes on
        assert store.unsaved == 1 and store.get("c1") == replace(RECORD, legs=())
        assert [r.call_id for r in store.arrived_between(1795400000.0, 1795500000.0)] == ["c1"]
        assert [r.call_id for r in store.recent_handled("zh", 5)] == ["c1"]
        wrapped = replace(RECORD, wrap_s=7.0)
        store.save(wrapped)  # a later change of the same call replaces the one in memory
        assert store.unsaved == 1 and store.get("c1") == replace(wrapped, legs=())

        store._db.execute("PRAGMA max_page_count = 1000000")
        other = replace(RECORD, call_id="c2", note="short")
        store.save(other)
        assert store.unsaved == 0
        assert store._db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        store.close()
    reopened = SqliteCallStore(tmp_path / "calls.sqlite3")
    try:
        kept = reopened.get("c1")
        assert kept is not None and kept.wrap_s == 7.0
        assert reopened.get("c2") is not None
    finally:
        reopened.close()


def saved(call_id: str, context: str = "{}") -> SavedCall:
    return SavedCall(
        call_id=call_id,
        caller_id=f"kiosk-{call_id}",
        caller_kind="device",
        skill="zh",
        arrived_skill="zh",
        language="zh-CN",
        context_json=context,
        arrived_at=1795400100.0,
        order=1.0,
        connected=False,
        agent_id=None,
        answered_at=None,
        leg_answered_at=None,
        legs=(),
        transfers=0,
    )


def test_live_calls_the_file_cannot_take_wait_and_go_with_the_next_write(tmp_path: Path):
    live = SqliteLiveCalls(tmp_path / "live.sqlite3")
    try:
        live.write([saved("a")], [])
        refuse_growth(live._db)
        live.write([saved("b", '{"pad": "%s"}' % BIG)], ["a"])  # noqa: UP031 (JSON braces)
        assert live.unsaved == 2
        assert [c.call_id for c in live.load()] == ["a"]  # the file as it was: a crash now loses only this step
        live._db.execute("PRAGMA max_page_count = 1000000")
        live.write([], [])
        assert live.unsaved == 0 and [c.call_id for c in live.load()] == ["b"]
        assert live._db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        live.close()


def test_what_the_full_disk_refused_shows_in_the_metrics_per_store():
    sources = MetricSources(
        FleetState(Topics("airport/HAK"), 60.0), unsaved=lambda: {"call_records": 2, "live_calls": 0}
    )
    found = {
        (sample.name, sample.labels["store"]): sample.value
        for family in text_string_to_metric_families(exposition(read(sources)).decode())
        for sample in family.samples
        if sample.name.endswith("store_unsaved")
    }
    assert sorted(found.values()) == [0.0, 2.0]
    assert {store for _, store in found} == {"call_records", "live_calls"}
