"""The knowledge base's API: supervisors (and admins) edit, agents search and count pushes, nobody else
sees anything; other sites cannot change articles; bad input gets a 400 naming the field, changes nothing."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientSession, CookieJar
from aiohttp.test_utils import TestServer

import central.accounts
from bus.topics import Topics
from central.accounts import AgentAccounts, Role
from central.fleet import FleetState
from central.kb import KnowledgeBase, SqliteArticleStore
from central.switchboard import MemoryCallStore, Switchboard, SwitchboardSettings
from central.web.agent import AgentDesk
from central.web.app import HANDLER_CANCELLATION, create_app
from central.web.kb import MAX_ARTICLE_BYTES
from central.web.live import FleetFeed

PASSWORD = "correct horse battery"
ACCOUNTS = {"chen": [Role.AGENT], "fang": [Role.FACILITIES], "sun": [Role.SUPERVISOR], "root": [Role.ADMIN]}
ARTICLE = {"title_zh": "北京航班行李", "title_en": "Luggage on Beijing flights", "tags": ["luggage"]}


@pytest.fixture(autouse=True)
def cheap_scrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(central.accounts, "SCRYPT_N", 2**8)


class Site:
    def __init__(self, tmp_path: Path) -> None:
        self.accounts = AgentAccounts(tmp_path / "agents.sqlite3")
        for agent_id, roles in ACCOUNTS.items():
            self.accounts.add(agent_id, agent_id.title(), ["zh"] if Role.AGENT in roles else [], PASSWORD, roles)
        self.store = SqliteArticleStore(tmp_path / "kb.sqlite3")
        self.demand: list[str] = []
        self.kb = KnowledgeBase(self.store, self.demand.append)
        switchboard = Switchboard(SwitchboardSettings(), time.time, MemoryCallStore())
        fleet = FleetFeed(FleetState(Topics("airport/HAK"), 120.0), "HAK", lambda: "online")
        app = create_app(fleet, AgentDesk(switchboard, self.accounts), kb=self.kb)
        self.server = TestServer(app, handler_cancellation=HANDLER_CANCELLATION)

    @asynccontextmanager
    async def browser(self, who: str | None) -> AsyncIterator[ClientSession]:
        """A browser of its own (its own cookies), signed in as ``who``."""
        base = str(self.server.make_url("/"))
        async with ClientSession(base_url=base, cookie_jar=CookieJar(unsafe=True)) as browser:
            if who is not None:
                answer = await browser.post("/api/agent/login", json={"agent_id": who, "password": PASSWORD})
                assert answer.status == 200
            yield browser


@pytest.fixture
async def site(tmp_path: Path) -> AsyncIterator[Site]:
    site = Site(tmp_path)
    await site.server.start_server()
    yield site
    await site.server.close()
    site.accounts.close()
    site.store.close()


EDIT = {None: 401, "chen": 403, "fang": 403, "sun": 201, "root": 201}
READ = {None: 401, "chen": 200, "fang": 403, "sun": 200, "root": 200}


@pytest.mark.parametrize("who", list(EDIT))
async def test_supervisors_edit_agents_search_and_nobody_else_sees_articles(site: Site, who: str | None) -> None:
    existing = site.kb.add(_draft(), "sun").id
    async with site.browser(who) as browser:
        created = await browser.post("/api/kb/articles", json=ARTICLE)
        assert created.status == EDIT[who]
        listing = await browser.get("/api/kb/articles")
        assert listing.status == (200 if EDIT[who] == 201 else EDIT[who])
        found = await browser.get("/api/kb/search", params={"q": "bj"})
        assert found.status == READ[who]
        if READ[who] == 200:
            titles = [article["title_zh"] for article in (await found.json())["articles"]]
            assert "北京航班行李" in titles
        pushed = await browser.post(f"/api/kb/articles/{existing}/pushed", json={})
        assert pushed.status == READ[who]
        page = await browser.get("/kb")
        assert page.status == 200  # the page carries no data
    assert site.demand == ([f"article:{existing}"] if READ[who] == 200 else [])


def _draft() -> Any:
    from central.kb.article import draft

    return draft(**ARTICLE)


async def test_a_supervisor_changes_and_deletes_an_article_and_an_agent_counts_a_push(site: Site) -> None:
    async with site.browser("sun") as browser:
        created = await (await browser.post("/api/kb/articles", json=ARTICLE)).json()
        article_id = created["id"]
        changed = await browser.post(f"/api/kb/articles/{article_id}", json={**ARTICLE, "url": "https://hak.example/l"})
        assert changed.status == 200 and (await changed.json())["url"] == "https://hak.example/l"
    async with site.browser("chen") as agent:
        counted = await agent.post(f"/api/kb/articles/{article_id}/pushed", json={"kind": "qr"})
        assert (await counted.json())["kb_pushes"] == 1
        assert (await agent.post(f"/api/kb/articles/{article_id}/delete", json={})).status == 403
    async with site.browser("sun") as browser:
        listing = await (await browser.get("/api/kb/articles")).json()
        assert [(a["id"], a["kb_pushes"], a["updated_by"]) for a in listing["articles"]] == [(article_id, 1, "sun")]
        assert (await browser.post(f"/api/kb/articles/{article_id}/delete", json={})).status == 200
        assert (await browser.post(f"/api/kb/articles/{article_id}/delete", json={})).status == 404
        assert (await browser.post(f"/api/kb/articles/{article_id}", json=ARTICLE)).status == 404
        assert (await browser.post("/api/kb/articles/abc/pushed", json={})).status == 404
    assert site.demand == [f"article:{article_id}"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**ARTICLE, "url": "javascript:alert(1)"}, "url"),
        ({**ARTICLE, "body_en": "x" * 4001}, "body_en"),
        ({"title_en": ""}, "title_en"),
        ({**ARTICLE, "tags": "not-a-list" * 10}, "tags"),
        ([1, 2], "article"),
    ],
)
async def test_bad_input_is_refused_with_the_field_named_and_nothing_kept(site: Site, body: object, field: str) -> None:
    async with site.browser("sun") as browser:
        answer = await browser.post("/api/kb/articles", json=body)
        assert answer.status == 400
        refused = await answer.json()
        assert refused["error"] == "invalid" and refused["field"] == field and refused["message"]
    assert site.store.articles() == []


async def test_oversized_unreadable_foreign_and_form_requests_are_refused(site: Site) -> None:
    async with site.browser("sun") as browser:
        huge = await browser.post(
            "/api/kb/articles",
            data=b"{" + b" " * MAX_ARTICLE_BYTES + b"}",
            headers={"Content-Type": "application/json"},
        )
        assert huge.status == 413 and (await huge.json())["error"] == "too_large"
        broken = await browser.post("/api/kb/articles", data=b"{nope", headers={"Content-Type": "application/json"})
        assert broken.status == 400 and (await broken.json())["error"] == "bad_json"
        foreign = await browser.post("/api/kb/articles", json=ARTICLE, headers={"Origin": "https://evil.example"})
        assert foreign.status == 403
        form = await browser.post("/api/kb/articles", data={"title_en": "x"})
        assert form.status == 415
        long_query = await browser.get("/api/kb/search", params={"q": "x" * 201})
        assert long_query.status == 400 and (await long_query.json())["error"] == "query_too_long"
    assert site.store.articles() == []
