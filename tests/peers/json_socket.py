"""A test's end of one of central's JSON WebSockets (agent console, monitoring): sends messages, waits for
the next event (of a type), keeps what it received, and waits for the close."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp

TIMEOUT_S = 5.0


class JsonSocket:
    """One socket: what it received (``events``, in order), and waits for the next event of a type."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.events: list[dict[str, Any]] = []

    async def next(self, event_type: str | None = None) -> dict[str, Any]:
        async with asyncio.timeout(TIMEOUT_S):
            while True:
                message = await self.ws.receive()
                if message.type is not aiohttp.WSMsgType.TEXT:
                    raise AssertionError(f"socket ended ({message.type}, {self.ws.close_code}) before {event_type}")
                event: dict[str, Any] = json.loads(message.data)
                self.events.append(event)
                if event_type is None or event["type"] == event_type:
                    return event

    async def send(self, message: Any) -> None:
        """Sends message as JSON, or as it is when it is already text (to send malformed messages)."""
        await self.ws.send_str(message if isinstance(message, str) else json.dumps(message))

    async def closed(self) -> int | None:
        """The close code, once the socket has closed."""
        async with asyncio.timeout(TIMEOUT_S):
            while True:
                message = await self.ws.receive()
                if message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING):
                    return self.ws.close_code
