"""Knowledge-base pushes in the reports: every push is logged (article, time, agent) beside the all-time
counter; a version 1 file gains the log and keeps its counts; the per-period figures are counted in SQL and
match a count made here from the pushes themselves; the JSON and CSV are for supervisors and admins only,
and the CSV keeps a title like ``=HYPERLINK(…)`` as text."""

from __future__ import annotations

import csv
import io
import random
import sqlite3
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from central.kb import KnowledgeBase, SqliteArticleStore, open_article_store
from central.kb.article import draft
from central.kb.store import SCHEMA_VERSION, KbStoreError
from central.reports.cases import CaseRange
from central.reports.kb import kb_report, kb_report_csv
from tests.unit.test_kb_web import Site, cheap_scrypt  # noqa: F401 (the fixture keeps sign-in cheap)

UTC = ZoneInfo("UTC")
AGENTS = ("chen", "li", "wu")

# the articles table as schema version 1 wrote it (before the push log)
VERSION_1 = """
CREATE TABLE articles (
    id INTEGER PRIMARY KEY AUTOINCREMENT, title_zh TEXT NOT NULL, title_en TEXT NOT NULL, body_zh TEXT NOT NULL,
    body_en TEXT NOT NULL, tags TEXT NOT NULL, url TEXT NOT NULL, map_text TEXT NOT NULL, flight TEXT NOT NULL,
    kb_pushes INTEGER NOT NULL DEFAULT 0, updated_at REAL NOT NULL, updated_by TEXT NOT NULL, terms TEXT NOT NULL
);
INSERT INTO articles VALUES (7, '行李', 'Luggage', '', '', '[]', '', '', '', 12, 1000.0, 'sun', '{"luggage": 3}');
PRAGMA user_version = 1;
"""


def _article(title: str) -> object:
    return draft(title_zh=f"{title}（中文）", title_en=title)


def test_a_version_1_file_gains_the_push_log_and_keeps_its_counts(tmp_path: Path) -> None:
    path = tmp_path / "kb.sqlite3"
    with sqlite3.connect(path) as old:
        old.executescript(VERSION_1)
    store = SqliteArticleStore(path)
    try:
        (article,) = store.articles()
        assert (article.id, article.pushes) == (7, 12)  # the all-time count survives
        assert store.pushes_between(0, 1e12) == []  # earlier pushes had no time: nothing to report
        assert store.count_push(7, "chen", 5000.0) == 13
        (pushed,) = store.pushes_between(4000.0, 6000.0)
        assert (pushed.article_id, pushed.title_en, pushed.pushes, pushed.top_agent) == (7, "Luggage", 1, "chen")
    finally:
        store.close()
    with sqlite3.connect(path) as again:
        assert again.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)


def test_a_file_from_a_newer_program_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "kb.sqlite3"
    with sqlite3.connect(path) as newer:
        newer.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(KbStoreError, match="newer"):
        SqliteArticleStore(path)


