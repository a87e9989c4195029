"""A PostgreSQL server that drops central's connections (restarted, failed over, a connection killed): each
store connects again at its next use and the write that found the connection gone still lands; work inside
a transaction begun before is not half repeated; a database that is gone is a store error naming the server."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
import pytest

from central.cases import model
from central.cases.model import Category
from central.cases.store import PgCaseStore
from central.kb import PgArticleStore
from central.kb.article import draft
from central.live_calls import PgLiveCalls
from central.records import StoreError
from central.records.pg_calls import PgCallStore
from central.records.portable import PgConnection
from central.records.postgres import Reconnecting
from central.reports.sample import sample_records
from tests.unit.test_live_call_store import TRANSFERRED

LOST = Category("lost_property", "lost_found", 3600, "Lost property", "遗失物品")


def drop_connections(url: str) -> int:
    """Ends every other connection to the test's database, as a server restart would; how many."""
    with psycopg.connect(url, autocommit=True) as db:
        rows = db.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
    return len(rows)


def call_records(url: str) -> tuple[Any, Callable[[Any], None], Callable[[Any], bool]]:
    store = PgCallStore(url)
    record = next(iter(sample_records(date(2026, 3, 1), 1, 1, ZoneInfo("UTC"))))
    return store, lambda s: s.save(record), lambda s: s.arrived_between(0, 1e12)[0].call_id == record.call_id


def live_calls(url: str) -> tuple[Any, Callable[[Any], None], Callable[[Any], bool]]:
    return PgLiveCalls(url), lambda s: s.write([TRANSFERRED], []), lambda s: s.load() == [TRANSFERRED]


def articles(url: str) -> tuple[Any, Callable[[Any], None], Callable[[Any], bool]]:
    fields = draft(title_en="Left luggage", title_zh="行李寄存")
    return (
        PgArticleStore(url),
        lambda s: s.add(fields, "sun", 10.0),
        lambda s: [a.fields for a in s.articles()] == [fields],
    )


def cases(url: str) -> tuple[Any, Callable[[Any], None], Callable[[Any], bool]]:
    case = model.open_case(1, "a" * 32, LOST, "chen", "red suitcase", 10.0)
    return PgCaseStore(url), lambda s: s.save(case), lambda s: s.get(1) == case


@pytest.mark.parametrize("open_store", [call_records, live_calls, articles, cases], ids=lambda f: f.__name__)
def test_a_write_after_the_server_dropped_the_connection_lands_on_a_new_one(
    postgres_url: str, open_store: Callable[[str], tuple[Any, Callable[[Any], None], Callable[[Any], bool]]],
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    store, write, written = open_store(postgres_url)
    try:
        assert drop_connections(postgres_url) == 1  # the store's one connection
        with caplog.at_level(logging.WARNING, logger="central.records.postgres"):
            write(store)
        assert written(store)
    finally:
        store.close()
    assert re.search(r"PostgreSQL at 127\.0\.0\.1:\d+: the connection was lost; connecting again", caplog.text)


def test_work_inside_a_transaction_begun_before_is_not_repeated_on_the_new_connection(postgres_url: str) -> None:
    db = PgConnection(Reconnecting(postgres_url, StoreError))
    try:
        db.execute("CREATE TABLE t (n INTEGER)")
        db.execute("BEGIN")
        db.execute("INSERT INTO t VALUES (1)")
        drop_connections(postgres_url)
        with pytest.raises(psycopg.OperationalError):
            db.execute("INSERT INTO t VALUES (2)")  # the 1 went with the old connection: no half transaction
        assert db.execute("SELECT n FROM t").fetchall() == []  # and the next statement has a new connection
    finally:
        db.close()


def test_a_database_gone_for_good_is_a_store_error_naming_the_server(postgres_url: str) -> None:
    store = PgLiveCalls(postgres_url)
    name = postgres_url.rsplit("/", 1)[1]
    try:
        with psycopg.connect(postgres_url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as db:
            db.execute(f"DROP DATABASE {name} WITH (FORCE)")
        with pytest.raises(StoreError, match=r"PostgreSQL at 127\.0\.0\.1:\d+ refused .*does not exist"):
            store.write([], [TRANSFERRED.call_id])
    finally:
        store.close()
