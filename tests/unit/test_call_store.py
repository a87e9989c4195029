"""Call records in SQLite and in PostgreSQL: a round trip, a reopened store, the schema version, and today's
queries."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from bus.messages.call import CallHangup, CallRequest
from central.records import SCHEMA_VERSION, SqliteCallStore, StoreError
from central.switchboard import (
    CallRecord,
    MemoryCallStore,
    Outcome,
    Switchboard,
    SwitchboardSettings,
)
from central.switchboard.model import CallLeg, LegEnd
from central.switchboard.store import CallStore
from tests.peers.clock import FakeClock
from tests.peers.switchboard import Caller, Console

FULL = CallRecord(
    call_id="kiosk-t1-01-20261123-145151",
    caller_id="kiosk-t1-01",
    caller_kind="device",
    skill="zh",
    language="zh-CN",
    location="T1 Hall B, gate 12",
    arrived_at=1795400000.25,
    answered_at=1795400012.5,
    ended_at=1795400200.0,
    agent_id="agent.chen",
    outcome=Outcome.ANSWERED,
    end_reason="agent",
    wait_s=12.25,
    talk_s=187.5,
    wrap_s=22.0,
    resolved_first_contact=False,
    category="lost_property",
    note="行李未到 / bag did not arrive; form sent",
    rating=4,
    question_answered=True,
    legs=(
        CallLeg(agent_id="agent.chen", skill="zh", answered_at=1795400012.5, ended_at=1795400200.0, end=LegEnd.CLOSED),
    ),
)
PASSED_ON = replace(
    FULL,
    call_id="kiosk-t1-01-20261123-150000",
    agent_id="agent.wang",
    skill="zh",
    transfers=1,
    legs=(
        CallLeg(
            agent_id="agent.chen", skill="zh", answered_at=1795400012.5, ended_at=1795400090.0, end=LegEnd.TRANSFERRED
        ),
        CallLeg(
            agent_id="agent.wang",
            skill="lost_property",
            answered_at=1795400095.0,
            ended_at=1795400200.0,
            end=LegEnd.CLOSED,
        ),
    ),
)
BARE = CallRecord(
    call_id="c2",
    caller_id="kiosk-t1-02",
    caller_kind="device",
    skill="en",
    language="en",
    location="",
    arrived_at=1795400100.0,
    ended_at=1795400103.0,
    outcome=Outcome.ABANDONED,
    end_reason="caller",
    wait_s=3.0,
)


Opener = Callable[[], CallStore]


@pytest.fixture(params=["sqlite", "postgres"])
def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> Opener:
    """Opens the same store each time it is called: a SQLite file, or a PostgreSQL database."""
    if request.param == "sqlite":
        return lambda: SqliteCallStore(tmp_path / "central.sqlite3")
    from central.records.pg_calls import PgCallStore

    url = request.getfixturevalue("postgres_url")
    return lambda: PgCallStore(url)


def test_records_come_back_as_they_went_in_also_after_reopening(open_store: Opener):
    store = open_store()
    store.save(FULL)
    store.save(BARE)
    store.save(PASSED_ON)
    store.save(PASSED_ON)  # saved again when its disposition comes: its legs are not doubled
    store.close()

    store = open_store()
    try:
        assert store.get(FULL.call_id) == FULL
        assert store.get(PASSED_ON.call_id) == PASSED_ON
        assert PASSED_ON in store.arrived_between(0, 2e9)
        assert store.get(BARE.call_id) == BARE
        assert store.get("missing") is None
    finally:
        store.close()


def test_saving_a_record_again_replaces_it(open_store: Opener):
    store = open_store()
    store.save(BARE)
    store.save(replace(BARE, rating=None, note="changed"))

    assert store.get(BARE.call_id) == replace(BARE, note="changed")
    assert len(store.arrived_between(0, 2e9)) == 1
    store.close()


def test_the_file_is_in_wal_mode_with_a_schema_version_and_indices(tmp_path: Path):
    path = tmp_path / "calls.sqlite3"
    SqliteCallStore(path).close()

    db = sqlite3.connect(path)
    try:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert db.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
        indices = {row[1] for row in db.execute("PRAGMA index_list(calls)")}
        assert {"calls_by_arrival", "calls_handled_by_skill"} <= indices
        plan = " ".join(str(row) for row in db.execute("EXPLAIN QUERY PLAN SELECT * FROM calls WHERE arrived_at >= 1"))
        assert "calls_by_arrival" in plan
    finally:
        db.close()


def test_a_file_from_a_newer_version_is_refused(tmp_path: Path):
    path = tmp_path / "calls.sqlite3"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()

    with pytest.raises(StoreError, match="newer"):
        SqliteCallStore(path)


@pytest.mark.parametrize("memory", [True, False])
def test_today_and_the_recent_handle_times_are_found(open_store: Opener, memory: bool):
    store = MemoryCallStore() if memory else open_store()
    records = [
        replace(FULL, call_id=f"c{n}", arrived_at=1000.0 + n, ended_at=2000.0 + n, wrap_s=None if n == 3 else 5.0)
        for n in range(6)
    ]
    for record in records:
        store.save(record)

    assert [r.call_id for r in store.arrived_between(1001.0, 1004.0)] == ["c1", "c2", "c3"]
    assert [r.call_id for r in store.recent_handled("zh", 3)] == ["c5", "c4", "c2"]
    assert store.recent_handled("en", 3) == []
    store.close()


def test_a_switchboard_restarted_on_the_same_store_keeps_todays_figures_and_handle_times(open_store: Opener):
    clock, settings = FakeClock(), SwitchboardSettings()
    store = open_store()
    board = Switchboard(settings, clock, store)
    board.agent_sign_in("chen", "Chen", ["zh"], Console())
    board.agent_presence("chen", True)
    board.request(Caller("kiosk-1"), CallRequest(call="c1", language="zh"))
    clock.now += 5
    board.agent_accept("chen", "c1")
    clock.now += 95
    board.caller_hangup("kiosk-1", CallHangup(call="c1"))
    clock.now += 30
    board.tick()
    store.close()

    store = open_store()
    again = Switchboard(settings, clock, store)
    try:
        assert again.kpis_today().answered == 1
        assert again.kpis_today().asa_s == 5.0
        assert again.wallboard()["skills"]["zh"]["aht_s"] == 125.0
    finally:
        store.close()
