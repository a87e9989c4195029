"""The feeds' small I/O parts, each around a pure parser: the simulator's clock, the JSON poller, the CSV
watcher and the AIDX drop folder. Each runs as one asyncio task that :meth:`Feed.stop` ends."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp

from bus.messages.flights import FlightStatus
from central.feeds import aidx, csv_feed, json_feed, simulator
from central.feeds.aidx_http import read_at_most
from central.feeds.health import FeedHealth
from central.feeds.legs import FeedError
from central.flights.board import FlightBoards
from config.background import stop_task

log = logging.getLogger(__name__)

HTTP_TIMEOUT_S = 10.0
BOARD_BEFORE = timedelta(hours=3)  # how long a flight stays on the simulated board after its time
BOARD_AFTER = timedelta(hours=20)


class Feed:
    """A loop that calls :meth:`once` every ``interval_s`` until stopped; errors are the feed's health."""

    def __init__(self, health: FeedHealth, interval_s: float) -> None:
        self.health = health
        self.interval_s = interval_s
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"feed-{self.health.name}")

    async def stop(self) -> None:
        await stop_task(self._task)
        self._task = None
        await self.close()

    async def once(self) -> None:
        raise NotImplementedError

    async def close(self) -> None:
        """Release what the feed holds open."""

    async def _run(self) -> None:
        while True:
            try:
                await self.once()
            except FeedError as exc:
                self.health.failed(str(exc))
            except Exception as exc:  # a feed must never stop the others or central
                log.exception("%s feed failed", self.health.name)
                self.health.failed(f"{type(exc).__name__}: {exc}")
            await asyncio.sleep(self.interval_s)


class SimulatorFeed(Feed):
    """The simulated day, ``speed`` simulated seconds per real second, starting at ``start`` (default now)."""

    def __init__(
        self,
        boards: FlightBoards,
        health: FeedHealth,
        zone: ZoneInfo,
        seed: int,
        speed: float,
        tick_s: float,
        start: datetime | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(health, tick_s)
        self._boards = boards
        self._zone = zone
        self._seed = seed
        self._speed = speed
        self._clock = clock
        self._real_start = clock()
        self._sim_start = start or datetime.fromtimestamp(self._real_start, UTC)
        self._days: dict[date, list[simulator.SimFlight]] = {}

    def now(self) -> datetime:
        """The simulated time, in the site's zone."""
        elapsed = (self._clock() - self._real_start) * self._speed
        return (self._sim_start + timedelta(seconds=elapsed)).astimezone(self._zone)

    async def once(self) -> None:
        now = self.now()
        flights: list[simulator.SimFlight] = []
        days = [now.date() + timedelta(days=offset) for offset in (-1, 0, 1)]
        for day in days:
            if day not in self._days:
                self._days[day] = simulator.schedule(day, self._boards.site, self._zone, self._seed)
            flights.extend(self._days[day])
        for day in list(self._days):
            if day not in days:
                del self._days[day]
        legs = simulator.legs_at(flights, now, BOARD_BEFORE, BOARD_AFTER)
        self.health.delivered(self._boards.replace(self.health.name, legs))


class JsonFeed(Feed):
    """Polls a URL for a JSON flight list, sending ``If-None-Match`` / ``If-Modified-Since`` back."""

    def __init__(
        self,
        boards: FlightBoards,
        health: FeedHealth,
        url: str,
        interval_s: float,
        records_path: str,
        fields: Mapping[str, str],
    ) -> None:
        super().__init__(health, interval_s)
        self._boards = boards
        self._url = url
        self._records_path = records_path
        self._fields = dict(fields)
        self._etag = ""
        self._modified = ""
        self._session: aiohttp.ClientSession | None = None

    async def once(self) -> None:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=HTTP_TIMEOUT_S))
        headers = {}
        if self._etag:
            headers["If-None-Match"] = self._etag
        if self._modified:
            headers["If-Modified-Since"] = self._modified
        try:
            async with self._session.get(self._url, headers=headers) as response:
                if response.status == 304:
                    self.health.delivered([])
                    return
                if response.status != 200:
                    raise FeedError(f"{self._url} answered HTTP {response.status}")
                body = await read_at_most(response.content, json_feed.MAX_DOCUMENT_BYTES)
                if body is None:
                    raise FeedError(f"{self._url} sent more than {json_feed.MAX_DOCUMENT_BYTES} bytes")
                etag, modified = response.headers.get("ETag", ""), response.headers.get("Last-Modified", "")
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise FeedError(f"cannot read {self._url}: {type(exc).__name__} {exc}") from None
        parsed = json_feed.parse(body, self._records_path, self._fields)
        refused = self._boards.replace(self.health.name, parsed.legs)
        self._etag, self._modified = etag, modified  # only once the document was used
        self.health.delivered(parsed.rejected + refused)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


