"""The agents' knowledge base: articles in Chinese and English, kept in a store, searched as the agent types
(English words, Chinese characters, and pinyin in full or by initials), and pushed to the passenger's screen."""

from central.kb.article import Article, ArticleDraft, ArticleInvalid
from central.kb.base import KnowledgeBase
from central.kb.index import ArticleIndex, Hit
from central.kb.store import ArticleStore, PgArticleStore, SqliteArticleStore, open_article_store

__all__ = [
    "Article",
    "ArticleDraft",
    "ArticleIndex",
    "ArticleInvalid",
    "ArticleStore",
    "Hit",
    "KnowledgeBase",
    "PgArticleStore",
    "SqliteArticleStore",
    "open_article_store",
]
