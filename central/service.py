"""``CentralService``: the bus link, the fleet state and the web pages, started and stopped together."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from importlib import metadata

from aiohttp import web

from bus.codec import encode
from bus.link import BusLink, LinkState, Publication
from bus.messages.central import CentralStatus
from bus.messages.device import OfflineReason
from bus.topics import TopicKind, Topics
from central.fleet import FleetState
from central.settings import CentralSettings
from central.web.app import create_app
from central.web.live import FleetFeed

log = logging.getLogger(__name__)

HTTP_SHUTDOWN_TIMEOUT_S = 5.0
SILENCE_CHECK_MAX_S = 5.0


def program_version() -> str:
    """The installed package's version, for the birth message and the log."""
    try:
        return metadata.version("airport-terminal")
    except metadata.PackageNotFoundError:
        return "0+unknown"


class CentralService:
    """Central's presence on the bus (birth, Last Will, shutdown), the fleet it sees, and its pages."""

    def __init__(self, settings: CentralSettings, version: str | None = None) -> None:
        self._settings = settings
        self._version = version if version is not None else program_version()
        self.topics = Topics(settings.bus.topic_root)
        self.client_id = f"central-{settings.bus.site.lower()}-{secrets.token_hex(3)}"
        self._status_topic = self.topics.site(TopicKind.CENTRAL_STATUS)
        self.link = BusLink(settings.bus, self.client_id, will=self._status(False, OfflineReason.LOST))
        self.fleet = FleetState(self.topics, settings.fleet.stale_after_s)
        self.feed = FleetFeed(self.fleet, settings.bus.site, lambda: self.link.state.value)
        self._runner: web.AppRunner | None = None
        self._silence_task: asyncio.Task[None] | None = None
        self._http_port: int | None = None

    @property
    def http_port(self) -> int:
        """The port the pages are served on (the real one when ``[http] port`` is 0)."""
        if self._http_port is None:
            raise RuntimeError("CentralService is not started")
        return self._http_port

    @property
    def facilities_url(self) -> str:
        host = self._settings.http.host
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{self.http_port}/facilities"

    async def start(self) -> None:
        """Serve the pages, then connect to the broker in the background (it may well be down)."""
        self._settings.app.state_dir.mkdir(parents=True, exist_ok=True)
        runner = web.AppRunner(create_app(self.feed), access_log=None, shutdown_timeout=HTTP_SHUTDOWN_TIMEOUT_S)
        await runner.setup()
        try:
            site = web.TCPSite(runner, self._settings.http.host, self._settings.http.port)
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self._http_port = int(runner.addresses[0][1])

        self.link.add_connected_listener(self._publish_birth)
        self.link.add_state_listener(lambda state, _detail: self.feed.bus_changed(state.value))
        self.link.subscribe(self.topics.every_device(TopicKind.DEVICE_STATUS), self.fleet.handle)
        self.link.subscribe(self.topics.every_device(TopicKind.DEVICE_HEALTH), self.fleet.handle)
        await self.link.start()
        self._silence_task = asyncio.create_task(self._watch_silence(), name="fleet-silence")
        log.info("central %s serving %s, bus client %s", self._version, self.facilities_url, self.client_id)

    async def stop(self) -> None:
        """Publish the ``shutdown`` status, close the broker connection, then the pages."""
        if self._silence_task is not None:
            self._silence_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._silence_task
            self._silence_task = None
        await self.link.stop(last_words=self._status(False, OfflineReason.SHUTDOWN))
        if self._runner is not None:
            self.feed.close()
            await self._runner.cleanup()
            self._runner = None

    @property
    def bus_state(self) -> LinkState:
        return self.link.state

    def _status(self, online: bool, reason: OfflineReason | None = None) -> Publication:
        status = CentralStatus(online=online, version=self._version, reason=reason)
        return Publication(self._status_topic, encode(status), qos=1, retain=True)

    def _publish_birth(self) -> None:
        self.link.publish(self._status(True))

    async def _watch_silence(self) -> None:
        interval_s = min(SILENCE_CHECK_MAX_S, self.fleet.stale_after_s / 4)
        while True:
            await asyncio.sleep(interval_s)
            self.fleet.check_silence()
