"""``FleetWatch``: looks at the fleet and the flight feeds every few seconds and keeps one latch per
condition, so that each alert is raised once when its condition has held for long enough and cleared once
when it has been gone for long enough. Pure: the facts and the clock are passed in."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
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
    majority_versions,
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


class FleetWatch:
    """Turns the rules' findings into raised and cleared alerts in ``sink``."""

    def __init__(
        self,
        settings: AlertsSection,
        sink: AlertSink,
        devices: Callable[[], Iterable[DeviceFacts]],
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

    def check(self, now: float) -> None:
        """One look at everything (``now`` in epoch seconds)."""
        devices = list(self._devices())
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
            raised = partial(self._raised, subject=device_id)
            found = device_findings(facts, self._settings, majority, raised, now)
            latched = self._latched.get(device_id)
            if not found and not latched:
                well[device_id] = (facts, expected)
                continue  # _judge would keep no latch for any rule
            for rule in DEVICE_RULES:
                if rule in found or (latched and rule in latched):
                    self._judge(rule, facts.device_id, found.get(rule), now, facts.device_id)
        self._well = well
        feeds_seen: set[str] = set()
        for feed in self._feeds():
            feeds_seen.add(feed.name)
            self._judge(Rule.FEED_STALE, feed.name, feed_finding(feed.name, feed.stale, feed.error, feed.age_s), now)
        self._forget_gone(devices_seen, feeds_seen)

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

    def _forget_gone(self, devices: set[str], feeds: set[str]) -> None:
        """A device taken out of service (or a feed no longer configured) takes its alerts with it."""
        gone = [key for key in self._latches if key[1] not in (feeds if key[0] is Rule.FEED_STALE else devices)]
        for key in gone:
            latch = self._forget(key)
            if latch.raised:
                log.info("%s gone: its %s alert cleared", key[1], key[0].value)
                self._sink.cleared(alert_id(*key))
