"""The agent console and the wallboard in headless Chromium, against the real web app on a loopback port.

``ConsoleSite`` serves central's real aiohttp app (pages, sign-in, console socket, wallboard stream) in the
test's own event loop, over a real socket, with a switchboard on the real clock that the test can also
drive as a caller or as other agents would.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestServer
from playwright.async_api import Browser, Page, async_playwright, expect

from bus.messages.call import CallContext, CallRequest
from bus.topics import Topics
from central.accounts import AgentAccounts
from central.fleet import FleetState
from central.switchboard import AgentEvent, CallerMessage, MemoryCallStore, Switchboard, SwitchboardSettings
from central.web.agent import AgentDesk
from central.web.app import create_app
from central.web.live import FleetFeed
from central.web.wallboard import WallboardFeed
from tests.peers.chromium import CHROMIUM_ARGS
from tests.peers.staff import STAFF_ID, STAFF_PASSWORD, STAFF_ROLES

PASSWORD = "correct horse battery"
# Chromium hides host addresses behind mDNS names that aiortc cannot always resolve; a test on one machine
# needs the plain addresses.
BROWSER_ARGS = [
    *CHROMIUM_ARGS,
    "--disable-features=WebRtcHideLocalIpsWithMdns",
    "--autoplay-policy=no-user-gesture-required",
]


@asynccontextmanager
async def chromium(executable: str) -> AsyncIterator[Browser]:
    """Headless system Chromium under Playwright's asyncio API (the tests also run aiortc and bus links)."""
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=executable, headless=True, args=BROWSER_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


async def sign_in_on_the_page(page: Page, password: str = PASSWORD, agent_id: str = "chen") -> None:
    await page.locator("#agent-id").fill(agent_id)
    await page.locator("#password").fill(password)
    await page.locator("#signin-submit").click()


async def available_console(
    browser: Browser, base_url: str, errors: list[str], timeout_ms: float = 20_000, agent_id: str = "chen"
) -> Page:
    """The agent console in a context of its own (its own cookies), signed in as ``agent_id`` (as it opens:
    away) and made available; the page's script errors go into ``errors``."""
    page = await (await browser.new_context(viewport={"width": 1400, "height": 900})).new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    await page.goto(f"{base_url}/agent")
    await sign_in_on_the_page(page, agent_id=agent_id)
    state = page.locator("body")
    await expect(state).to_have_attribute("data-state", "away", timeout=timeout_ms)
    await page.locator("#presence").click()
    await expect(state).to_have_attribute("data-state", "available")
    return page


class Caller:
    """A kiosk as the switchboard sees one, that keeps what it was sent."""

    kind = "device"

    def __init__(self, caller_id: str) -> None:
        self.caller_id = caller_id
        self.messages: list[CallerMessage] = []

    def send(self, message: CallerMessage) -> None:
        self.messages.append(message)


class QuietConsole:
    """An agent signed in without a page (for the wallboard's columns)."""

    def send(self, event: AgentEvent) -> None:
        pass


class ConsoleSite:
    """Central's web app with agent ``chen`` (password :data:`PASSWORD`), served on a free loopback port."""

    def __init__(self, state_dir: Path, **settings: Any) -> None:
        self.switchboard = Switchboard(SwitchboardSettings(**settings), time.time, MemoryCallStore())
        self.accounts = AgentAccounts(state_dir / "agents.sqlite3")
        self.accounts.add("chen", "Chen Li", ["zh", "en"], PASSWORD)
        self.accounts.add(STAFF_ID, "Ops Desk", [], STAFF_PASSWORD, roles=STAFF_ROLES.split(","))
        self.desk = AgentDesk(switchboard=self.switchboard, accounts=self.accounts)
        fleet = FleetFeed(FleetState(Topics("airport/HAK"), 120.0), "HAK", lambda: "online")
        self.wallboard = WallboardFeed(self.switchboard, "HAK")
        self.wallboard.start()
        self.server = TestServer(create_app(fleet, self.desk, self.wallboard), host="127.0.0.1")

    @property
    def base_url(self) -> str:
        return str(self.server.make_url("")).rstrip("/")

    def call(self, caller_id: str = "kiosk-t1-01", call_id: str = "call-1", location: str = "T1 Hall B") -> Caller:
        caller = Caller(caller_id)
        context = CallContext(screen="home", location=location, language="zh-CN")
        self.switchboard.request(caller, CallRequest(call=call_id, language="zh-CN", context=context))
        return caller

    async def __aenter__(self) -> ConsoleSite:
        await self.server.start_server()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.server.close()
        self.accounts.close()