class CsvFeed(Feed):
    """Reads a CSV file again whenever its size or modification time changes."""

    def __init__(self, boards: FlightBoards, health: FeedHealth, path: Path, interval_s: float) -> None:
        super().__init__(health, interval_s)
        self._boards = boards
        self._path = path
        self._seen: tuple[int, int] | None = None

    async def once(self) -> None:
        try:
            stat = self._path.stat()
        except OSError as exc:
            raise FeedError(f"cannot read {self._path}: {exc.strerror}") from None
        seen = (stat.st_mtime_ns, stat.st_size)
        if seen == self._seen:
            return  # unchanged: the feed is as alive as the file is fresh
        if stat.st_size > csv_feed.MAX_DOCUMENT_BYTES:
            raise FeedError(f"{self._path} is {stat.st_size} bytes; at most {csv_feed.MAX_DOCUMENT_BYTES}")
        document = await asyncio.to_thread(self._path.read_bytes)
        self._seen = seen
        parsed = csv_feed.parse(document)
        self.health.delivered(parsed.rejected + self._boards.replace(self.health.name, parsed.legs))


class AidxFolder(Feed):
    """Reads ``*.xml`` AIDX documents dropped in a folder, oldest name first, and moves each to ``done/``
    or ``rejected/`` (with a ``.reason.txt`` beside it)."""

    def __init__(
        self,
        boards: FlightBoards,
        health: FeedHealth,
        folder: Path,
        interval_s: float,
        max_bytes: int,
        status_codes: Mapping[str, FlightStatus | None],
    ) -> None:
        super().__init__(health, interval_s)
        self._boards = boards
        self._folder = folder
        self._max_bytes = max_bytes
        self._status_codes = status_codes

    async def once(self) -> None:
        for path, result in await asyncio.to_thread(self._read_all):
            if isinstance(result, aidx.AidxError):
                log.warning("AIDX file %s rejected: %s", path.name, result.reason)
                self.health.failed(f"{path.name}: {result.reason}")
                await asyncio.to_thread(self._move, path, "rejected", result.reason)
                continue
            self.health.delivered(result.rejected + self._boards.apply(self.health.name, result.changes))
            await asyncio.to_thread(self._move, path, "done", None)

    def _read_all(self) -> list[tuple[Path, aidx.AidxDocument | aidx.AidxError]]:
        """Every document waiting, read and parsed (in a worker thread: files and XML take time)."""
        found: list[tuple[Path, aidx.AidxDocument | aidx.AidxError]] = []
        for path in sorted(self._folder.glob("*.xml")):
            try:
                size = path.stat().st_size
                if size > self._max_bytes:
                    raise aidx.AidxError(f"document of {size} bytes exceeds {self._max_bytes}", 413)
                found.append((path, aidx.parse(path.read_bytes(), self._status_codes, self._max_bytes)))
            except aidx.AidxError as exc:
                found.append((path, exc))
            except OSError as exc:
                log.warning("AIDX file %s unreadable: %s", path.name, exc.strerror)
        return found

    def _move(self, path: Path, where: str, reason: str | None) -> None:
        target = self._folder / where
        target.mkdir(parents=True, exist_ok=True)
        if reason is not None:
            (target / (path.name + ".reason.txt")).write_text(reason + "\n", encoding="utf-8")
        path.replace(target / path.name)
