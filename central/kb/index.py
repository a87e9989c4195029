"""Search as the agent types: every term of the query must start one of an article's terms; an article
scores by where each term matched (title, then tags, then body) and whether it matched a whole term.

The index is kept in memory and changed per article (:meth:`ArticleIndex.put`, :meth:`ArticleIndex.drop`)
from terms the store computed once when the article was saved; a query only looks terms up. Terms are kept
sorted, so the terms a prefix starts are one range found by bisection.
"""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from central.kb.terms import query_terms

WHOLE_TERM = 3  # a whole-term match counts 3/2 of a prefix match (scores are kept in integers)
PREFIX = 2
DEFAULT_LIMIT = 20
_CACHED_TERMS = 256  # the per-term matches of the latest short terms: agents' typing repeats them


@dataclass(frozen=True, slots=True)
class Hit:
    """An article that matched, with its score (higher is better)."""

    article_id: int
    score: int


class ArticleIndex:
    """Terms to the articles holding them, each with the weight of the best field it is in."""

    def __init__(self) -> None:
        self._postings: dict[str, dict[int, int]] = {}
        self._sorted: list[str] = []
        self._of_article: dict[int, Mapping[str, int]] = {}
        self._cache: dict[str, dict[int, int]] = {}
        # a first keystroke's matches, kept per first character: the one term that starts most index terms
        self._by_first: dict[str, dict[int, int]] = {}

    def __len__(self) -> int:
        return len(self._of_article)

    def load(self, articles: Iterable[tuple[int, Mapping[str, int]]]) -> None:
        """Index many articles at once (central's start): the terms are sorted once, at the end."""
        for article_id, weights in articles:
            self.drop(article_id)
            self._of_article[article_id] = dict(weights)
            for term, weight in weights.items():
                self._postings.setdefault(term, {})[article_id] = weight
            for first, score in _first_characters(weights).items():
                self._by_first.setdefault(first, {})[article_id] = score
        self._sorted = sorted(self._postings)
        self._cache.clear()

    def put(self, article_id: int, weights: Mapping[str, int]) -> None:
        """Index (or index again) one article: ``weights`` maps each of its terms to its field's weight."""
        self.drop(article_id)
        self._of_article[article_id] = dict(weights)
        for term, weight in weights.items():
            postings = self._postings.get(term)
            if postings is None:
                postings = self._postings[term] = {}
                bisect.insort(self._sorted, term)
            postings[article_id] = weight
        for first, score in _first_characters(weights).items():
            self._by_first.setdefault(first, {})[article_id] = score
        self._cache.clear()

    def drop(self, article_id: int) -> None:
        weights = self._of_article.pop(article_id, None)
        if weights is None:
            return
        for term in weights:
            postings = self._postings[term]
            del postings[article_id]
            if not postings:
                del self._postings[term]
                del self._sorted[bisect.bisect_left(self._sorted, term)]
        for first in {term[0] for term in weights}:
            scores = self._by_first[first]
            del scores[article_id]
            if not scores:
                del self._by_first[first]
        self._cache.clear()

    def forget_recent_terms(self) -> None:
        """Empty the per-term cache: the next query gains nothing from the ones before (a benchmark's worst case)."""
        self._cache.clear()

    def search(
        self, query: str, limit: int = DEFAULT_LIMIT, popularity: Callable[[int], int] = lambda _id: 0
    ) -> list[Hit]:
        """The best ``limit`` articles for ``query``; equal scores go to the more often pushed, then the older."""
        scores: dict[int, int] | None = None
        for term in query_terms(query):
            matches = self._matches(term)
            if scores is None:
                scores = dict(matches)
            else:
                scores = {article: score + matches[article] for article, score in scores.items() if article in matches}
            if not scores:
                return []
        if not scores:
            return []
        best = heapq.nsmallest(limit, scores.items(), key=lambda item: (-item[1], -popularity(item[0]), item[0]))
        return [Hit(article_id, score) for article_id, score in best]

    def _matches(self, term: str) -> dict[int, int]:
        """Each article holding a term that ``term`` starts, with its best score for it."""
        if len(term) == 1:
            return self._by_first.get(term, {})
        cached = self._cache.get(term)
        if cached is not None:
            return cached
        found: dict[int, int] = {}
        start = bisect.bisect_left(self._sorted, term)
        end = bisect.bisect_left(self._sorted, term + "\U0010ffff", lo=start)
        for known in self._sorted[start:end]:
            factor = WHOLE_TERM if known == term else PREFIX
            for article, weight in self._postings[known].items():
                score = weight * factor
                if score > found.get(article, 0):
                    found[article] = score
        if len(self._cache) >= _CACHED_TERMS:
            self._cache.pop(next(iter(self._cache)))
        self._cache[term] = found
        return found


def _first_characters(weights: Mapping[str, int]) -> dict[str, int]:
    """An article's best score for each one-character query: what :meth:`ArticleIndex._matches` would find."""
    best: dict[str, int] = {}
    for term, weight in weights.items():
        score = weight * (WHOLE_TERM if len(term) == 1 else PREFIX)
        if score > best.get(term[0], 0):
            best[term[0]] = score
    return best
