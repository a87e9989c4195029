"""The live calls' store (the queue kept over a restart of central) in its SQLite file and in PostgreSQL:
what a step wrote comes back after the store is opened again, ended calls are gone, a row nobody can read
is skipped without losing the others, and a store from a newer program is refused with both versions."""

from __future__ import annotations

import logging
import re
import sqlite3
from pathlib import Path

import psycopg
import pytest

from central.live_calls import SCHEMA_VERSION, LiveCallsError, PgLiveCalls, SqliteLiveCalls, open_live_calls
from central.switchboard.live_store import SavedCall
from central.switchboard.model import CallLeg, LegEnd


@pytest.fixture(params=["sqlite", "postgres"])
def place(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    if request.param == "sqlite":
        return tmp_path / "live-calls.sqlite3"
    return str(request.getfixturevalue("postgres_url"))


def waiting(n: int, order: float) -> SavedCall:
    return SavedCall(
        call_id=f"call-{n}",
        caller_id=f"kiosk-{n}",
        caller_kind="device",
        skill="zh",
        arrived_skill="zh",
        language="zh-CN",
        context_json='{"flight":"HU7181","note":"行李"}',
        arrived_at=1000.0 + n,
        order=order,
    )


TRANSFERRED = SavedCall(
    call_id="call-9",
    caller_id="kiosk-9",
    caller_kind="device",
    skill="en",
    arrived_skill="zh",
    language="en",
    context_json="{}",
    arrived_at=900.5,
    order=float("-inf"),
    connected=True,
    agent_id="li",
    answered_at=905.25,
    leg_answered_at=950.0,
    legs=(CallLeg(agent_id="chen", skill="zh", answered_at=905.25, ended_at=950.0, end=LegEnd.TRANSFERRED),),
    transfers=1,
)


def test_what_a_step_wrote_comes_back_after_the_store_is_opened_again(place: Path | str) -> None:
    store = open_live_calls(place)
    assert store.load() == []
    store.write([waiting(1, 1.0), waiting(2, 2.0), TRANSFERRED], [])
    store.write([waiting(2, -3.0)], ["call-1", "call-never-kept"])  # moved to the head; one ended
    store.write([waiting(5, 5.0), waiting(5, 4.0)], ["call-5"])  # saved and ended in one step: the last saved
    store.close()

    again = open_live_calls(place)
    try:
        assert sorted(again.load(), key=lambda call: call.call_id) == [waiting(2, -3.0), waiting(5, 4.0), TRANSFERRED]
    finally:
        again.close()


def test_the_url_names_the_backend(tmp_path: Path, postgres_url: str) -> None:
    on_file, on_server = open_live_calls(tmp_path / "live.sqlite3"), open_live_calls(postgres_url)
    try:
        assert isinstance(on_file, SqliteLiveCalls) and isinstance(on_server, PgLiveCalls)
    finally:
        on_file.close()
        on_server.close()


def test_a_row_nobody_can_read_is_skipped_and_named_the_others_come_back(
    postgres_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    store = PgLiveCalls(postgres_url)
    store.write([waiting(1, 1.0), waiting(2, 2.0)], [])
    with psycopg.connect(postgres_url, autocommit=True) as db:
        db.execute("UPDATE live_calls SET saved = '{\"call_id\": \"call-1\"' WHERE call_id = 'call-1'")
    try:
        with caplog.at_level(logging.ERROR, logger="central.live_calls"):
            assert store.load() == [waiting(2, 2.0)]
    finally:
        store.close()
    assert "live call call-1 not restored, its row is unreadable" in caplog.text


def test_a_sqlite_file_from_a_newer_program_is_refused_with_both_versions(tmp_path: Path) -> None:
    path = tmp_path / "live-calls.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 99")
    with pytest.raises(
        LiveCallsError, match=re.escape(f"live calls schema 99 is newer than this program's ({SCHEMA_VERSION})")
    ):
        SqliteLiveCalls(path)


def test_a_postgresql_database_from_a_newer_program_is_refused_with_both_versions(postgres_url: str) -> None:
    PgLiveCalls(postgres_url).close()
    with psycopg.connect(postgres_url, autocommit=True) as db:
        db.execute("UPDATE schema_versions SET version = 99 WHERE store = 'live calls'")
    with pytest.raises(
        LiveCallsError, match=re.escape(f"live calls schema 99 is newer than this program's ({SCHEMA_VERSION})")
    ):
        PgLiveCalls(postgres_url)
