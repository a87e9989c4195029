"""The feeds' I/O parts on real files and a real HTTP server: the JSON poller with ETag, the CSV watcher,
the AIDX drop folder, the simulator's clock, and a feed going stale."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web

from bus.messages.flights import Direction
from central.feeds.aidx import STATUS_CODES
from central.feeds.health import FeedHealth
from central.feeds.legs import FeedError
from central.feeds.pollers import AidxFolder, CsvFeed, JsonFeed, SimulatorFeed
from central.flights.board import FlightBoards
from tests.peers.flight_feeds import JSON_FIELDS
from tests.peers.net import free_port

DATA = Path(__file__).resolve().parents[1] / "data"
FIELDS = JSON_FIELDS


class JsonSource:
    """A real HTTP server with an ETag, counting what it answers."""

    def __init__(self) -> None:
        self.body = (DATA / "flights" / "board.json").read_bytes()
        self.etag = '"v1"'
        self.answers: list[int] = []

    async def handle(self, request: web.Request) -> web.StreamResponse:
        status = 304 if request.headers.get("If-None-Match") == self.etag else 200
        self.answers.append(status)
        if status == 304:
            return web.Response(status=304, headers={"ETag": self.etag})
        return web.Response(body=self.body, content_type="application/json", headers={"ETag": self.etag})


@pytest.fixture
async def json_source() -> AsyncIterator[tuple[JsonSource, str]]:
    source = JsonSource()
    app = web.Application()
    app.router.add_get("/flights.json", source.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield source, f"http://127.0.0.1:{port}/flights.json"
    await runner.cleanup()


async def test_the_json_poller_sends_the_etag_back_and_reads_a_changed_document(json_source, caplog):
    source, url = json_source
    boards = FlightBoards("HAK")
    feed = JsonFeed(boards, FeedHealth("json", 300), url, 30, "data.flights", FIELDS)
    try:
        await feed.once()
        assert "HU7181-20261123-D" in boards.flights(Direction.DEPARTURES)
        assert feed.health.rejected == 3 and "json feed: rejected record 2" in caplog.text
        await feed.once()
        assert source.answers == [200, 304] and not feed.health.stale()
        source.body, source.etag = b'{"data": {"flights": []}}', '"v2"'
        await feed.once()
        assert source.answers == [200, 304, 200] and boards.flights(Direction.DEPARTURES) == {}

    finally:
        await feed.stop()


async def test_the_json_poller_reports_an_unreachable_source(caplog):
    feed = JsonFeed(FlightBoards("HAK"), FeedHealth("json", 300), f"http://127.0.0.1:{free_port()}/x", 30, "", {})
    try:
        with pytest.raises(FeedError, match="cannot read"):
            await feed.once()
    finally:
        await feed.stop()


async def test_the_csv_watcher_reads_a_changed_file_and_keeps_the_board_on_a_missing_one(tmp_path: Path):
    path = tmp_path / "flights.csv"
    shutil.copy(DATA / "flights" / "board.csv", path)
    boards = FlightBoards("HAK")
    feed = CsvFeed(boards, FeedHealth("csv", 300), path, 1)
    await feed.once()
    assert sorted(boards.flights(Direction.DEPARTURES)) == ["GS7601-20261123-D", "HU7181-20261123-D"]
    assert feed.health.rejected == 2
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    path.write_text("\n".join(lines[:2]) + "\n", encoding="utf-8")  # only HU7181 now
    await feed.once()
    assert sorted(boards.flights(Direction.DEPARTURES)) == ["HU7181-20261123-D"]
    path.unlink()
    with pytest.raises(FeedError, match="cannot read"):
        await feed.once()
    assert sorted(boards.flights(Direction.DEPARTURES)) == ["HU7181-20261123-D"]


async def test_the_drop_folder_loads_good_documents_and_sets_aside_hostile_ones_with_the_reason(tmp_path: Path):
    folder = tmp_path / "aidx"
    folder.mkdir()
    shutil.copy(DATA / "aidx" / "departure-scheduled-16.1.xml", folder / "001.xml")
    shutil.copy(DATA / "aidx" / "departure-boarding-gate-change-16.1.xml", folder / "002.xml")
    (folder / "003.xml").write_bytes(
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>'
    )
    boards = FlightBoards("HAK")
    feed = AidxFolder(boards, FeedHealth("aidx-folder", 300), folder, 1, 1024 * 1024, STATUS_CODES)
    await feed.once()
    assert boards.flights(Direction.DEPARTURES)["HU7181-20261123-D"].gate == "14"
    assert sorted(p.name for p in (folder / "done").iterdir()) == ["001.xml", "002.xml"]
    assert sorted(p.name for p in (folder / "rejected").iterdir()) == ["003.xml", "003.xml.reason.txt"]
    assert "refused" in (folder / "rejected" / "003.xml.reason.txt").read_text()
    assert list(folder.glob("*.xml")) == []


async def test_the_simulator_fills_both_boards_at_speed_and_says_the_site_time():
    ticks = [1000.0]
    boards = FlightBoards("HAK")
    zone = ZoneInfo("Asia/Shanghai")
    start = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 09:00 in Haikou
    feed = SimulatorFeed(boards, FeedHealth("simulator", 300), zone, 1, 60.0, 1.0, start, clock=lambda: ticks[0])
    await feed.once()
    departures = boards.flights(Direction.DEPARTURES)
    assert departures and boards.flights(Direction.ARRIVALS)
    assert feed.now().hour == 9
    before = {f.id: f.status for f in departures.values()}
    ticks[0] += 60  # an hour of simulated time
    await feed.once()
    assert feed.now().hour == 10
    after = {f.id: f.status for f in boards.flights(Direction.DEPARTURES).values()}
    assert any(before.get(id_) != status for id_, status in after.items())


def test_a_feed_that_goes_silent_is_stale():
    now = [0.0]
    health = FeedHealth("csv", 60, clock=lambda: now[0])
    assert health.stale()
    health.delivered([])
    now[0] = 59
    assert not health.stale() and health.view()["stale"] is False
    now[0] = 61
    assert health.stale()
    health.failed("cannot read /x")
    assert health.view()["error"] == "cannot read /x"
