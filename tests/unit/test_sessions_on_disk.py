"""Sessions outlive a restart of central: they are kept on disk, by token digest only."""

from __future__ import annotations

from pathlib import Path

from central.web.agent_sessions import AgentSessions, SessionFile
from tests.peers.clock import FakeClock


def restarted(path: Path, clock: FakeClock) -> tuple[AgentSessions, SessionFile]:
    file = SessionFile(path)
    return AgentSessions(ttl_s=3600, clock=clock, file=file), file


def test_a_session_survives_a_restart_and_an_ended_one_does_not(tmp_path: Path) -> None:
    clock = FakeClock(1000.0)
    path = tmp_path / "sessions.sqlite3"
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
    assert kept.encode() not in path.read_bytes()  # only digests are written
    assert path.stat().st_mode & 0o077 == 0


def test_sessions_that_expired_while_central_was_down_are_gone(tmp_path: Path) -> None:
    clock = FakeClock(1000.0)
    path = tmp_path / "sessions.sqlite3"
    before, file = restarted(path, clock)
    token = before.open("chen")
    file.close()
    clock.advance(3601)
    after, file = restarted(path, clock)
    try:
        assert after.get(token) is None and len(after) == 0
    finally:
        file.close()
