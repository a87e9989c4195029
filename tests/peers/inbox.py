"""Collecting bus messages in a test and waiting for the one expected (no sleeps)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from bus.link import BusLink
from config.sections import BusSection


class Inbox:
    """Subscribes a separate client to ``pattern`` and keeps every (topic, JSON) that arrives."""

    def __init__(self, settings: BusSection, pattern: str, client_id: str = "test-inbox") -> None:
        self.link = BusLink(settings, client_id)
        self.messages: list[tuple[str, Any]] = []
        self._changed = asyncio.Condition()
        self.link.subscribe(pattern, self._on_message)

    def _on_message(self, topic: str, payload: bytes) -> None:
        try:
            body: Any = json.loads(payload) if payload else None
        except ValueError:
            body = payload
        self.messages.append((topic, body))
        asyncio.get_running_loop().create_task(self._notify())

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def wait_for(self, match: Callable[[str, Any], bool], timeout_s: float = 10.0) -> Any:
        """The first message (old or new) for which ``match(topic, body)`` holds."""
        async with asyncio.timeout(timeout_s), self._changed:
            while True:
                for topic, body in self.messages:
                    if match(topic, body):
                        return body
                await self._changed.wait()

    async def __aenter__(self) -> Inbox:
        connected = asyncio.Event()
        self.link.add_connected_listener(connected.set)
        await self.link.start()
        await asyncio.wait_for(connected.wait(), 10)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.link.stop()
