"""The demo's own look at the bus: can the broker be reached, and which devices have come online."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable
from datetime import datetime

from bus.codec import MalformedMessage, decode
from bus.link import BusLink, LinkState
from bus.messages.device import DeviceStatus
from bus.topics import TopicKind, Topics
from config.sections import BusSection


class BusWatch:
    """A plain client of the broker (no Last Will, no presence) that keeps the latest status of each device."""

    def __init__(self, url: str) -> None:
        self.settings = BusSection(url=url, reconnect_max_s=2)
        self.link = BusLink(self.settings, f"demo-{secrets.token_hex(3)}")
        self.topics = Topics(self.settings.topic_root)
        self.statuses: dict[str, DeviceStatus] = {}
        self.last_problem = ""
        self._changed = asyncio.Event()
        self.link.add_state_listener(self._on_state)
        self.link.subscribe(self.topics.every_device(TopicKind.DEVICE_STATUS), self._on_status)

    @property
    def where(self) -> str:
        return self.link.where

    async def start(self) -> None:
        await self.link.start()

    async def stop(self) -> None:
        await self.link.stop()

    async def wait_online(self, timeout_s: float) -> bool:
        """True once connected; False if ``timeout_s`` passed first (``last_problem`` says why)."""
        return await self._until(lambda: self.link.state is LinkState.ONLINE, timeout_s)

    async def wait_device_online(self, device_id: str, since: datetime, timeout_s: float) -> bool:
        """True once ``device_id`` announces itself online with a birth newer than ``since``."""

        def born() -> bool:
            status = self.statuses.get(device_id)
            return status is not None and status.online and status.ts >= since

        return await self._until(born, timeout_s)

    async def _until(self, condition: Callable[[], bool], timeout_s: float) -> bool:
        try:
            async with asyncio.timeout(timeout_s):
                while not condition():
                    self._changed.clear()
                    await self._changed.wait()
        except TimeoutError:
            return False
        return True

    def _on_state(self, state: LinkState, detail: str) -> None:
        if state in (LinkState.OFFLINE, LinkState.REFUSED):
            self.last_problem = detail
        self._changed.set()

    def _on_status(self, topic: str, payload: bytes) -> None:
        match = self.topics.parse(topic)
        if match is None or match.device_id is None or not payload:
            return
        try:
            status = decode(TopicKind.DEVICE_STATUS, payload)
        except MalformedMessage:
            return  # not ours to report: central's facilities page does
        assert isinstance(status, DeviceStatus)
        self.statuses[match.device_id] = status
        self._changed.set()
