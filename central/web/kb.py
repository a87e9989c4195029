"""The knowledge base on central's pages: ``/kb`` (the supervisors' editing page), its API, the agents'
search as they type, and the count of each push.

- ``GET /api/kb/articles[?q=]``, ``POST /api/kb/articles``, ``POST /api/kb/articles/{id}``,
  ``POST /api/kb/articles/{id}/delete``: supervisors (and admins);
- ``GET /api/kb/search?q=`` and ``POST /api/kb/articles/{id}/pushed``: agents and supervisors.

Changes are guarded against other sites as the alert acknowledgement is: a foreign ``Origin`` is refused
and only a JSON body is taken (a form on another site cannot send one without the browser asking first);
the session cookie is SameSite=Strict. Bad input gets a 400 naming the field and why, and changes nothing.
"""

from __future__ import annotations

import json
import re

from aiohttp import web

from central.accounts import Role
from central.kb import ArticleDraft, ArticleInvalid, KnowledgeBase
from central.web.access import require
from central.web.agent import same_origin
from central.web.pages import add_page

KB_KEY = web.AppKey("knowledge_base", KnowledgeBase)
MAX_ARTICLE_BYTES = 64 * 1024  # the fields' own limits add up to about 40 KB of UTF-8
MAX_QUERY_CHARS = 200
SEARCH_LIMIT = 10
ARTICLE_ID = re.compile(r"^[0-9]{1,12}$")
EDITORS = (Role.SUPERVISOR.value,)  # an admin holds every role (see central.web.access.viewer)
READERS = (Role.AGENT.value, Role.SUPERVISOR.value)


def add_kb_routes(app: web.Application, kb: KnowledgeBase) -> None:
    app[KB_KEY] = kb
    add_page(app, "/kb", "kb.html")
    app.router.add_get("/api/kb/articles", article_list)
    app.router.add_post("/api/kb/articles", create)
    app.router.add_post("/api/kb/articles/{id}", update)
    app.router.add_post("/api/kb/articles/{id}/delete", delete)
    app.router.add_post("/api/kb/articles/{id}/pushed", pushed)
    app.router.add_get("/api/kb/search", search)
    from central.web.kb_report import add_kb_report_routes  # it imports this module's KB_KEY

    add_kb_report_routes(app)


def _error(status: int, error: str, message: str, field: str | None = None) -> web.Response:
    body: dict[str, str] = {"error": error, "message": message}
    if field is not None:
        body["field"] = field
    return web.json_response(body, status=status)


def _query(request: web.Request) -> str | web.Response:
    query = request.query.get("q", "")
    if len(query) > MAX_QUERY_CHARS:
        return _error(400, "query_too_long", f"A search may have at most {MAX_QUERY_CHARS} characters.")
    return query


def _article_id(request: web.Request) -> int | None:
    text = request.match_info["id"]
    return int(text) if ARTICLE_ID.fullmatch(text) else None


async def article_list(request: web.Request) -> web.StreamResponse:
    """Every article (newest change first), or those matching ``q`` (best first)."""
    require(request, *EDITORS)
    query = _query(request)
    if isinstance(query, web.Response):
        return query
    kb = request.app[KB_KEY]
    if query.strip():
        articles = kb.search(query, limit=200)
    else:
        articles = sorted(kb.store.articles(), key=lambda article: -article.updated_at)
    return web.json_response({"articles": [article.as_json() for article in articles]})


async def search(request: web.Request) -> web.StreamResponse:
    """``GET /api/kb/search?q=``: the best few articles for what the agent typed so far."""
    require(request, *READERS)
    query = _query(request)
    if isinstance(query, web.Response):
        return query
    articles = request.app[KB_KEY].search(query, limit=SEARCH_LIMIT) if query.strip() else []
    return web.json_response({"q": query, "articles": [article.as_json() for article in articles]})


async def create(request: web.Request) -> web.StreamResponse:
    who = require(request, *EDITORS)
    draft = await _draft(request)
    if isinstance(draft, web.Response):
        return draft
    article = request.app[KB_KEY].add(draft, who.name)
    return web.json_response(article.as_json(), status=201)


async def update(request: web.Request) -> web.StreamResponse:
    who = require(request, *EDITORS)
    article_id = _article_id(request)
    draft = await _draft(request)
    if isinstance(draft, web.Response):
        return draft
    article = request.app[KB_KEY].update(article_id, draft, who.name) if article_id is not None else None
    if article is None:
        return _error(404, "unknown_article", "There is no such article (it may have been deleted).")
    return web.json_response(article.as_json())


async def delete(request: web.Request) -> web.StreamResponse:
    who = require(request, *EDITORS)
    _check_change(request)
    article_id = _article_id(request)
    if article_id is None or not request.app[KB_KEY].delete(article_id, who.name):
        return _error(404, "unknown_article", "There is no such article (it may have been deleted).")
    return web.json_response({"ok": True})


async def pushed(request: web.Request) -> web.StreamResponse:
    """``POST /api/kb/articles/{id}/pushed``: the console sent the article to a kiosk; counts it."""
    who = require(request, *READERS)
    _check_change(request)
    article_id = _article_id(request)
    count = request.app[KB_KEY].pushed(article_id, who.name) if article_id is not None else None
    if count is None:
        return _error(404, "unknown_article", "There is no such article (it may have been deleted).")
    return web.json_response({"id": article_id, "kb_pushes": count})


def _check_change(request: web.Request) -> None:
    if not same_origin(request, required=False):
        raise web.HTTPForbidden(text="cross-origin request refused")
    if request.content_type != "application/json":
        raise web.HTTPUnsupportedMediaType(text="send JSON")


async def _draft(request: web.Request) -> ArticleDraft | web.Response:
    _check_change(request)
    if request.content_length is not None and request.content_length > MAX_ARTICLE_BYTES:
        return _error(413, "too_large", f"An article may take at most {MAX_ARTICLE_BYTES // 1024} KB.")
    raw = await request.content.read(MAX_ARTICLE_BYTES + 1)
    if len(raw) > MAX_ARTICLE_BYTES:
        return _error(413, "too_large", f"An article may take at most {MAX_ARTICLE_BYTES // 1024} KB.")
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):
        return _error(400, "bad_json", "The article was not readable JSON.")
    try:
        return ArticleDraft.from_json(body)
    except ArticleInvalid as invalid:
        return _error(400, "invalid", invalid.message, invalid.field)
