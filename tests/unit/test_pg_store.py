"""PostgreSQL as central's store: its schema version, a newer database refused, a server that is down."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
import pytest

from central.accounts import SCHEMA_VERSION as ACCOUNTS_SCHEMA
from central.accounts import AccountError, AgentAccounts
from central.records import StoreError
from central.records.pg_calls import SCHEMA_VERSION, PgCallStore
from central.records.postgres import connect, named_parameters, redact, where
from central.registry import DeviceRegistry, RegistryError
from central.reports import Grouping, ReportBook, ReportRequest
from central.reports.sample import sample_records, write_records
from central.service import accounts_path, call_store_place, open_call_store
from central.settings import CentralSettings
from central.web.agent_sessions import SessionFile
from tests.peers.net import free_port

ZONE = ZoneInfo("Asia/Shanghai")


def test_a_new_database_gets_the_schema_its_version_and_the_indexes(postgres_url: str):
    PgCallStore(postgres_url).close()
    PgCallStore(postgres_url).close()  # opening it again changes nothing

    with psycopg.connect(postgres_url) as db:
        assert db.execute("SELECT store, version FROM schema_versions").fetchall() == [("call store", SCHEMA_VERSION)]
        indexes = {row[0] for row in db.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'calls'")}
    assert {"calls_by_arrival", "calls_handled_by_skill", "calls_report_by_skill"} <= indexes


def test_a_database_from_a_newer_version_is_refused_with_both_versions(postgres_url: str):
    PgCallStore(postgres_url).close()
    with psycopg.connect(postgres_url, autocommit=True) as db:
        db.execute("UPDATE schema_versions SET version = %s", (SCHEMA_VERSION + 1,))

    with pytest.raises(
        StoreError, match=f"schema {SCHEMA_VERSION + 1} is newer than this program's \\({SCHEMA_VERSION}\\)"
    ):
        PgCallStore(postgres_url)


def test_a_server_that_is_down_is_tried_with_growing_waits_then_named_without_its_password(
    caplog: pytest.LogCaptureFixture,
):
    port = free_port()  # nothing listens there
    url = f"postgresql://central:s3cret@127.0.0.1:{port}/central"
    waits: list[float] = []

    with caplog.at_level(logging.WARNING), pytest.raises(StoreError) as refused:
        connect(url, StoreError, tries=4, first_wait_s=0.5, sleep=waits.append)

    assert waits == [0.5, 1.0, 2.0]
    assert f"PostgreSQL at 127.0.0.1:{port} is not answering after 4 tries" in str(refused.value)
    assert "s3cret" not in str(refused.value)
    assert "s3cret" not in caplog.text
    assert caplog.text.count(f"127.0.0.1:{port}") == 3


def test_a_server_that_answers_no_is_not_asked_again(postgres_url: str):
    missing = postgres_url.rsplit("/", 1)[0] + "/no_such_database"
    waits: list[float] = []

    with pytest.raises(StoreError, match=r'refused .*database "no_such_database" does not exist') as refused:
        connect(missing, StoreError, sleep=waits.append)

    assert waits == []
    assert refused.value.args[0].startswith("PostgreSQL at 127.0.0.1:")


def test_a_malformed_url_is_refused_at_once():
    waits: list[float] = []
    with pytest.raises(StoreError, match=r"store\.url .*port 'notaport' is not a number"):
        connect("postgresql://central:pw@127.0.0.1:notaport/db", StoreError, sleep=waits.append)
    assert waits == []


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://central:s3cret@db.example:5433/central", "postgresql://central:***@db.example:5433/central"),
        ("postgresql://central@db.example/central", "postgresql://central@db.example/central"),
        (
            "postgresql://db.example/central?password=s3cret&sslmode=require",
            "postgresql://db.example/central?password=***&sslmode=require",
        ),
    ],
)
def test_the_password_is_never_shown(url: str, shown: str):
    assert redact(url) == shown


def test_host_and_port_are_named_with_the_defaults():
    assert where("postgresql://central@db.example/central") == "db.example:5432"
    assert where("postgresql://central@db.example:6543/central") == "db.example:6543"


def test_named_parameters_become_psycopgs_style():
    sql = "SELECT :label AS label, SUM(CASE WHEN c.wait_s <= :service_level_s THEN 1 ELSE 0 END) % 2 FROM calls c"
    assert named_parameters(sql) == (
        "SELECT %(label)s AS label, SUM(CASE WHEN c.wait_s <= %(service_level_s)s THEN 1 ELSE 0 END) %% 2 FROM calls c"
    )


@pytest.mark.parametrize("grouping", list(Grouping))
def test_the_reports_sql_gives_the_same_report_on_sqlite_and_postgresql(
    tmp_path: Path, postgres_url: str, grouping: Grouping
):
    first = date(2026, 10, 1)
    records = list(sample_records(first, 3, 40, ZONE))
    path = tmp_path / "central.sqlite3"
    write_records(path, records)
    store = PgCallStore(postgres_url)
    store.save_many(records)
    store.close()
    request = ReportRequest(first, date(2026, 10, 3), grouping)

    on_sqlite = ReportBook(path, ZONE, 20.0, 5.0).report(request)
    on_postgres = ReportBook(postgres_url, ZONE, 20.0, 5.0).report(request)

    assert on_sqlite.total.answered > 0
    # the same figures; sums of seconds may differ in their last bits (the databases add in another order)
    assert rounded(on_postgres.as_dict()) == rounded(on_sqlite.as_dict())


def rounded(value: object) -> object:
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, dict):
        return {key: rounded(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [rounded(item) for item in value]
    return value


def test_central_opens_the_call_store_and_reports_the_url_names(tmp_path: Path, postgres_url: str):
    settings = CentralSettings.model_validate({"app": {"state_dir": str(tmp_path)}, "store": {"url": postgres_url}})
    store = open_call_store(settings)
    try:
        assert isinstance(store, PgCallStore)
        assert call_store_place(settings) == postgres_url
    finally:
        store.close()
    sqlite_settings = CentralSettings.model_validate({"app": {"state_dir": str(tmp_path)}})
    assert call_store_place(sqlite_settings) == tmp_path / "central.sqlite3"


def test_accounts_from_a_newer_program_are_refused_with_both_versions(postgres_url: str):
    AgentAccounts(postgres_url).close()
    with psycopg.connect(postgres_url, autocommit=True) as db:
        db.execute("UPDATE schema_versions SET version = 99 WHERE store = 'accounts'")

    with pytest.raises(
        AccountError, match=re.escape(f"accounts schema 99 is newer than this program's ({ACCOUNTS_SCHEMA})")
    ):
        AgentAccounts(postgres_url)


def test_central_keeps_accounts_where_the_url_says(tmp_path: Path, postgres_url: str):
    settings = CentralSettings.model_validate({"app": {"state_dir": str(tmp_path)}, "store": {"url": postgres_url}})
    assert accounts_path(settings) == postgres_url
    assert (
        accounts_path(CentralSettings.model_validate({"app": {"state_dir": str(tmp_path)}}))
        == tmp_path / "agents.sqlite3"
    )


@pytest.mark.parametrize(
    ("store", "open_store", "error"),
    [("device registry", DeviceRegistry, RegistryError), ("sessions", SessionFile, StoreError)],
)
def test_each_store_from_a_newer_program_is_refused_with_both_versions(
    postgres_url: str, store: str, open_store: Callable[[str], Any], error: type[Exception]
):
    open_store(postgres_url).close()
    with psycopg.connect(postgres_url, autocommit=True) as db:
        db.execute("UPDATE schema_versions SET version = 99 WHERE store = %s", (store,))

    with pytest.raises(error, match=re.escape(f"{store} schema 99 is newer than this program's (1)")):
        open_store(postgres_url)
