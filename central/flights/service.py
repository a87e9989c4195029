"""Flights in ``central``: the boards, their publisher on the bus, the configured feeds and the HTTP side,
started and stopped together by :class:`central.service.CentralService`."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from aiohttp import web

from bus.airports import airport, site_zone
from bus.link import BusLink
from bus.messages.flights import FlightStatus
from bus.topics import Topics
from central.feeds.aidx import STATUS_CODES
from central.feeds.aidx_http import AidxReceiver
from central.feeds.health import FeedHealth, FeedView
from central.feeds.pollers import AidxFolder, CsvFeed, Feed, JsonFeed, SimulatorFeed
from central.flights.board import FlightBoards
from central.flights.publisher import BoardPublisher
from central.flights.web import FlightPages
from central.settings import FeedsSection
from config.background import stop_task

log = logging.getLogger(__name__)

AIDX_FOLDER_INTERVAL_S = 1.0
PRUNE_INTERVAL_S = 600.0


def status_codes(feeds: FeedsSection) -> dict[str, FlightStatus | None]:
    """The built-in OperationalStatus table with ``[feeds] aidx_status_codes`` over it."""
    table = dict(STATUS_CODES)
    for code, status in feeds.aidx_status_codes.items():  # checked by the settings model
        table[code] = FlightStatus(status) if status else None
    return table


class FlightService:
    def __init__(self, feeds: FeedsSection, site: str, link: BusLink, topics: Topics) -> None:
        self.boards = FlightBoards(site)
        self.publisher = BoardPublisher(link, topics, self.boards, airport(site).tz or "UTC")
        self._health: list[FeedHealth] = []
        self._feeds: list[Feed] = []
        codes = status_codes(feeds)
        stale = feeds.stale_after_s
        if feeds.simulator_runs:
            health = self._add_health("simulator", stale)
            self._feeds.append(
                SimulatorFeed(
                    self.boards,
                    health,
                    site_zone(site),
                    feeds.simulator_seed,
                    feeds.simulator_speed,
                    feeds.simulator_tick_s,
                )
            )
        token = feeds.aidx_token.get_secret_value() if feeds.aidx_token else None
        self.aidx = AidxReceiver(
            self.boards,
            self._add_health("aidx", stale) if token else FeedHealth("aidx", stale),
            token,
            feeds.aidx_max_bytes,
            codes,
        )
        if feeds.aidx_dir is not None:
            health = self._add_health("aidx-folder", stale)
            self._feeds.append(
                AidxFolder(self.boards, health, feeds.aidx_dir, AIDX_FOLDER_INTERVAL_S, feeds.aidx_max_bytes, codes)
            )
        if feeds.json_url:
            health = self._add_health("json", stale)
            self._feeds.append(
                JsonFeed(
                    self.boards, health, feeds.json_url, feeds.json_interval_s, feeds.json_records, feeds.json_fields
                )
            )
        if feeds.csv_file is not None:
            health = self._add_health("csv", stale)
            self._feeds.append(CsvFeed(self.boards, health, feeds.csv_file, feeds.csv_interval_s))
        self.pages = FlightPages(self.publisher, self.feed_views)
        self._keep_past = timedelta(hours=feeds.keep_past_h)
        self._prune_task: asyncio.Task[None] | None = None

    def _add_health(self, name: str, stale_after_s: float) -> FeedHealth:
        health = FeedHealth(name, stale_after_s)
        self._health.append(health)
        return health

    def feed_views(self) -> list[FeedView]:
        return [health.view() for health in self._health]

    def add_routes(self, app: web.Application) -> None:
        self.pages.add_routes(app)
        self.aidx.add_route(app)

    def start(self) -> None:
        self.publisher.start()
        for feed in self._feeds:
            feed.start()
        self._prune_task = asyncio.create_task(self._prune_now_and_then(), name="flights-prune")
        log.info("flight feeds: %s", ", ".join(h.name for h in self._health) or "none")

    async def _prune_now_and_then(self) -> None:
        while True:
            await asyncio.sleep(PRUNE_INTERVAL_S)
            gone = self.boards.prune(datetime.now(UTC) - self._keep_past)
            if gone:
                log.info("%d flights more than %s past left the boards", gone, self._keep_past)

    async def stop(self) -> None:
        await stop_task(self._prune_task)
        self._prune_task = None
        for feed in self._feeds:
            await feed.stop()
        self.publisher.close()
