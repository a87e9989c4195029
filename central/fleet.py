"""The fleet as facilities staff see it: every device's presence and last health figures.

Built from the retained ``{root}/device/+/status`` and ``{root}/device/+/health`` messages. Pure
state: no I/O, no clock of its own (one is passed in), no asyncio; the service feeds it and the
facilities page reads :meth:`FleetState.snapshot` and listens for changed devices.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TypedDict

from bus.codec import MalformedLog, MalformedMessage, decode
from bus.messages.base import DEVICE_ID, utc_now
from bus.messages.device import DeviceHealth, DeviceStatus, OfflineReason
from bus.topics import TopicKind, Topics

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]

_FLEET_KINDS = (TopicKind.DEVICE_STATUS, TopicKind.DEVICE_HEALTH)
MAX_REASON_CHARS = 200
MAX_DEVICES = 10_000


class Presence(StrEnum):
    """What the page shows in a device's status column."""

    ONLINE = "online"
    SILENT = "silent"  # online, but no health for longer than stale_after_s
    OFFLINE = "offline"
    UNKNOWN = "unknown"  # health seen, but no status yet


class HealthView(TypedDict):
    ts: str
    cpu_percent: float
    memory_percent: float
    app_rss_mb: float
    uptime_s: float
    temperature_c: float | None
    disk_percent: float | None
    broker_rtt_ms: float | None
    bus_risks: list[str]


class DeviceView(TypedDict):
    id: str
    kind: str | None
    state: str
    online: bool
    silent: bool
    reason: str | None
    location: str
    version: str
    boot_id: str
    last_seen: str | None
    health: HealthView | None


class FleetCounts(TypedDict):
    online: int
    offline: int
    silent: int
    total: int


class FleetSnapshot(TypedDict):
    now: str
    stale_after_s: float
    counts: FleetCounts
    devices: list[DeviceView]


FleetListener = Callable[[str, DeviceView | None], None]
"""Called with (device id, its new view) after every change; the view is None when it was removed."""
HealthListener = Callable[[str, DeviceHealth], None]
"""Called with (device id, its health report) once for each new report, as it came."""


@dataclass
class _Device:
    device_id: str
    status: DeviceStatus | None = None
    health: DeviceHealth | None = None
    last_seen: datetime | None = None
    # epoch seconds: judging silence is a float comparison per device, not datetime arithmetic, since the
    # alert check and /metrics judge every device every few seconds
    online_since_s: float | None = None
    health_at_s: float | None = None
    silent_reported: bool = False
    # The page's view of the device as last built, and the presence it was built for: everything in it
    # changes only through _changed (which rebuilds it), except silence, which comes with the clock; a
    # snapshot reuses it while the presence is the same. Built once per message instead of once per look.
    view: DeviceView | None = None
    view_presence: Presence | None = None
    status_fields: tuple[str, str, str, str, str | None] | None = None
    """What the view takes from ``status``, kept with it (see :func:`_status_fields`); None: not read yet."""


