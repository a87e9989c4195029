"""The knowledge base as central's pages use it: a store, the search index over it, and the demand count
that each push feeds (so a suddenly popular answer raises a demand alert like a flight does)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from central.kb.article import Article, ArticleDraft
from central.kb.index import DEFAULT_LIMIT, ArticleIndex
from central.kb.store import ArticleStore

log = logging.getLogger(__name__)


def demand_topic(article_id: int) -> str:
    """The demand topic of an article's pushes."""
    return f"article:{article_id}"


class KnowledgeBase:
    """Articles kept in ``store`` and indexed in memory; ``count_demand`` is told of every push."""

    def __init__(
        self,
        store: ArticleStore,
        count_demand: Callable[[str], None] = lambda _topic: None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self._count_demand = count_demand
        self._clock = clock
        self.index = ArticleIndex()
        self._pushes: dict[int, int] = {}
        self.index.load(store.every_terms())
        for article in store.articles():
            self._pushes[article.id] = article.pushes

    def add(self, draft: ArticleDraft, by: str) -> Article:
        article, weights = self.store.add(draft, by, self._clock())
        self.index.put(article.id, weights)
        self._pushes[article.id] = 0
        log.info("knowledge base: article %d added by %s", article.id, by)
        return article

    def update(self, article_id: int, draft: ArticleDraft, by: str) -> Article | None:
        changed = self.store.update(article_id, draft, by, self._clock())
        if changed is None:
            return None
        article, weights = changed
        self.index.put(article.id, weights)
        log.info("knowledge base: article %d changed by %s", article.id, by)
        return article

    def delete(self, article_id: int, by: str) -> bool:
        if not self.store.delete(article_id):
            return False
        self.index.drop(article_id)
        self._pushes.pop(article_id, None)
        log.info("knowledge base: article %d deleted by %s", article_id, by)
        return True

    def now(self) -> float:
        """The knowledge base's clock (the reports judge "today" by it)."""
        return self._clock()

    def search(self, query: str, limit: int = DEFAULT_LIMIT) -> list[Article]:
        hits = self.index.search(query, limit, popularity=lambda article_id: self._pushes.get(article_id, 0))
        return self.store.some([hit.article_id for hit in hits])

    def pushed(self, article_id: int, by: str = "") -> int | None:
        """Agent ``by`` pushed the article: counted and logged in the store (the reports count the log) and
        counted as demand; None for an unknown article."""
        count = self.store.count_push(article_id, by, self._clock())
        if count is None:
            return None
        self._pushes[article_id] = count
        self._count_demand(demand_topic(article_id))
        return count
