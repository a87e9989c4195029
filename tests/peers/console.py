"""An agent at the console: over HTTP and the console's WebSocket, or on the page in a browser."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
from playwright.async_api import Page

from tests.peers.central import PASSWORD, WAIT_S


class SocketConsole:
    """An agent signed in over HTTP whose console socket is open; keeps every event."""

    def __init__(self, http: aiohttp.ClientSession, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.http = http
        self.ws = ws
        self.events: list[dict[str, Any]] = []

    async def next(self, event_type: str, **fields: Any) -> dict[str, Any]:
        """The first event (old or new) of this type with these field values."""
        for event in self.events:
            if event["type"] == event_type and all(event.get(k) == v for k, v in fields.items()):
                return event
        async with asyncio.timeout(WAIT_S):
            while True:
                message = await self.ws.receive()
                if message.type is not aiohttp.WSMsgType.TEXT:
                    raise AssertionError(f"console socket ended ({self.ws.close_code}) before {event_type}")
                event = json.loads(message.data)
                self.events.append(event)
                if event["type"] == event_type and all(event.get(k) == v for k, v in fields.items()):
                    return event

    async def send(self, message: Any) -> None:
        await self.ws.send_str(message if isinstance(message, str) else json.dumps(message))


def http_session() -> aiohttp.ClientSession:
    """A client that keeps the session cookie of a plain-HTTP loopback server."""
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


async def sign_in(http: aiohttp.ClientSession, base_url: str, agent_id: str, password: str) -> aiohttp.ClientResponse:
    return await http.post(f"{base_url}/api/agent/login", json={"agent_id": agent_id, "password": password})


@asynccontextmanager
async def console(base_url: str, agent_id: str = "chen", available: bool = True) -> AsyncIterator[SocketConsole]:
    async with http_session() as http:
        response = await sign_in(http, base_url, agent_id, PASSWORD)
        assert response.status == 200, await response.text()
        async with http.ws_connect(f"{base_url}/api/agent/ws", headers={"Origin": base_url}) as ws:
            agent = SocketConsole(http, ws)
            await agent.next("state", state="away")
            if available:
                await agent.send({"type": "presence", "available": True})
                await agent.next("state", state="available")
            yield agent


async def sign_in_on_the_page(page: Page, password: str = PASSWORD, agent_id: str = "chen") -> None:
    await page.locator("#agent-id").fill(agent_id)
    await page.locator("#password").fill(password)
    await page.locator("#signin-submit").click()
