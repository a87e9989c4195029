"""The knowledge base's store and search: pinyin in full and by initials finds Chinese articles, English
words and tags find theirs, titles rank above tags above bodies, hostile text is kept as text, and a
draft with a bad field is refused with the field named."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from central.kb import ArticleInvalid, KnowledgeBase, PgArticleStore, SqliteArticleStore, open_article_store
from central.kb.article import MAX_BODY_CHARS, MAX_TAGS, ArticleDraft, draft
from central.kb.store import SCHEMA_VERSION, KbStoreError
from central.kb.terms import query_terms


@pytest.fixture(params=["sqlite", "postgres"])
def place(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    """Where the articles are kept: a SQLite file, or a new PostgreSQL database (the session's server)."""
    if request.param == "sqlite":
        return tmp_path / "kb.sqlite3"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def kb(tmp_path: Path) -> Iterator[KnowledgeBase]:
    """On SQLite: what the search finds is the in-memory index's work, the same whatever the store."""
    store = open_article_store(tmp_path / "kb.sqlite3")
    yield KnowledgeBase(store)
    store.close()


@pytest.fixture
def any_kb(place: Path | str) -> Iterator[KnowledgeBase]:
    """On either store: for what reads the store back (hits in rank order, push counts, text as it went in)."""
    store = open_article_store(place)
    yield KnowledgeBase(store)
    store.close()


def ids(kb: KnowledgeBase, query: str) -> list[int]:
    return [article.id for article in kb.search(query)]


def test_pinyin_in_full_and_by_initials_finds_the_beijing_article(kb: KnowledgeBase) -> None:
    beijing = kb.add(draft(title_zh="北京航班的行李寄存", body_zh="在三号柜台办理。"), "sun").id
    kb.add(draft(title_zh="南京航班", body_zh="登机口变更"), "sun")
    for typed in ("bei", "beij", "beijing", "bj", "bjhb", "BeiJing", "xingli", "xl", "jicun", "北京", "行李"):
        assert ids(kb, typed) == [beijing], typed
    assert ids(kb, "nanjing") != [beijing]
    assert ids(kb, "jing") == sorted(ids(kb, "jing"))  # both hold 京: the older first when scores tie
    assert len(ids(kb, "jing")) == 2


def test_pinyin_follows_phrases_so_chongqing_is_not_zhongqing(kb: KnowledgeBase) -> None:
    article = kb.add(draft(title_zh="重庆的转机", title_en="Connections to Chongqing"), "sun").id
    assert ids(kb, "cq") == [article]
    assert ids(kb, "zhongqing") == []


def test_english_words_and_tags_find_articles_and_every_word_must_match(kb: KnowledgeBase) -> None:
    wheelchair = kb.add(draft(title_en="Wheelchair assistance", tags=["PRM", "轮椅"]), "sun").id
    lost = kb.add(draft(title_en="Lost property", body_en="The lost and found desk is by gate 12."), "sun").id
    assert ids(kb, "wheel") == [wheelchair]
    assert ids(kb, "prm") == [wheelchair]
    assert ids(kb, "lunyi") == [wheelchair]
    assert ids(kb, "lost gate") == [lost]
    assert ids(kb, "lost wheel") == []
    assert ids(kb, "   ") == []
    assert ids(kb, "ｗｈｅｅｌ") == [wheelchair]  # full-width letters from a Chinese input method


def test_a_match_in_the_title_ranks_above_tags_above_the_body_and_whole_words_above_prefixes(
    any_kb: KnowledgeBase,
) -> None:
    in_body = any_kb.add(draft(title_en="Prayer rooms", body_en="Near the taxi rank."), "sun").id
    in_tags = any_kb.add(draft(title_en="Ground transport", tags=["taxi"]), "sun").id
    in_title = any_kb.add(draft(title_en="Taxi fares"), "sun").id
    assert ids(any_kb, "taxi") == [in_title, in_tags, in_body]
    whole = any_kb.add(draft(title_en="Bus to town"), "sun").id
    prefix = any_kb.add(draft(title_en="Business lounge"), "sun").id
    assert ids(any_kb, "bus")[:2] == [whole, prefix]


def test_equal_scores_go_to_the_article_pushed_more_often(any_kb: KnowledgeBase) -> None:
    first = any_kb.add(draft(title_en="Parking"), "sun").id
    second = any_kb.add(draft(title_en="Parking"), "sun").id
    assert ids(any_kb, "park") == [first, second]
    assert any_kb.pushed(second) == 1
    assert ids(any_kb, "park") == [second, first]


def test_changes_and_deletions_show_in_the_next_search_and_survive_a_restart(place: Path | str) -> None:
    path = place
    counted: list[str] = []
    store = open_article_store(path)
    kb = KnowledgeBase(store, counted.append)
    kept = kb.add(draft(title_en="Smoking rooms"), "sun").id
    gone = kb.add(draft(title_en="Old article"), "sun").id
    assert kb.update(kept, draft(title_zh="吸烟室", title_en="Smoking rooms"), "li") is not None
    assert kb.update(9999, draft(title_en="x"), "li") is None
    assert kb.delete(gone, "li") and not kb.delete(gone, "li")
    assert kb.pushed(kept) == 1 and kb.pushed(gone) is None
    assert counted == [f"article:{kept}"]
    store.close()

    store = open_article_store(path)
    again = KnowledgeBase(store)
    assert ids(again, "xys") == [kept]
    assert ids(again, "old") == []
    article = store.get(kept)
    assert article is not None and article.pushes == 1 and article.updated_by == "li"
    store.close()


def test_a_store_written_by_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "kb.sqlite3"
    SqliteArticleStore(path).close()
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 99")
    with pytest.raises(KbStoreError, match="newer"):
        SqliteArticleStore(path)


def test_a_postgresql_store_from_a_newer_version_is_refused_with_both_versions(postgres_url: str) -> None:
    PgArticleStore(postgres_url).close()
    with psycopg.connect(postgres_url, autocommit=True) as db:
        db.execute("UPDATE schema_versions SET version = 99 WHERE store = 'knowledge base'")
    newer = re.escape(f"knowledge base schema 99 is newer than this program's ({SCHEMA_VERSION})")
    with pytest.raises(KbStoreError, match=newer):
        PgArticleStore(postgres_url)


def test_hostile_text_is_kept_and_found_as_text(any_kb: KnowledgeBase) -> None:
    hostile = '<img src=x onerror="alert(1)"> Robert\'); DROP TABLE articles;-- %_ \\'
    article = any_kb.add(draft(title_en=hostile, body_en="<script>alert(1)</script>"), "sun")
    assert article.fields.title_en == hostile
    assert ids(any_kb, "drop table") == [article.id]
    assert ids(any_kb, "%") == [] and ids(any_kb, "'") == []
    assert ids(any_kb, "script") == [article.id]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title_en": ""}, "title_en"),
        ({"title_en": "x", "url": "javascript:alert(1)"}, "url"),
        ({"title_en": "x", "url": "data:text/html,hi"}, "url"),
        ({"title_en": "x", "url": "https://"}, "url"),
        ({"title_en": "x", "url": "ftp://example.org/"}, "url"),
        ({"title_en": "x", "body_zh": "长" * (MAX_BODY_CHARS + 1)}, "body_zh"),
        ({"title_en": "x" * 201}, "title_en"),
        ({"title_en": "x", "tags": [f"t{n}" for n in range(MAX_TAGS + 1)]}, "tags"),
        ({"title_en": "x", "tags": [3]}, "tags"),
        ({"title_en": "x", "flight": "<b>"}, "flight"),
        ({"title_en": 5}, "title_en"),
        ({"title_en": "x", "colour": "red"}, "colour"),
    ],
)
def test_a_bad_field_is_refused_with_its_name(fields: dict[str, object], field: str) -> None:
    with pytest.raises(ArticleInvalid) as refused:
        ArticleDraft.from_json(fields)
    assert refused.value.field == field


