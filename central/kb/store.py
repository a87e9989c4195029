"""Where articles are kept: the :class:`ArticleStore` interface and its SQLite implementation, a file in
central's state dir. A store computes an article's search terms when the article is saved and keeps them
beside it, so neither a query nor a restart of central computes pinyin again.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

from central.kb.article import Article, ArticleDraft
from central.kb.terms import weighed_terms
from central.records.database import create_schema, open_database

SCHEMA_VERSION = 1

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
_COLUMNS = "id, title_zh, title_en, body_zh, body_en, tags, url, map_text, flight, kb_pushes, updated_at, updated_by"


class KbStoreError(RuntimeError):
    """The store cannot be used (for example it was written by a newer version)."""


class ArticleStore(Protocol):
    """What the knowledge base needs of a store (SQLite here; PostgreSQL may follow behind the same one)."""

    def add(self, draft: ArticleDraft, by: str, now: float) -> tuple[Article, dict[str, int]]: ...

    def update(
        self, article_id: int, draft: ArticleDraft, by: str, now: float
    ) -> tuple[Article, dict[str, int]] | None: ...

    def delete(self, article_id: int) -> bool: ...

    def get(self, article_id: int) -> Article | None: ...

    def articles(self) -> list[Article]: ...

    def every_terms(self) -> Iterator[tuple[int, dict[str, int]]]: ...

    def count_push(self, article_id: int) -> int | None: ...

    def close(self) -> None: ...


def article_terms(draft: ArticleDraft) -> dict[str, int]:
    return weighed_terms(
        [draft.title_zh, draft.title_en], list(draft.tags), [draft.body_zh, draft.body_en, draft.map_text]
    )


class SqliteArticleStore:
    """Articles in one table of a SQLite file (WAL, autocommit); the schema version is ``PRAGMA user_version``."""

    def __init__(self, path: Path | str) -> None:
        self._db = open_database(
            path, lambda db: create_schema(db, _SCHEMA, SCHEMA_VERSION, "knowledge base", KbStoreError)
        )

    def add(self, draft: ArticleDraft, by: str, now: float) -> tuple[Article, dict[str, int]]:
        weights = article_terms(draft)
        cursor = self._db.execute(
            "INSERT INTO articles (title_zh, title_en, body_zh, body_en, tags, url, map_text, flight, updated_at,"
            " updated_by, terms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (*_values(draft), now, by, json.dumps(weights, ensure_ascii=False)),
        )
        article_id = int(cursor.lastrowid or 0)
        return Article(article_id, draft, 0, now, by), weights

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

    def articles(self) -> list[Article]:
        return [_article(row) for row in self._db.execute(f"SELECT {_COLUMNS} FROM articles ORDER BY id")]  # noqa: S608

    def every_terms(self) -> Iterator[tuple[int, dict[str, int]]]:
        for article_id, text in self._db.execute("SELECT id, terms FROM articles"):
            yield int(article_id), json.loads(text)

    def count_push(self, article_id: int) -> int | None:
        """One more push of the article; its new count, or None when there is no such article."""
        row = self._db.execute(
            "UPDATE articles SET kb_pushes = kb_pushes + 1 WHERE id = ? RETURNING kb_pushes", (article_id,)
        ).fetchone()
        return int(row[0]) if row is not None else None

    def close(self) -> None:
        self._db.close()


def _values(draft: ArticleDraft) -> tuple[Any, ...]:
    tags = json.dumps(list(draft.tags), ensure_ascii=False)
    return (draft.title_zh, draft.title_en, draft.body_zh, draft.body_en, tags, draft.url, draft.map_text, draft.flight)


def _article(row: tuple[Any, ...]) -> Article:
    (article_id, title_zh, title_en, body_zh, body_en, tags, url, map_text, flight, pushes, at, by) = row
    fields = ArticleDraft(title_zh, title_en, body_zh, body_en, tuple(json.loads(tags)), url, map_text, flight)
    return Article(int(article_id), fields, int(pushes), float(at), str(by))