class FleetState:
    """Devices by id, updated from bus messages; malformed messages are dropped and logged once."""

    def __init__(
        self, topics: Topics, stale_after_s: float, clock: Clock = utc_now, max_devices: int = MAX_DEVICES
    ) -> None:
        self._topics = topics
        # the same few topics per device again and again: parsed once each (a regular expression and a split,
        # some 4 µs, were a tenth of a health report's handling); bounded, since topics come from the network
        self._parse_topic = functools.lru_cache(maxsize=2 * max_devices)(topics.parse)
        self._max_devices = max_devices
        self.refused_new = 0
        self._stale_after_s = float(stale_after_s)
        self._clock = clock
        self._devices: dict[str, _Device] = {}
        self._listeners: list[FleetListener] = []
        self._health_listeners: list[HealthListener] = []
        self._malformed = MalformedLog(log)
        self._malformed_by_device: dict[str, int] = {}

    @property
    def stale_after_s(self) -> float:
        return self._stale_after_s

    @property
    def malformed_count(self) -> int:
        """How many malformed messages were dropped so far."""
        return self._malformed.count

    def malformed_of(self, device_id: str) -> int:
        """How many of ``device_id``'s status and health messages were dropped as malformed."""
        return self._malformed_by_device.get(device_id, 0)

    def __len__(self) -> int:
        return len(self._devices)

    def __contains__(self, device_id: object) -> bool:
        return device_id in self._devices

    def add_listener(self, listener: FleetListener) -> None:
        self._listeners.append(listener)

    def add_health_listener(self, listener: HealthListener) -> None:
        """Hear of each new health report (not of a report sent again with the same ``ts``, as a retained one is
        at every reconnect), without the view that :meth:`add_listener`'s listeners get."""
        self._health_listeners.append(listener)

    # --- input -----------------------------------------------------------------------------------------

    def handle(self, topic: str, payload: bytes) -> None:
        """Take one bus message (a BusLink handler); never raises on what the network sends."""
        match = self._parse_topic(topic)
        if match is None:
            self._reject_topic(topic)
            return
        device_id = match.device_id
        if device_id is None or match.kind not in _FLEET_KINDS:
            log.debug("ignored %s: not a fleet topic", topic)
            return
        if not payload:  # a retained message deleted
            if match.kind is TopicKind.DEVICE_STATUS:
                self.remove(device_id)
            else:
                self.clear_health(device_id)
            return
        try:
            message = decode(match.kind, payload)
        except MalformedMessage as exc:
            # the reason may quote the payload (a bad "v"); a log line stays a line
            self._malformed.report(match.kind, device_id, exc.reason[:MAX_REASON_CHARS])
            _count(self._malformed_by_device, device_id, self._max_devices)
            return
        if device_id not in self._devices and len(self._devices) >= self._max_devices:
            # ids come from the network: with no device registry, a flood of made-up ids must not grow
            # central without bound
            self.refused_new += 1
            if self.refused_new == 1 or self.refused_new % 1000 == 0:
                log.warning(
                    "fleet full (%d devices): %d new ids refused, e.g. %s",
                    self._max_devices,
                    self.refused_new,
                    device_id,
                )
            return
        # by the topic's kind, which decode() validated against: isinstance on a pydantic model runs its
        # metaclass's __instancecheck__ in Python, a few per cent of central's CPU at 400 reports a second
        if match.kind is TopicKind.DEVICE_HEALTH:
            self.apply_health(device_id, message)
        else:
            self.apply_status(device_id, message)

    def apply_status(self, device_id: str, status: DeviceStatus) -> None:
        """A birth, a Last Will (``lost``) or a clean ``shutdown``."""
        now = self._clock()
        device = self._devices.setdefault(device_id, _Device(device_id))
        _log_status_change(device_id, device.status, status)
        if status.online:
            device.online_since_s = now.timestamp()
        device.status = status
        device.status_fields = None
        device.last_seen = now
        self._changed(device, now)

    def apply_health(self, device_id: str, health: DeviceHealth) -> None:
        now = self._clock()
        device = self._devices.setdefault(device_id, _Device(device_id))
        repeated = device.health is not None and device.health.ts == health.ts
        device.health = health
        device.health_at_s = now.timestamp()
        device.last_seen = now
        self._changed(device, now)
        if not repeated:
            for listener in self._health_listeners:
                try:
                    listener(device_id, health)
                except Exception:
                    log.exception("health listener failed on device %s", device_id)

    def remove(self, device_id: str) -> None:
        """Forget a device (its retained status was deleted: it has been taken out of service)."""
        if self._devices.pop(device_id, None) is None:
            return
        log.info("device %s removed (its retained status was cleared)", device_id)
        self._notify(device_id, None)

    def clear_health(self, device_id: str) -> None:
        """Drop a device's health figures (its retained health was deleted)."""
        device = self._devices.get(device_id)
        if device is None or device.health is None:
            return
        if device.status is None:
            self.remove(device_id)
            return
        device.health = None
        device.health_at_s = None
        self._changed(device, self._clock())

    def check_silence(self) -> list[str]:
        """Re-judge every device against the clock; notifies and returns those that became or stopped
        being silent. Call it periodically: silence is the absence of messages, so nothing else will."""
        now = self._clock()
        now_s = now.timestamp()
        stale_after_s = self._stale_after_s
        flipped = []
        # _is_silent written out: every device, at every alert look and every few seconds besides
        for device in list(self._devices.values()):
            status, heard_s = device.status, device.online_since_s
            silent = False
            if status is not None and heard_s is not None and status.online:
                health_at_s = device.health_at_s
                if health_at_s is not None and health_at_s > heard_s:
                    heard_s = health_at_s
                silent = now_s - heard_s > stale_after_s
            if silent != device.silent_reported:
                flipped.append(device.device_id)
                self._changed(device, now)
        return flipped

    # --- output ----------------------------------------------------------------------------------------

    def view(self, device_id: str) -> DeviceView | None:
        device = self._devices.get(device_id)
        return None if device is None else self._current_view(device, self._clock().timestamp())

    def health_of(self, device_id: str) -> DeviceHealth | None:
        """The device's last health message as it came (the view leaves out printer and camera)."""
        device = self._devices.get(device_id)
        return None if device is None else device.health

    def counts(self) -> FleetCounts:
        now_s = self._clock().timestamp()
        return _counts([self._presence(device, now_s) for device in self._devices.values()])

    def current(self) -> Iterator[tuple[DeviceView, DeviceHealth | None]]:
        """Every device's view now and its last health message, sorted by id: what the alert rules look at,
        without the snapshot's counts. A view is the same object as at the last look while nothing changed."""
        now_s = self._clock().timestamp()
        for key in sorted(self._devices):
            device = self._devices[key]
            yield self._current_view(device, now_s), device.health

    def snapshot(self) -> FleetSnapshot:
        """Every device, sorted by id, as JSON-able dicts (shared with listeners and later snapshots: read
        them, never change them)."""
        now = self._clock()
        now_s = now.timestamp()
        devices = [self._current_view(self._devices[key], now_s) for key in sorted(self._devices)]
        return FleetSnapshot(
            now=now.isoformat(),
            stale_after_s=self.stale_after_s,
            counts=_counts([_PRESENCE[view["state"]] for view in devices]),
            devices=devices,
        )

    # --- inside ----------------------------------------------------------------------------------------

    def _reject_topic(self, topic: str) -> None:
        """Log a fleet topic whose device id is not valid; anything else not ours is just ignored."""
        prefix = f"{self._topics.root}/device/"
        if not topic.startswith(prefix):
            log.debug("ignored %r: not under %s", topic[:200], self._topics.root)
            return
        device_part, _, kind = topic[len(prefix) :].rpartition("/")
        if kind in {TopicKind.DEVICE_STATUS.value, TopicKind.DEVICE_HEALTH.value}:
            self._malformed.report(kind, repr(device_part[:80]), f"device id must match {DEVICE_ID}")
        else:
            log.debug("ignored %r: not a fleet topic", topic[:200])

    def _changed(self, device: _Device, now: datetime) -> None:
        # presence judged once, for the log and the view both (silent is exactly _is_silent)
        presence = self._presence(device, now.timestamp())
        silent = presence is Presence.SILENT
        if silent and not device.silent_reported:
            log.warning("device %s silent: online but no health for over %.0f s", device.device_id, self.stale_after_s)
        elif device.silent_reported and not silent and presence is Presence.ONLINE:
            log.info("device %s reporting again", device.device_id)
        device.silent_reported = silent
        # something in it changed: a new view
        view = device.view = self._view(device, presence)
        device.view_presence = presence
        self._notify(device.device_id, view)

    def _notify(self, device_id: str, view: DeviceView | None) -> None:
        for listener in self._listeners:
            try:
                listener(device_id, view)
            except Exception:
                log.exception("fleet listener failed on device %s", device_id)

    def _is_silent(self, device: _Device, now_s: float) -> bool:
        if device.status is None or not device.status.online or device.online_since_s is None:
            return False
        heard_s = device.online_since_s
        if device.health_at_s is not None and device.health_at_s > heard_s:
            heard_s = device.health_at_s
        return now_s - heard_s > self._stale_after_s

    def _presence(self, device: _Device, now_s: float) -> Presence:
        if device.status is None:
            return Presence.UNKNOWN
        if not device.status.online:
            return Presence.OFFLINE
        return Presence.SILENT if self._is_silent(device, now_s) else Presence.ONLINE

    def _current_view(self, device: _Device, now_s: float) -> DeviceView:
        """The device's view now: the one built before while its presence is the same, else a new one."""
        presence = self._presence(device, now_s)
        if device.view is None or device.view_presence is not presence:
            device.view, device.view_presence = self._view(device, presence), presence
        return device.view

    def _view(self, device: _Device, presence: Presence) -> DeviceView:
        # built for every health report (400 a second with 2,000 devices): what comes from the status is kept
        # with it (_status_fields), presence is told by identity, and the dict is written out, not DeviceView(...)
        status, health = device.status, device.health
        if status is None:
            kind, location, version, boot_id, reason = None, "", "", "", None
        else:
            fields = device.status_fields
            if fields is None:
                fields = device.status_fields = _status_fields(status)
            kind, location, version, boot_id, reason = fields
            if presence is not Presence.OFFLINE:
                reason = None
        if not version and health is not None:
            version = health.version
        if presence is Presence.ONLINE:
            state, online, silent = "online", True, False
        elif presence is Presence.SILENT:
            state, online, silent = "silent", True, True
        elif presence is Presence.OFFLINE:
            state, online, silent = "offline", False, False
        else:
            state, online, silent = "unknown", False, False
        last_seen = device.last_seen
        return {
            "id": device.device_id,
            "kind": kind,
            "state": state,
            "online": online,
            "silent": silent,
            "reason": reason,
            "location": location,
            "version": version,
            "boot_id": boot_id,
            "last_seen": None if last_seen is None else last_seen.isoformat(),
            "health": None if health is None else _health_view(health),
        }


