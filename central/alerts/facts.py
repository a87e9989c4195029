"""What the rules look at, read from central's live state: the fleet, the devices' events and the feeds."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from bus.messages.device import DeviceEvent, DeviceHealth
from central.alerts.rules import DeviceFacts
from central.alerts.watch import FeedFacts
from central.device_events import DeviceEventLog
from central.feeds.health import FeedView
from central.fleet import DeviceView, FleetState

DROPPED_EVENT = "outbox.dropped"


@dataclass
class EventGaps:
    """When each device last lost events: a gap in its ``seq`` seen by central, or its own outbox reporting
    that it dropped some when full. A :class:`DeviceEventLog` listener."""

    events: DeviceEventLog
    clock: Callable[[], float] = time.time
    last_gap_at: dict[str, float] = field(default_factory=dict)
    _missing: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.events.add_listener(self.taken)

    def taken(self, device_id: str, event: DeviceEvent) -> None:
        stats = self.events.stats(device_id)
        missing = stats.missing if stats is not None else 0
        if missing > self._missing.get(device_id, 0) or event.name == DROPPED_EVENT:
            self.last_gap_at[device_id] = self.clock()
        self._missing[device_id] = missing

    def missing(self) -> dict[str, int]:
        """Events found missing so far, per device (for /metrics)."""
        return dict(self._missing)


def fleet_facts(fleet: FleetState, gaps: EventGaps | None = None) -> Iterator[DeviceFacts]:
    """Every device the fleet knows, as the rules see it."""
    for view in fleet.snapshot()["devices"]:
        device_id = view["id"]
        yield DeviceFacts(
            device_id=device_id,
            kind=view["kind"],
            state=view["state"],
            reason=view["reason"],
            location=view["location"],
            version=view["version"],
            health=fleet.health_of(device_id),
            last_gap_at=None if gaps is None else gaps.last_gap_at.get(device_id),
        )


@dataclass
class KeptFleetFacts:
    """:func:`fleet_facts` that keeps each device's facts while its view, health and last gap stay the same
    objects: the rules' look every few seconds then builds facts only for the devices that sent something, and
    :class:`central.alerts.watch.FleetWatch` can pass over a device whose facts it has judged before."""

    fleet: FleetState
    gaps: EventGaps | None = None
    _kept: dict[str, tuple[DeviceView, DeviceHealth | None, float | None, DeviceFacts]] = field(default_factory=dict)

    def __call__(self) -> list[DeviceFacts]:
        kept: dict[str, tuple[DeviceView, DeviceHealth | None, float | None, DeviceFacts]] = {}
        last_gaps = {} if self.gaps is None else self.gaps.last_gap_at
        for view, health in self.fleet.current():
            device_id = view["id"]
            gap = last_gaps.get(device_id)
            before = self._kept.get(device_id)
            if before is not None and before[0] is view and before[1] is health and before[2] == gap:
                kept[device_id] = before
                continue
            facts = DeviceFacts(
                device_id=device_id,
                kind=view["kind"],
                state=view["state"],
                reason=view["reason"],
                location=view["location"],
                version=view["version"],
                health=health,
                last_gap_at=gap,
            )
            kept[device_id] = (view, health, gap, facts)
        self._kept = kept  # devices gone from the fleet are forgotten here too
        return [entry[3] for entry in kept.values()]


def feed_facts(views: list[FeedView], now: float) -> list[FeedFacts]:
    return [
        FeedFacts(
            name=view["name"],
            stale=view["stale"],
            error=view["error"],
            age_s=None if view["ok_at"] is None else max(0.0, now - view["ok_at"]),
        )
        for view in views
    ]
