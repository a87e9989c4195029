"""``FleetWatch``: looks at the fleet and the flight feeds every few seconds and keeps one latch per
condition, so that each alert is raised once when its condition has held for long enough and cleared once
when it has been gone for long enough. Pure: the facts and the clock are passed in."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Container, Iterable, Mapping, Set
from dataclasses import dataclass
from functools import partial

from central.alerts.book import AlertSink
from central.alerts.latch import Change, Latch
from central.alerts.rules import (
    DEVICE_RULES,
    SEVERITY,
    DeviceFacts,
    Rule,
    alert_id,
    device_findings,
    feed_finding,
    majority_of,
    majority_versions,
    version_counted,
)
from central.alerts.settings import AlertsSection

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FeedFacts:
    """A flight feed at one look (from :class:`central.feeds.health.FeedView`)."""

    name: str
    stale: bool
    error: str
    age_s: float | None


@dataclass(frozen=True)
class FleetLook:
    """Every device's facts at one look, with the devices whose facts are not the ones of the look before (new
    objects, or gone): from a source that keeps facts while nothing changes (:class:`central.alerts.facts.
    KeptFleetFacts`), so that a look judges those devices only, not all 2,000 again."""

    facts: Mapping[str, DeviceFacts]
    """By device id, sorted by id; read during the look only (the source may change it afterwards)."""
    changed: Set[str]


class FleetWatch:
    """Turns the rules' findings into raised and cleared alerts in ``sink``."""

    def __init__(
        self,
        settings: AlertsSection,
        sink: AlertSink,
        devices: Callable[[], Iterable[DeviceFacts] | FleetLook],
        feeds: Callable[[], Iterable[FeedFacts]] = tuple,
    ) -> None:
        self._settings = settings
        self._sink = sink
        self._devices = devices
        self._feeds = feeds
        self._latches: dict[tuple[Rule, str], Latch] = {}
        # the rules with a latch, by subject: a device with nothing wrong and nothing pending (nearly all of
        # them) is passed over without judging each rule
        self._latched: dict[str, set[Rule]] = {}
        # devices found well at their last look, with the facts and the majority version of their kind they were
        # judged by: the same facts again (a source that keeps them, KeptFleetFacts) are well again, unless a
        # gap in their events is recent enough to count (a rule of the clock)
        self._well: dict[str, tuple[DeviceFacts, str | None]] = {}
        # for a source that tells what changed (FleetLook): the majority versions the last look judged by (a new
        # one is news to every device of its kind), and the devices with a gap in their events, whose finding
        # changes with the clock alone
        self._majority: dict[str, str] | None = None
        self._gapped: set[str] = set()
        # what each device counts for in the majority versions, and the counts, kept up to date from the changed
        # devices alone (majority_versions over every device was most of a look's own work)
        self._counted: dict[str, tuple[str, str]] = {}
        self._version_counts: dict[str, Counter[str]] = {}

    def check(self, now: float) -> None:
        """One look at everything (``now`` in epoch seconds)."""
        source = self._devices()
        devices_seen: Container[str]
        if isinstance(source, FleetLook):
            self._check_changed(source, now)
            devices_seen = source.facts
        else:
            devices_seen = self._check_all(list(source), now)
        feeds_seen: set[str] = set()
        for feed in self._feeds():
            feeds_seen.add(feed.name)
            self._judge(Rule.FEED_STALE, feed.name, feed_finding(feed.name, feed.stale, feed.error, feed.age_s), now)
        self._forget_gone(devices_seen, feeds_seen)

    def _check_all(self, devices: list[DeviceFacts], now: float) -> set[str]:
        """Every device, passing over one found well before on the very same facts."""
        self._majority = None  # the next FleetLook is judged in full
        majority = majority_versions(devices, self._settings.version_min_devices)
        devices_seen: set[str] = set()
        well: dict[str, tuple[DeviceFacts, str | None]] = {}
        for facts in devices:
            device_id = facts.device_id
            devices_seen.add(device_id)
            expected = majority.get(facts.kind or "")
            before = self._well.get(device_id)
            if before is not None and before[0] is facts and before[1] == expected and facts.last_gap_at is None:
                well[device_id] = (facts, expected)  # judged well on these same facts: still no latch anywhere
                continue
            if self._judge_device(facts, majority, now):
                well[device_id] = (facts, expected)
        self._well = well
        return devices_seen

    def _check_changed(self, look: FleetLook, now: float) -> None:
        """Only the devices whose facts changed, whose alerts are raised or pending (their holds run on the clock),
        or with a gap in their events; every device when a kind's majority version changed. Any other device
        has the facts it was found well on, and the same rules find the same nothing."""
        self._well = {}  # a plain list later is judged in full
        facts_by_id = look.facts
        majority = self._count_versions(look)
        judged: Iterable[str]
        if majority != self._majority:
            judged = facts_by_id  # already sorted by id
        else:
            judged = sorted(look.changed | self._latched.keys() | self._gapped)
        self._majority = majority
        for device_id in judged:
            facts = facts_by_id.get(device_id)
            if facts is None:
                self._gapped.discard(device_id)
                continue  # gone: _forget_gone clears its alerts
            self._judge_device(facts, majority, now)

    def _count_versions(self, look: FleetLook) -> dict[str, str]:
        """The majority versions, counted again only for the devices that changed (all at the first look)."""
        counts, counted = self._version_counts, self._counted
        changed = look.changed if self._majority is not None else set(counted) | set(look.facts)
        for device_id in changed:
            before = counted.pop(device_id, None)
            if before is not None:
                kind_counts = counts[before[0]]
                kind_counts[before[1]] -= 1
                if not kind_counts[before[1]]:
                    del kind_counts[before[1]]
            facts = look.facts.get(device_id)
            now = None if facts is None else version_counted(facts)
            if now is not None:
                counted[device_id] = now
                if now[0] not in counts:
                    counts[now[0]] = Counter()
                counts[now[0]][now[1]] += 1
        return majority_of(counts, self._settings.version_min_devices)

    def _judge_device(self, facts: DeviceFacts, majority: dict[str, str], now: float) -> bool:
        """Judge every rule on one device; True when nothing is wrong and nothing pending (no latch kept)."""
        device_id = facts.device_id
        if facts.last_gap_at is None:
            self._gapped.discard(device_id)
        else:
            self._gapped.add(device_id)
        raised = partial(self._raised, subject=device_id)
        found = device_findings(facts, self._settings, majority, raised, now)
        latched = self._latched.get(device_id)
        if not found and not latched:
            return True  # _judge would keep no latch for any rule
        for rule in DEVICE_RULES:
            if rule in found or (latched and rule in latched):
                self._judge(rule, device_id, found.get(rule), now, device_id)
        return False

    def _raised(self, rule: Rule, subject: str) -> bool:
        latch = self._latches.get((rule, subject))
        return latch is not None and latch.raised

    def _judge(self, rule: Rule, subject: str, message: str | None, now: float, device: str | None = None) -> None:
        key = (rule, subject)
        latch = self._latches.get(key)
        if latch is None:
            if message is None:
                return  # nothing wrong and nothing pending: no latch to keep
            hold_s = self._settings.offline_after_s if rule is Rule.DEVICE_OFFLINE else self._settings.raise_after_s
            latch = self._latches[key] = Latch(hold_s, self._settings.clear_after_s)
            self._latched.setdefault(subject, set()).add(rule)
        change = latch.update(message is not None, now)
        if change is Change.RAISED:
            self._sink.raised(alert_id(rule, subject), rule.value, SEVERITY[rule], device, message or "")
        elif change is Change.CLEARED:
            self._sink.cleared(alert_id(rule, subject))
        if not latch.raised and not latch.pending:
            self._forget(key)

    def _forget(self, key: tuple[Rule, str]) -> Latch:
        latch = self._latches.pop(key)
        rules = self._latched[key[1]]
        rules.discard(key[0])
        if not rules:
            del self._latched[key[1]]
        return latch

    def _forget_gone(self, devices: Container[str], feeds: set[str]) -> None:
        """A device taken out of service (or a feed no longer configured) takes its alerts with it."""
        gone = [key for key in self._latches if key[1] not in (feeds if key[0] is Rule.FEED_STALE else devices)]
        for key in gone:
            latch = self._forget(key)
            if latch.raised:
                log.info("%s gone: its %s alert cleared", key[1], key[0].value)
                self._sink.cleared(alert_id(*key))
