"""``FleetAlerts``: the alert book with its sources and listeners, as central runs them: the fleet's rules
looked at every ``[alerts] check_interval_s``, the bus publisher and the optional webhook."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from bus.link import BusLink
from bus.topics import Topics
from central.alerts.book import AlertBook
from central.alerts.facts import EventGaps, KeptFleetFacts, feed_facts
from central.alerts.publisher import AlertPublisher
from central.alerts.settings import AlertsSection
from central.alerts.watch import FeedFacts, FleetWatch
from central.alerts.webhook import AlertWebhook
from central.device_events import DeviceEventLog
from central.feeds.health import FeedView
from central.fleet import FleetState
from config.background import stop_task

log = logging.getLogger(__name__)


class FleetAlerts:
    """Everything about alerts that central starts and stops."""

    def __init__(
        self,
        settings: AlertsSection,
        fleet: FleetState,
        events: DeviceEventLog,
        link: BusLink,
        topics: Topics,
        feeds: Callable[[], list[FeedView]] = list,
        feeds_stale_after_s: float = 300.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._settings = settings
        self._clock = clock
        self._feeds = feeds
        self._feeds_grace_s = feeds_stale_after_s
        self._started_at = clock()
        self.book = AlertBook(settings.keep_cleared, clock)
        self.gaps = EventGaps(events, clock)
        self.facts = KeptFleetFacts(fleet, self.gaps, settings)
        # the look judges only the devices whose facts changed since the one before (FleetLook)
        self.watch = FleetWatch(settings, self.book, self.facts.look, self._feed_facts)
        self.publisher = AlertPublisher(self.book, link, topics)
        self.webhook: AlertWebhook | None = None
        if settings.webhook_url is not None:
            self.webhook = AlertWebhook(
                settings.webhook_url.get_secret_value(),
                settings.webhook_timeout_s,
                settings.webhook_retries,
                settings.webhook_queue,
            )
            self.webhook.listen_to(self.book)
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self.webhook is not None:
            self.webhook.start()
        if self._settings.enabled:
            self._task = asyncio.create_task(self._look_regularly(), name="fleet-alerts")

    async def stop(self) -> None:
        await stop_task(self._task)
        self._task = None
        if self.webhook is not None:
            await self.webhook.stop()

    def _feed_facts(self) -> list[FeedFacts]:
        now = self._clock()
        facts = feed_facts(self._feeds(), now)
        if now - self._started_at < self._feeds_grace_s:
            # a feed that has not delivered yet since central started is not stale yet
            facts = [feed for feed in facts if feed.age_s is not None]
        return facts

    async def _look_regularly(self) -> None:
        while True:
            await asyncio.sleep(self._settings.check_interval_s)
            try:
                self.watch.check(self._clock())
            except Exception:
                # one bad look must not end the watching for good
                log.exception("judging the fleet for alerts failed")
