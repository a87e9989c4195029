"""Where articles are kept: the :class:`ArticleStore` interface, its SQLite implementation (a file in
central's state dir) and its PostgreSQL one (``[store] url``), the same SQL on both. A store computes an
article's search terms when the article is saved and keeps them beside it, so neither a query nor a restart
of central computes pinyin again.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from central.kb.article import Article, ArticleDraft
from central.kb.terms import weighed_terms
from central.records.database import open_database, stored_version
from central.records.portable import Connection, PgConnection, open_postgres, pg_schema, postgres_url
from central.records.sqlite import StoreError

SCHEMA_VERSION = 2  # 2: the push log beside the all-time counter

_SCHEMA = """
CREATE TABLE articles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title_zh TEXT NOT NULL,
    title_en TEXT NOT NULL,
    body_zh TEXT NOT NULL,
    body_en TEXT NOT NULL,
    tags TEXT NOT NULL,          -- a JSON list of strings
    url TEXT NOT NULL,
    map_text TEXT NOT NULL,
    flight TEXT NOT NULL,
    kb_pushes INTEGER NOT NULL DEFAULT 0,
    updated_at REAL NOT NULL,
    updated_by TEXT NOT NULL,
    terms TEXT NOT NULL          -- a JSON object: search term -> weight of the best field holding it
);
"""
# Every push, kept after its article is deleted (the reports of past days still count it); the all-time
# counter kb_pushes stays, as the search's popularity reads it without a scan of the log.
_PUSH_LOG = """
CREATE TABLE kb_push_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id INTEGER NOT NULL,
    pushed_at REAL NOT NULL,
    agent_id TEXT NOT NULL
);
CREATE INDEX kb_push_log_by_time ON kb_push_log (pushed_at);
"""
_COLUMNS = "id, title_zh, title_en, body_zh, body_en, tags, url, map_text, flight, kb_pushes, updated_at, updated_by"


class KbStoreError(StoreError):
    """The store cannot be used (for example it was written by a newer version): central does not start."""


@dataclass(frozen=True)
class PushedArticle:
    """How often one article was pushed over a span of time, and who pushed it most."""

    article_id: int
    title_zh: str  # empty when the article has been deleted since
    title_en: str
    pushes: int
    top_agent: str  # the agent with the most of these pushes (ties: the first by id)
    top_agent_pushes: int


def _migrate(db: sqlite3.Connection) -> None:
    """A new file gets every table; a version 1 file gets the push log (its earlier pushes were only counted)."""
    version = stored_version(db, SCHEMA_VERSION, "knowledge base", KbStoreError)
    if version == SCHEMA_VERSION:
        return
    tables = (_SCHEMA if version == 0 else "") + _PUSH_LOG
    db.executescript(f"BEGIN; {tables} PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;")


class ArticleStore(Protocol):
    """What the knowledge base needs of a store (a SQLite file or a PostgreSQL database)."""

    def add(self, draft: ArticleDraft, by: str, now: float) -> tuple[Article, dict[str, int]]: ...

    def update(
        self, article_id: int, draft: ArticleDraft, by: str, now: float
    ) -> tuple[Article, dict[str, int]] | None: ...

    def delete(self, article_id: int) -> bool: ...

    def get(self, article_id: int) -> Article | None: ...

    def some(self, article_ids: Sequence[int]) -> list[Article]: ...

    def articles(self) -> list[Article]: ...

    def every_terms(self) -> Iterator[tuple[int, dict[str, int]]]: ...

    def count_push(self, article_id: int, by: str, now: float) -> int | None: ...

    def pushes_between(self, start: float, end: float) -> list[PushedArticle]: ...

    def close(self) -> None: ...


def article_terms(draft: ArticleDraft) -> dict[str, int]:
    return weighed_terms(
        [draft.title_zh, draft.title_en], list(draft.tags), [draft.body_zh, draft.body_en, draft.map_text]
    )


class SqliteArticleStore:
    """Articles in one table of a SQLite file (WAL, autocommit); the schema version is ``PRAGMA user_version``."""

    def __init__(self, path: Path | str) -> None:
        self._db: Connection = open_database(path, _migrate)

    def add(self, draft: ArticleDraft, by: str, now: float) -> tuple[Article, dict[str, int]]:
        weights = article_terms(draft)
        (article_id,) = self._db.execute(
            "INSERT INTO articles (title_zh, title_en, body_zh, body_en, tags, url, map_text, flight, updated_at,"
            " updated_by, terms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (*_values(draft), now, by, json.dumps(weights, ensure_ascii=False)),
        ).fetchone()
        return Article(int(article_id), draft, 0, now, by), weights

    def update(
        self, article_id: int, draft: ArticleDraft, by: str, now: float
    ) -> tuple[Article, dict[str, int]] | None:
        weights = article_terms(draft)
        row = self._db.execute(
            "UPDATE articles SET title_zh = ?, title_en = ?, body_zh = ?, body_en = ?, tags = ?, url = ?,"
            " map_text = ?, flight = ?, updated_at = ?, updated_by = ?, terms = ? WHERE id = ? RETURNING kb_pushes",
            (*_values(draft), now, by, json.dumps(weights, ensure_ascii=False), article_id),
        ).fetchone()
        if row is None:
            return None
        return Article(article_id, draft, int(row[0]), now, by), weights

    def delete(self, article_id: int) -> bool:
        return self._db.execute("DELETE FROM articles WHERE id = ?", (article_id,)).rowcount > 0

    def get(self, article_id: int) -> Article | None:
        row = self._db.execute(f"SELECT {_COLUMNS} FROM articles WHERE id = ?", (article_id,)).fetchone()  # noqa: S608 (our columns)
        return _article(row) if row is not None else None

    def some(self, article_ids: Sequence[int]) -> list[Article]:
        """The articles of these ids that exist, in the order asked (a search's hits): one query, so one round
        trip to a PostgreSQL server rather than one per hit."""
        if not article_ids:
            return []
        marks = ", ".join("?" for _ in article_ids)
        rows = self._db.execute(f"SELECT {_COLUMNS} FROM articles WHERE id IN ({marks})", tuple(article_ids))  # noqa: S608 (our columns, our marks)
        found = {article.id: article for article in map(_article, rows)}
        return [found[article_id] for article_id in article_ids if article_id in found]

    def articles(self) -> list[Article]:
        return [_article(row) for row in self._db.execute(f"SELECT {_COLUMNS} FROM articles ORDER BY id")]  # noqa: S608

    def every_terms(self) -> Iterator[tuple[int, dict[str, int]]]:
        for article_id, text in self._db.execute("SELECT id, terms FROM articles"):
            yield int(article_id), json.loads(text)

    def count_push(self, article_id: int, by: str, now: float) -> int | None:
        """One more push of the article by agent ``by`` at ``now``, counted and logged together; the new
        all-time count, or None (and nothing logged) when there is no such article."""
        self._db.execute("BEGIN")
        try:
            row = self._db.execute(
                "UPDATE articles SET kb_pushes = kb_pushes + 1 WHERE id = ? RETURNING kb_pushes", (article_id,)
            ).fetchone()
            if row is not None:
                self._db.execute(
                    "INSERT INTO kb_push_log (article_id, pushed_at, agent_id) VALUES (?, ?, ?)", (article_id, now, by)
                )
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")
        return int(row[0]) if row is not None else None

    def pushes_between(self, start: float, end: float) -> list[PushedArticle]:
        """Each article pushed in ``[start, end)``, the most pushed first (ties: by id), counted in SQL."""
        rows = self._db.execute(_PUSHES_BETWEEN, (start, end)).fetchall()
        return [
            PushedArticle(int(a), str(zh or ""), str(en or ""), int(n), str(agent), int(most))
            for a, zh, en, n, agent, most in rows
        ]

    def close(self) -> None:
        self._db.close()


_PUSHES_BETWEEN = """
WITH asked AS (
    SELECT article_id, agent_id FROM kb_push_log WHERE pushed_at >= ? AND pushed_at < ?
), per_agent AS (
    SELECT article_id, agent_id, COUNT(*) AS n,
           ROW_NUMBER() OVER (PARTITION BY article_id ORDER BY COUNT(*) DESC, agent_id) AS place
    FROM asked GROUP BY article_id, agent_id
)
SELECT p.article_id, a.title_zh, a.title_en, SUM(p.n) AS pushes,
       MAX(CASE WHEN p.place = 1 THEN p.agent_id END), MAX(CASE WHEN p.place = 1 THEN p.n END)
FROM per_agent p LEFT JOIN articles a ON a.id = p.article_id
GROUP BY p.article_id, a.title_zh, a.title_en ORDER BY pushes DESC, p.article_id
"""


def _values(draft: ArticleDraft) -> tuple[Any, ...]:
    tags = json.dumps(list(draft.tags), ensure_ascii=False)
    return (draft.title_zh, draft.title_en, draft.body_zh, draft.body_en, tags, draft.url, draft.map_text, draft.flight)


def _article(row: tuple[Any, ...]) -> Article:
    (article_id, title_zh, title_en, body_zh, body_en, tags, url, map_text, flight, pushes, at, by) = row
    fields = ArticleDraft(title_zh, title_en, body_zh, body_en, tuple(json.loads(tags)), url, map_text, flight)
    return Article(int(article_id), fields, int(pushes), float(at), str(by))


# PostgreSQL has no AUTOINCREMENT: an identity column, whose ids are never given again either
_IDENTITY = ("INTEGER PRIMARY KEY AUTOINCREMENT", "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY")
_PG_SCHEMA = pg_schema((_SCHEMA + _PUSH_LOG).replace(*_IDENTITY))


def _pg_steps(db: PgConnection, version: int) -> None:
    # Version 2 is the first kept in PostgreSQL: a new database gets all of it; a later version adds its step.
    if version == 0:
        db.execute(_PG_SCHEMA)


class PgArticleStore(SqliteArticleStore):
    """The same articles, tables and SQL in PostgreSQL (``[store] url``); the schema version in schema_versions."""

    def __init__(self, url: str) -> None:
        self._db = open_postgres(url, "knowledge base", SCHEMA_VERSION, _pg_steps, KbStoreError)


def open_article_store(place: Path | str) -> SqliteArticleStore:
    """The articles in the SQLite file at ``place``, or in the PostgreSQL database its URL names."""
    url = postgres_url(place)
    return PgArticleStore(url) if url is not None else SqliteArticleStore(place)
