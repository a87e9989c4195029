"""Cases in their SQLite file or in PostgreSQL: every field and the timeline come back as they went in,
across a reopening of the store; a store from a newer version is refused rather than misread."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import psycopg
import pytest

from central.cases import model
from central.cases.model import Category, Status
from central.cases.store import SCHEMA_VERSION, CaseStoreError, PgCaseStore, SqliteCaseStore, open_case_store

LOST = Category("lost_property", "lost_found", 3600, "Lost property", "遗失物品")


@pytest.fixture(params=["sqlite", "postgres"])
def place(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    if request.param == "sqlite":
        return tmp_path / "cases.sqlite3"
    return str(request.getfixturevalue("postgres_url"))


def test_a_case_and_its_timeline_survive_the_store_being_reopened(place: Path | str) -> None:
    path = place
    store = open_case_store(path)
    assert store.next_number() == 1
    case = model.open_case(1, "a" * 32, LOST, "chen", "红色行李箱 <b>", 10.0, ["call-1"], "+8613800138000")
    case = model.add_note(case, "chen", "asked gate 12", public=False, now=20.0)
    case = model.change_status(case, Status.CLOSED, "chen", 30.0)
    case = model.rate(case, 5, True, 40.0)
    store.save(case)
    other = model.open_case(2, "b" * 32, LOST, "li", "umbrella", 50.0)
    store.save(other)
    store.close()

    store = open_case_store(path)
    try:
        assert store.get(1) == case
        assert store.by_token("b" * 32) == other
        assert store.get(3) is None and store.by_token("c" * 32) is None
        assert store.next_number() == 3
        assert store.unfinished() == [other]
        assert store.opened_between(0, 20) == [case]
        assert store.with_phone_closed() == [case]
    finally:
        store.close()


def test_a_store_written_by_a_newer_version_is_refused(tmp_path) -> None:
    path = tmp_path / "cases.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 99")
    with pytest.raises(CaseStoreError, match="newer"):
        SqliteCaseStore(path)


def test_a_postgresql_store_from_a_newer_version_is_refused_with_both_versions(postgres_url: str) -> None:
    PgCaseStore(postgres_url).close()
    with psycopg.connect(postgres_url, autocommit=True) as db:
        db.execute("UPDATE schema_versions SET version = 99 WHERE store = 'case store'")
    with pytest.raises(CaseStoreError, match=re.escape(f"schema 99 is newer than this program's ({SCHEMA_VERSION})")):
        open_case_store(postgres_url)


def test_categories_come_from_the_settings_or_the_defaults_and_ids_differ() -> None:
    from pydantic import ValidationError

    from central.cases.settings import CasesSection

    assert [category.id for category in CasesSection().category_list()][:2] == ["lost_property", "damaged_bag"]
    mine = {"id": "pets", "department": "service", "limit_h": 2, "en": "Pets", "zh": "宠物"}
    section = CasesSection.model_validate({"categories": [mine]})
    assert [(c.id, c.limit_s) for c in section.category_list()] == [("pets", 7200.0)]
    with pytest.raises(ValidationError, match="given twice"):
        CasesSection.model_validate({"categories": [mine, mine]})
    with pytest.raises(ValidationError):
        CasesSection.model_validate({"categories": [{**mine, "department": "Pets & Co"}]})