def test_drafts_are_tidied() -> None:
    tidy = draft(title_en="  Gate \x00 changes \n", tags="a, b ,A,,", flight="hu 7181", url="HTTPS://example.org/x")
    assert tidy.title_en == "Gate changes"
    assert tidy.tags == ("a", "b")
    assert tidy.flight == "HU7181"
    assert tidy.url == "HTTPS://example.org/x"


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=60))
def test_any_query_is_answered_without_error(query: str) -> None:
    store = SqliteArticleStore(":memory:")
    kb = KnowledgeBase(store)
    kb.add(draft(title_zh="北京", title_en="Beijing"), "sun")
    assert len(kb.search(query)) <= 1
    assert len(query_terms(query)) <= 8
    store.close()


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), min_size=1, max_size=12))
def test_any_chinese_title_is_found_by_itself_and_by_its_start(title: str) -> None:
    store = SqliteArticleStore(":memory:")
    kb = KnowledgeBase(store)
    article = kb.add(draft(title_zh=title), "sun")
    assert [found.id for found in kb.search(title)] == [article.id]
    assert [found.id for found in kb.search(title[:1])] == [article.id]
    store.close()


def test_a_first_keystroke_finds_what_a_full_look_at_the_terms_finds_also_after_changes() -> None:
    store = SqliteArticleStore(":memory:")
    kb = KnowledgeBase(store)
    kept = [kb.add(draft(title_zh=title, tags=["bus", "b"]), "sun").id for title in ("北京", "巴士", "包裹", "白云")]
    kb.delete(kept[1], "sun")
    kb.update(kept[2], draft(title_en="Parcel"), "sun")
    index = kb.index
    for first in {term[0] for term in index._sorted}:
        expected: dict[int, int] = {}
        for term in index._sorted:
            if term.startswith(first):
                for article, weight in index._postings[term].items():
                    score = weight * (3 if term == first else 2)
                    expected[article] = max(expected.get(article, 0), score)
        assert index._matches(first) == expected, first
    assert {article.id for article in kb.search("b")} == {kept[0], kept[3]}  # the deleted and the changed are gone
    store.close()


def test_articles_loaded_at_once_are_found_as_those_added_one_by_one() -> None:
    store = SqliteArticleStore(":memory:")
    one_by_one = KnowledgeBase(store)
    for title in ("北京", "巴士", "Bus to town", "Business lounge", "白云机场"):
        one_by_one.add(draft(title_zh=title if not title.isascii() else "", title_en=title), "sun")
    loaded = KnowledgeBase(store)
    for query in ("b", "bu", "bus", "bj", "baiyun", "by", "北", "x"):
        assert [a.id for a in loaded.search(query)] == [a.id for a in one_by_one.search(query)], query
    assert loaded.index._sorted == one_by_one.index._sorted
    store.close()