@pytest.fixture(params=["sqlite", "postgres"])
def place(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    if request.param == "sqlite":
        return tmp_path / "kb.sqlite3"
    return str(request.getfixturevalue("postgres_url"))


def test_an_unknown_article_is_neither_counted_nor_logged(place: Path | str) -> None:
    store = open_article_store(place)
    try:
        assert store.count_push(99, "chen", 1000.0) is None
        assert store.pushes_between(0, 1e12) == []
    finally:
        store.close()


def test_the_pushes_of_a_period_are_counted_as_the_pushes_themselves_say(place: Path | str) -> None:
    clock = [0.0]
    store = open_article_store(place)
    kb = KnowledgeBase(store, clock=lambda: clock[0])
    try:
        ids = [kb.add(_article(f"Article {n}"), "sun").id for n in range(6)]  # type: ignore[arg-type]
        start = datetime(2026, 3, 1, tzinfo=UTC).timestamp()
        made: list[tuple[int, float, str]] = []
        chance = random.Random(14)
        for _ in range(150):  # over five days, more of the first articles
            clock[0] = start + chance.uniform(0, 5 * 86400)
            article = ids[min(int(chance.expovariate(0.6)), len(ids) - 1)]
            agent = chance.choice(AGENTS)
            assert kb.pushed(article, agent) is not None
            made.append((article, clock[0], agent))
        kb.delete(ids[-1], "sun")  # a deleted article's pushes still count, without a title
        asked = CaseRange(date(2026, 3, 2), date(2026, 3, 3))
        first, end = asked.span(UTC)
        report = kb_report(store.pushes_between(first, end), asked)

        within = [(a, who) for a, at, who in made if first <= at < end]
        counted = Counter(a for a, _ in within)
        assert {row["article_id"]: row["pushes"] for row in report["rows"]} == dict(counted)
        assert report["total"]["pushes"] == len(within)
        assert [row["pushes"] for row in report["rows"]] == sorted(counted.values(), reverse=True)
        assert sum(row["share"] for row in report["rows"]) == pytest.approx(1.0)
        for row in report["rows"]:
            by_agent = Counter(who for a, who in within if a == row["article_id"])
            most = max(by_agent.values())
            assert row["top_agent_pushes"] == most
            assert row["top_agent"] == min(who for who, n in by_agent.items() if n == most)
            title = "" if row["article_id"] == ids[-1] else f"Article {ids.index(row['article_id'])}"
            assert row["title_en"] == title
        # the all-time counter still counts every push
        assert sum(a.pushes for a in store.articles()) == sum(1 for a, _, _ in made if a != ids[-1])
    finally:
        store.close()


def test_the_csv_keeps_formula_like_titles_as_text() -> None:
    from central.kb.store import PushedArticle

    rows = [PushedArticle(3, "=HYPERLINK(1)", "+sum", 3, "@chen", 2), PushedArticle(4, "行李", "Luggage", 1, "li", 1)]
    report = kb_report(rows, CaseRange(date(2026, 3, 1), date(2026, 3, 1)))
    lines = list(csv.reader(io.StringIO(kb_report_csv(report))))
    assert lines[0] == ["article_id", "title_zh", "title_en", "pushes", "share", "top_agent", "top_agent_pushes"]
    assert lines[1] == ["3", "'=HYPERLINK(1)", "'+sum", "3", "0.7500", "'@chen", "2"]
    assert lines[2] == ["4", "行李", "Luggage", "1", "0.2500", "li", "1"]
    assert lines[3][:4] == ["total", "", "", "4"]


REPORTS = {None: 401, "chen": 403, "fang": 403, "sun": 200, "root": 200}


@pytest.mark.parametrize("who", list(REPORTS))
async def test_supervisors_and_admins_read_the_push_report_as_json_and_csv(tmp_path: Path, who: str | None) -> None:
    site = Site(tmp_path)
    await site.server.start_server()
    try:
        article = site.kb.add(_article('=HYPERLINK("x")'), "sun")  # type: ignore[arg-type]
        async with site.browser("chen") as agent:
            for _ in range(2):
                assert (await agent.post(f"/api/kb/articles/{article.id}/pushed", json={})).status == 200
        today = datetime.now(UTC).date()
        days = {"from": (today - timedelta(days=1)).isoformat(), "to": today.isoformat()}
        async with site.browser(who) as browser:
            answer = await browser.get("/api/reports/kb", params=days)
            assert answer.status == REPORTS[who]
            download = await browser.get("/api/reports/kb.csv", params=days)
            assert download.status == REPORTS[who]
            if REPORTS[who] != 200:
                return
            report = await answer.json()
            assert report["total"] == {"pushes": 2, "articles": 1}
            (row,) = report["rows"]
            assert (row["article_id"], row["pushes"], row["share"], row["top_agent"]) == (article.id, 2, 1.0, "chen")
            assert row["title_en"] == '=HYPERLINK("x")'  # JSON as typed: the page shows it as text
            assert download.headers["Content-Disposition"].startswith('attachment; filename="kb-pushes-')
            lines = list(csv.reader(io.StringIO(await download.text())))
            assert lines[1][2] == '\'=HYPERLINK("x")' and lines[1][3] == "2"
            reversed_days = await browser.get("/api/reports/kb", params={"from": days["to"], "to": days["from"]})
            assert reversed_days.status == 400 and "swap" in (await reversed_days.json())["detail"]
    finally:
        await site.server.close()
        site.accounts.close()
        site.store.close()


def test_the_push_table_speaks_chinese_and_english_with_the_same_keys_and_placeholders() -> None:
    import re

    from tests.unit.test_case_form_texts import catalogue

    texts = catalogue("reports-kb.js")
    assert set(texts) == {"en", "zh-CN"} and set(texts["en"]) == set(texts["zh-CN"])
    for key, english in texts["en"].items():
        assert set(re.findall(r"\{(\w+)\}", english)) == set(re.findall(r"\{(\w+)\}", texts["zh-CN"][key])), key
