"""The real ``central`` with ``[store] url`` naming PostgreSQL: its stores are made there, a person signs in
with an account kept there; a server that is down at start is named, and a database from a newer central is
refused with both versions named, each without a traceback or password; central SIGKILLed and started again
on the same database finds its waiting queue there, in order."""

from __future__ import annotations

from contextlib import AsyncExitStack
from pathlib import Path

import psycopg
import pytest

import central.accounts
from bus.messages.call import CallCancel
from bus.topics import TopicKind
from central.accounts import AgentAccounts
from central.live_calls import SCHEMA_VERSION as LIVE_CALLS_SCHEMA
from central.live_calls import PgLiveCalls
from tests.peers.bus_device import BusDevice
from tests.peers.central import TOPICS, WAIT_S, central_env
from tests.peers.mosquitto import Mosquitto
from tests.peers.net import free_port
from tests.peers.programs import RunningProgram, running
from tests.peers.retained import read_retained
from tests.peers.staff import STAFF_ID, STAFF_PASSWORD, STAFF_ROLES, TEST_SCRYPT_N, staff_cookie

SECRET = "s3cret-pw"


def with_password(url: str) -> str:
    # the test server trusts loopback, so a password in the URL is never asked for, only carried
    return url.replace("postgresql://central@", f"postgresql://central:{SECRET}@")


@pytest.mark.slow  # a broker, PostgreSQL and central's whole service
def test_central_keeps_its_records_in_postgresql_and_signs_people_in_from_there(
    mosquitto: Mosquitto, tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = with_password(postgres_url)
    monkeypatch.setattr(central.accounts, "SCRYPT_N", TEST_SCRYPT_N)
    accounts = AgentAccounts(url)
    accounts.add(STAFF_ID, "Ops Desk", [], STAFF_PASSWORD, roles=STAFF_ROLES.split(","))
    accounts.close()
    env = {**central_env(mosquitto, tmp_path / "state"), "CENTRAL_STORE__URL": url}

    with running("central", env) as program:
        line = program.wait_for_line("central: agent console at ")
        base_url = line.split(" at ", 1)[1].strip().removesuffix("/agent")
        assert staff_cookie(base_url)  # the account and the new session, both in PostgreSQL
    log = program.all_stderr

    with psycopg.connect(postgres_url) as db:
        stores = dict(db.execute("SELECT store, version FROM schema_versions").fetchall())
        sessions = db.execute("SELECT agent_id FROM sessions").fetchall()
    assert set(stores) == {
        "call store", "accounts", "sessions", "case store", "device registry", "fleet history", "live calls",
        "knowledge base", "point counts", "device event seqs",
    }  # fmt: skip
    assert sessions == [(STAFF_ID,)]
    # none of those stores fell back to a file in the state dir (the fleet's uploads are files, kept there)
    files = [path.name for path in (tmp_path / "state").iterdir() if path.is_file()]
    assert not [name for name in files if name.endswith((".sqlite3", ".json"))], files
    assert SECRET not in log and SECRET not in "\n".join(program.stdout)


@pytest.mark.slow  # central tries the server for about 15 s before it gives up
def test_a_postgresql_that_is_down_at_start_is_named_and_central_stops_without_a_traceback(
    mosquitto: Mosquitto, tmp_path: Path
) -> None:
    port = free_port()  # nothing listens there
    env = {
        **central_env(mosquitto, tmp_path / "state"),
        "CENTRAL_STORE__URL": f"postgresql://central:{SECRET}@127.0.0.1:{port}/central",
    }

    with running("central", env) as program:
        status = program.process.wait(timeout=60)
    log = program.all_stderr

    assert status == 1, log
    assert f"cannot start: PostgreSQL at 127.0.0.1:{port} is not answering after 6 tries" in log
    assert log.count(f"PostgreSQL at 127.0.0.1:{port} is not answering (") == 5  # each try, with its wait
    assert "Traceback" not in log and SECRET not in log


@pytest.mark.slow  # a broker, PostgreSQL and central's start
def test_a_database_from_a_newer_central_is_refused_with_both_versions_and_left_as_it_was(
    mosquitto: Mosquitto, tmp_path: Path, postgres_url: str
) -> None:
    PgLiveCalls(postgres_url).close()
    newer = LIVE_CALLS_SCHEMA + 1
    with psycopg.connect(postgres_url, autocommit=True) as db:
        db.execute("UPDATE schema_versions SET version = %s WHERE store = 'live calls'", (newer,))
    env = {**central_env(mosquitto, tmp_path / "state"), "CENTRAL_STORE__URL": with_password(postgres_url)}

    with running("central", env) as program:
        status = program.process.wait(timeout=60)
    log = program.all_stderr

    assert status == 1, log
    assert f"cannot start: live calls schema {newer} is newer than this program's ({LIVE_CALLS_SCHEMA})" in log
    assert "Traceback" not in log and SECRET not in log
    with psycopg.connect(postgres_url) as db:
        version = db.execute("SELECT version FROM schema_versions WHERE store = 'live calls'").fetchone()
    assert version == (newer,)  # nothing moved back


def central_up(mosquitto: Mosquitto, program: RunningProgram) -> None:
    """Once central's birth is retained its subscriptions are live: a device's next message is heard."""
    program.wait_for_line("central: agent console at ")
    read_retained(mosquitto, TOPICS.site(TopicKind.CENTRAL_STATUS), lambda body: body.get("online") is True, WAIT_S)


@pytest.mark.slow  # a broker, PostgreSQL and central started twice
async def test_central_killed_comes_back_with_the_waiting_queue_from_postgresql_in_order(
    mosquitto: Mosquitto, tmp_path: Path, postgres_url: str
) -> None:
    env = {**central_env(mosquitto, tmp_path / "state"), "CENTRAL_STORE__URL": postgres_url}
    async with AsyncExitStack() as stack:
        callers = [await stack.enter_async_context(BusDevice(mosquitto.url, f"kiosk-w{n}")) for n in range(3)]
        with running("central", env) as program:
            central_up(mosquitto, program)
            for n, caller in enumerate(callers):
                caller.request(f"wait-{n}")
                await caller.expect("queued", call=f"wait-{n}", position=n + 1)
            program.process.kill()  # SIGKILL: nothing flushed, no shutdown code
            program.process.wait(WAIT_S)

        with running("central", env) as program:
            central_up(mosquitto, program)
            # the head gives up; the other two move up in the order they asked
            callers[0].send(CallCancel(call="wait-0"))
            await callers[1].expect("queued", call="wait-1", position=1)
            await callers[2].expect("queued", call="wait-2", position=2)

    with psycopg.connect(postgres_url) as db:
        records = db.execute("SELECT call_id, outcome FROM calls").fetchall()
        kept = sorted(row[0] for row in db.execute("SELECT call_id FROM live_calls").fetchall())
    assert records == [("wait-0", "abandoned")]
    assert kept == ["wait-1", "wait-2"]  # still waiting when central stopped: kept for its next start
    assert not list((tmp_path / "state").glob("*.sqlite3"))
