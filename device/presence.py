"""A device's presence on the bus: birth and Last Will on its status topic, health on an interval,
and a clean ``shutdown`` status when it stops."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from bus.codec import encode
from bus.link import BusLink, Publication
from bus.messages.device import DeviceHealth, DeviceKind, DeviceStatus, OfflineReason
from bus.topics import TopicKind, Topics
from config.sections import AppSection, DeviceBusSection
from device.health import HealthProbe

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeviceIdentity:
    device_id: str
    kind: DeviceKind
    version: str
    location: str = ""
    boot_id: str = field(default_factory=lambda: uuid.uuid4().hex[:16])

    def status(self, online: bool, reason: OfflineReason | None = None) -> DeviceStatus:
        return DeviceStatus(
            online=online,
            kind=self.kind,
            version=self.version,
            boot_id=self.boot_id,
            location=self.location,
            reason=reason,
        )


def last_will(topics: Topics, identity: DeviceIdentity) -> Publication:
    """The status the broker publishes for us when the connection is lost without a goodbye."""
    topic = topics.device(identity.device_id, TopicKind.DEVICE_STATUS)
    return Publication(topic, encode(identity.status(False, OfflineReason.LOST)), qos=1, retain=True)


HealthExtras = Callable[[DeviceHealth], DeviceHealth]


class Watcher(Protocol):
    """Something that watches the device for its health report (e.g. the disk guard) and lives as long."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class DevicePresence:
    """Publishes birth on every connect, health every ``interval_s`` and on demand, shutdown on stop."""

    def __init__(
        self,
        link: BusLink,
        topics: Topics,
        identity: DeviceIdentity,
        probe: HealthProbe,
        interval_s: float,
    ) -> None:
        self._link = link
        self._identity = identity
        self._probe = probe
        self._interval_s = interval_s
        self._status_topic = topics.device(identity.device_id, TopicKind.DEVICE_STATUS)
        self._health_topic = topics.device(identity.device_id, TopicKind.DEVICE_HEALTH)
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self.last_health: DeviceHealth | None = None
        self._extras: list[HealthExtras] = []
        self._watchers: list[Watcher] = []
        link.add_connected_listener(self._on_connected)

    def add_health_extras(self, extras: HealthExtras) -> None:
        """Let a device part fill in its own figures (e.g. ``printer``) in each snapshot."""
        self._extras.append(extras)

    def add_watcher(self, watcher: Watcher) -> None:
        """Start ``watcher`` with the health reports and stop it before the goodbye."""
        self._watchers.append(watcher)

    async def start(self) -> None:
        self._task = asyncio.create_task(self._report_health(), name="health-report")
        for watcher in self._watchers:
            await watcher.start()

    async def stop(self) -> None:
        """Stop reporting, publish the clean ``shutdown`` status, and close the link."""
        for watcher in self._watchers:
            await watcher.stop()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        goodbye = self._identity.status(False, OfflineReason.SHUTDOWN)
        await self._link.stop(last_words=Publication(self._status_topic, encode(goodbye), retain=True))

    def health_changed(self) -> None:
        """Publish a health snapshot now rather than at the next interval."""
        self._wake.set()

    def _on_connected(self) -> None:
        self._link.publish(Publication(self._status_topic, encode(self._identity.status(True)), retain=True))
        self.health_changed()

    async def _report_health(self) -> None:
        while True:
            try:
                sample = await asyncio.to_thread(self._probe.sample)
                health = DeviceHealth(
                    version=self._identity.version,
                    cpu_percent=sample.cpu_percent,
                    memory_percent=sample.memory_percent,
                    disk_percent=sample.disk_percent,
                    temperature_c=sample.temperature_c,
                    throttled=sample.throttled,
                    app_rss_mb=round(sample.app_rss_mb, 1),
                    uptime_s=round(sample.uptime_s, 1),
                    system_uptime_s=round(sample.system_uptime_s),
                    broker_rtt_ms=None if self._link.last_rtt_ms is None else round(self._link.last_rtt_ms, 2),
                    bus_risks=self._link.risks,
                    broker=self._link.where,
                )
                for extras in self._extras:
                    health = extras(health)
                self.last_health = health
                self._link.publish(Publication(self._health_topic, encode(health), retain=True))
            except Exception:
                log.exception("health report failed; trying again next interval")
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._interval_s)


def connect_device(
    bus: DeviceBusSection, app: AppSection, kind: DeviceKind, version: str, health_interval_s: float
) -> tuple[BusLink, DevicePresence]:
    """The bus link (with its Last Will) and presence of a kiosk or signage device, not yet started."""
    topics = Topics(bus.topic_root)
    identity = DeviceIdentity(device_id=bus.device_id, kind=kind, version=version, location=bus.location)
    link = BusLink(bus, bus.device_id, will=last_will(topics, identity))
    app.prepare_state_dir()
    presence = DevicePresence(link, topics, identity, HealthProbe(app.state_dir), health_interval_s)
    return link, presence