def _status_fields(status: DeviceStatus) -> tuple[str, str, str, str, str | None]:
    """What a device's view takes from its status: kind, location, version, boot id, and the reason it is offline
    (shown only while it is). Enum members' ``.value`` is a Python-level property: read once per status."""
    reason = status.reason.value if status.reason is not None else None
    return status.kind.value, status.location, status.version or "", status.boot_id, reason


_PRESENCE = {presence.value: presence for presence in Presence}


def _count(counts: dict[str, int], device_id: str, max_devices: int) -> None:
    """One more for ``device_id``; ids come from the network, so a flood of made-up ones starts the count over
    rather than growing it without bound."""
    if device_id not in counts and len(counts) >= max_devices:
        counts.clear()
    counts[device_id] = counts.get(device_id, 0) + 1


def _counts(states: list[Presence]) -> FleetCounts:
    silent = states.count(Presence.SILENT)
    return FleetCounts(
        online=states.count(Presence.ONLINE) + silent,
        offline=states.count(Presence.OFFLINE),
        silent=silent,
        total=len(states),
    )


def _health_view(health: DeviceHealth) -> HealthView:
    risks = health.bus_risks
    return {
        "ts": health.ts.isoformat(),
        "cpu_percent": health.cpu_percent,
        "memory_percent": health.memory_percent,
        "app_rss_mb": health.app_rss_mb,
        "uptime_s": health.uptime_s,
        "temperature_c": health.temperature_c,
        "disk_percent": health.disk_percent,
        "broker_rtt_ms": health.broker_rtt_ms,
        "bus_risks": [risk.value for risk in risks] if risks else [],
    }


def _log_status_change(device_id: str, before: DeviceStatus | None, after: DeviceStatus) -> None:
    """One line per change of presence or boot, none for a repeated birth."""
    if after.online:
        if before is None or not before.online or before.boot_id != after.boot_id:
            log.info(
                "device %s online: %s at %r, version %r, boot %r",
                device_id,
                after.kind.value,
                after.location,
                after.version,
                after.boot_id,
            )
        return
    if before is not None and not before.online and before.reason == after.reason:
        return
    reason = after.reason.value if after.reason is not None else "no reason given"
    level = logging.WARNING if after.reason is OfflineReason.LOST else logging.INFO
    log.log(level, "device %s offline: %s", device_id, reason)
