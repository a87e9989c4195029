"""Central's web app in process with a case desk on a SQLite file, an alert book and accounts of every
kind, for the tests of the case desk's and the passenger page's HTTP side."""

from __future__ import annotations

import time
from pathlib import Path

import aiohttp
from aiohttp.test_utils import TestServer

from bus.topics import Topics
from central.accounts import AgentAccounts, Role
from central.alerts.book import AlertBook
from central.cases.desk import CaseDesk
from central.cases.settings import CasesSection
from central.cases.store import SqliteCaseStore
from central.fleet import FleetState
from central.switchboard import MemoryCallStore, Switchboard, SwitchboardSettings
from central.web.agent import AgentDesk
from central.web.app import HANDLER_CANCELLATION, create_app
from central.web.live import FleetFeed

PASSWORD = "correct horse battery"
# id: (roles, department)
ACCOUNTS = {
    "chen": ([Role.AGENT], "baggage"),
    "wu": ([Role.AGENT], "service"),
    "boss": ([Role.SUPERVISOR], ""),
    "fang": ([Role.FACILITIES], ""),
}


class CaseSite:
    def __init__(self, tmp_path: Path, posts_per_minute: int = 10) -> None:
        self.accounts = AgentAccounts(tmp_path / "agents.sqlite3")
        for agent_id, (roles, department) in ACCOUNTS.items():
            self.accounts.add(agent_id, agent_id.title(), [], PASSWORD, roles, department=department)
        self.switchboard = Switchboard(SwitchboardSettings(), time.time, MemoryCallStore())
        self.book = AlertBook()
        self.store = SqliteCaseStore(tmp_path / "cases.sqlite3")
        self.cases = CaseDesk(self.store, CasesSection().category_list(), time.time, self.book)
        feed = FleetFeed(FleetState(Topics("airport/HAK"), 120.0), "HAK", lambda: "online", keepalive_s=0.5)
        app = create_app(
            feed,
            AgentDesk(self.switchboard, self.accounts),
            alerts=self.book,
            cases=(self.cases, posts_per_minute),
        )
        self.server = TestServer(app, handler_cancellation=HANDLER_CANCELLATION)

    async def start(self) -> None:
        await self.server.start_server()

    async def close(self) -> None:
        await self.server.close()
        self.store.close()
        self.accounts.close()

    def browser(self) -> aiohttp.ClientSession:
        """A browser of its own (its own cookies); closing it leaves the server and the others running."""
        return aiohttp.ClientSession(base_url=str(self.server.make_url("/")), cookie_jar=aiohttp.CookieJar(unsafe=True))

    async def signed_in(self, who: str) -> aiohttp.ClientSession:
        browser = self.browser()
        answer = await browser.post("/api/agent/login", json={"agent_id": who, "password": PASSWORD})
        assert answer.status == 200
        return browser
