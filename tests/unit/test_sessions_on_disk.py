"""Sessions outlive a restart of central: they are kept on disk (or in PostgreSQL), by token digest only."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from central.web.agent_sessions import AgentSessions, SessionFile
from tests.peers.clock import FakeClock


@pytest.fixture(params=["sqlite", "postgres"])
def place(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    if request.param == "sqlite":
        return tmp_path / "sessions.sqlite3"
    return str(request.getfixturevalue("postgres_url"))


def stored_text(place: Path | str) -> bytes:
    """Everything the sessions' store holds, as bytes."""
    if isinstance(place, Path):
        return place.read_bytes()
    with psycopg.connect(place) as db:
        return repr(db.execute("SELECT * FROM sessions").fetchall()).encode()


def restarted(path: Path | str, clock: FakeClock) -> tuple[AgentSessions, SessionFile]:
    file = SessionFile(path)
    return AgentSessions(ttl_s=3600, clock=clock, file=file), file


def test_a_session_survives_a_restart_and_an_ended_one_does_not(place: Path | str) -> None:
    clock = FakeClock(1000.0)
    path = place
    before, file = restarted(path, clock)
    kept = before.open("chen", credential_version=3)
    ended = before.open("wang")
    before.close(ended)
    other = before.open("li")
    before.close_agent("li")
    file.close()

    after, file = restarted(path, clock)
    try:
        session = after.get(kept)
        assert session is not None and (session.agent_id, session.credential_version) == ("chen", 3)
        assert after.get(ended) is None and after.get(other) is None
    finally:
        file.close()
    assert kept.encode() not in stored_text(path)  # only digests are written
    assert isinstance(path, str) or path.stat().st_mode & 0o077 == 0


def test_sessions_that_expired_while_central_was_down_are_gone(place: Path | str) -> None:
    clock = FakeClock(1000.0)
    path = place
    before, file = restarted(path, clock)
    token = before.open("chen")
    file.close()
    clock.advance(3601)
    after, file = restarted(path, clock)
    try:
        assert after.get(token) is None and len(after) == 0
    finally:
        file.close()
