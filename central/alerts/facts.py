"""What the rules look at, read from central's live state: the fleet, the devices' events and the feeds."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from bus.messages.device import DeviceEvent
from central.alerts.rules import DeviceFacts, health_is_clear
from central.alerts.settings import AlertsSection
from central.alerts.watch import FeedFacts, FleetLook
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

    def __post_init__(self) -> None:
        self.events.add_listener(self.taken)

    def taken(self, device_id: str, event: DeviceEvent) -> None:
        stats = self.events.stats(device_id)
        # the event just taken opened a gap: a late one filling a gap, or the counts read back after central's
        # restart, are no new loss
        if (stats is not None and stats.just_found > 0) or event.name == DROPPED_EVENT:
            self.last_gap_at[device_id] = self.clock()

    def counts(self) -> dict[str, tuple[int, int]]:
        """Per device: (events found missing, events that came late and filled a gap), both only growing (for
        /metrics: counters never go down)."""
        return self.events.gap_counts()


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
    """:func:`fleet_facts` kept up to date by what the fleet tells of each change, rather than by a pass over every
    device's view at every look: a look builds facts only for the devices the fleet told of since the last one
    (or whose events showed a new gap), so :class:`central.alerts.watch.FleetWatch` can pass over a device whose
    facts it has judged before. Silence comes with the clock, not with a message: each look first has the fleet
    judge it (:meth:`FleetState.check_silence`), which tells of every device that went or stopped being silent.
    Facts come sorted by device id, as the fleet's snapshot has them."""

    fleet: FleetState
    gaps: EventGaps | None = None
    settings: AlertsSection | None = None
    """With the rules' settings, a device's facts are kept as they were (the same object) while its view says the
    same and its health reports stay clear (:func:`health_is_clear`): the look passes over it without new facts
    or findings. A report comes every few seconds from every device, and hardly any has something wrong."""
    _facts: dict[str, DeviceFacts] = field(default_factory=dict)
    _clear: set[str] = field(default_factory=set)
    """Devices whose kept facts hold a clear health report."""
    _told: dict[str, DeviceView | None] = field(default_factory=dict)
    """Devices the fleet told of since the last look, with their latest view (None: removed)."""
    _gaps_seen: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for view, _health in self.fleet.current():
            self._told[view["id"]] = view
        self.fleet.add_listener(self._changed)

    def _changed(self, device_id: str, view: DeviceView | None) -> None:
        self._told[device_id] = view  # the latest wins: facts are built at the look, once

    def __call__(self) -> list[DeviceFacts]:
        return list(self.look().facts.values())

    def look(self) -> FleetLook:
        """Every device's facts, and which of them are new since the last look (or gone)."""
        self.fleet.check_silence()
        told, self._told = self._told, {}
        last_gaps = {} if self.gaps is None else self.gaps.last_gap_at
        if last_gaps != self._gaps_seen:  # few devices ever have a gap: this compares a handful of entries
            for device_id, gap in last_gaps.items():
                if self._gaps_seen.get(device_id) != gap and device_id not in told and device_id in self._facts:
                    told[device_id] = self.fleet.view(device_id)
            self._gaps_seen = dict(last_gaps)
        facts = self._facts
        settings = self.settings
        joined_or_left = False
        changed: set[str] = set()
        for device_id, view in told.items():
            if view is None:
                gone = facts.pop(device_id, None) is not None
                joined_or_left |= gone
                if gone:
                    changed.add(device_id)
                self._clear.discard(device_id)
                continue
            before = facts.get(device_id)
            joined_or_left |= before is None
            health = self.fleet.health_of(device_id)
            last_gap_at = last_gaps.get(device_id)
            clear = settings is not None and health_is_clear(health, settings)
            if (
                clear
                and before is not None
                and device_id in self._clear
                and (before.health is None) == (health is None)
                and before.last_gap_at == last_gap_at
                and before.state == view["state"]
                and before.version == view["version"]
                and before.kind == view["kind"]
                and before.reason == view["reason"]
                and before.location == view["location"]
            ):
                continue  # what the rules would find is the same: nothing (the health kept is an older clear one)
            changed.add(device_id)
            facts[device_id] = DeviceFacts(
                device_id=device_id,
                kind=view["kind"],
                state=view["state"],
                reason=view["reason"],
                location=view["location"],
                version=view["version"],
                health=health,
                last_gap_at=last_gap_at,
            )
            if clear:
                self._clear.add(device_id)
            else:
                self._clear.discard(device_id)
        if joined_or_left:  # a replaced entry keeps its place: sorting again is only for a device new or gone
            self._facts = dict(sorted(facts.items()))
        return FleetLook(self._facts, changed)


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
