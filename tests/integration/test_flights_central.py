"""AIDX over HTTP against ``central`` as a process: the token is required, a document changes a gate and
a device's flight store on Mosquitto sees the update, and hostile documents change nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from bus.link import BusLink
from bus.messages.flights import Direction
from bus.topics import Topics
from config.sections import BusSection
from device.flights.store import FlightStore
from tests.peers.central_flights import FlightsCentral, central_with_aidx
from tests.peers.hostile_xml import BILLION_LAUGHS, EXTERNAL_ENTITY
from tests.peers.mosquitto import Mosquitto
from tests.peers.staff import sign_in_browser_sync
from tests.peers.wait import until, wait_until

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "aidx"
DEP = Direction.DEPARTURES
HU7181 = "HU7181-20261123-D"


def golden(name: str) -> bytes:
    return (GOLDEN / name).read_bytes()


@pytest.fixture
def central(mosquitto: Mosquitto, tmp_path: Path) -> Iterator[FlightsCentral]:
    with central_with_aidx(mosquitto.url, tmp_path / "central") as running:
        yield running


def board_revision(central: FlightsCentral) -> int:
    status, board = central.get_json("/api/flights?direction=dep")
    assert status == 200
    return int(board["revision"])


def test_the_feed_refuses_requests_without_the_token_and_changes_nothing(central: FlightsCentral):
    before = board_revision(central)
    for token in (None, "wrong-token", ""):
        status, answer = central.post_aidx(golden("departure-scheduled-16.1.xml"), token=token)
        assert status == 401, token
        assert "IATA_AIDX_FlightLegNotifRS" in answer and "<Errors>" in answer and "not authorised" in answer
    assert board_revision(central) == before
    assert central.get_json("/api/flights?direction=dep")[1]["flights"] == []


def test_hostile_documents_are_refused_and_nothing_changes(central: FlightsCentral):
    status, answer = central.post_aidx(golden("departure-scheduled-16.1.xml"))
    assert status == 200 and "<Success/>" in answer
    before = board_revision(central)
    for document in (BILLION_LAUGHS, EXTERNAL_ENTITY):
        status, answer = central.post_aidx(document)
        assert status == 400 and "refused" in answer
    status, answer = central.post_aidx(b"<IATA_AIDX_FlightLegNotifRQ" + b" " * 65536, declared_length=100 * 1024 * 1024)
    assert status == 413 and "exceeds" in answer
    status, answer = central.post_aidx(b"not xml at all")
    assert status == 400 and "well-formed" in answer
    assert board_revision(central) == before
    status, flight = central.get_json(f"/api/flights/{HU7181}")
    assert status == 200 and flight["flight"]["gate"] == "12"
    assert "root:" not in str(flight)


def test_the_board_api_checks_its_direction_and_names_the_feed(central: FlightsCentral):
    assert central.get_json("/api/flights?direction=sideways")[0] == 400
    assert central.get_json("/api/flights/no-such-flight")[0] == 404
    status, board = central.get_json("/api/flights?direction=arr")
    assert status == 200 and board["site"] == "HAK" and board["tz"] == "Asia/Shanghai"
    assert [feed["name"] for feed in board["feeds"]] == ["aidx"] and board["feeds"][0]["stale"] is True


async def test_a_document_changes_the_gate_and_a_device_store_on_mosquitto_sees_the_update(
    central: FlightsCentral, mosquitto: Mosquitto, tmp_path: Path
):
    link = BusLink(BusSection(url=mosquitto.url, site="HAK"), "test-device-store")
    store = FlightStore(tmp_path / "device")
    store.attach(link, Topics("airport/HAK"))
    await link.start()
    try:
        status, _ = await asyncio.to_thread(central.post_aidx, golden("departure-scheduled-16.1.xml"))
        assert status == 200
        await until(lambda: store.flight(HU7181) is not None, "the flight on the device")
        revision = store.revision(DEP)
        status, answer = await asyncio.to_thread(central.post_aidx, golden("departure-boarding-gate-change-16.1.xml"))
        assert status == 200 and "<Success/>" in answer
        await until(lambda: store.flight(HU7181).gate == "14", "the new gate on the device")
        assert store.revision(DEP) == revision + 1 and store.resyncs == 0
        assert store.flight(HU7181).status.value == "boarding"
        status, board = await asyncio.to_thread(central.get_json, "/api/flights?direction=dep")
        assert board["revision"] == revision + 1 and board["feeds"][0]["stale"] is False
    finally:
        store.close()
        await link.stop()


def test_a_document_with_one_bad_leg_loads_the_other_and_warns_naming_the_bad_one(central: FlightsCentral):
    status, answer = central.post_aidx(golden("one-bad-leg-16.1.xml"))
    assert status == 200 and "<Success/>" in answer and "FlightLeg 1" in answer and "no time zone" in answer
    wait_until(lambda: central.get_json("/api/flights/GS7602-20261123-A")[0] == 200, "the good leg on the board")
    assert "rejected FlightLeg 1" in central.program.log


@pytest.mark.slow
def test_the_phone_page_shows_the_flight_and_follows_a_gate_change_live(
    central: FlightsCentral, chromium_executable: str, tmp_path: Path
):
    from playwright.sync_api import expect

    from tests.peers.chromium import headless_chromium

    assert central.post_aidx(golden("departure-scheduled-16.1.xml"))[0] == 200
    wait_until(lambda: central.get_json(f"/api/flights/{HU7181}")[0] == 200, "the flight on the board")
    with headless_chromium(chromium_executable) as browser:
        page = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
        errors: list[str] = []
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.goto(f"{central.base_url}/flight/{HU7181}")
        expect(page.locator("#number")).to_have_text("HU7181")
        expect(page.locator("#route")).to_have_text("前往 北京 (PEK)")
        expect(page.locator("#facts")).to_contain_text("登机口12")
        expect(page.locator("#facts")).to_contain_text("15:35")  # local time in Haikou, whatever the browser's
        page.screenshot(path=str(tmp_path / "flight-page-zh.png"))
        assert central.post_aidx(golden("departure-boarding-gate-change-16.1.xml"))[0] == 200
        expect(page.locator("#facts")).to_contain_text("登机口14")
        expect(page.locator("#status")).to_have_text("正在登机")
        expect(page.locator("#facts")).to_contain_text("晚点 15 分钟")
        page.click("#lang-switch")
        expect(page.locator("#route")).to_have_text("to Beijing (PEK)")
        expect(page.locator("#status")).to_have_text("Boarding")
        page.screenshot(path=str(tmp_path / "flight-page-en.png"))
        assert errors == []
        missing = browser.new_page()
        missing.goto(f"{central.base_url}/flight/XX1-20261123-D?lang=en")
        expect(missing.locator("#note")).to_have_text("This flight is not on today's boards.")


def test_a_document_larger_than_one_network_read_loads_whole(central: FlightsCentral):
    legs = "".join(
        f"<FlightLeg><LegIdentifier><Airline>HU</Airline><FlightNumber>{1000 + n}</FlightNumber>"
        "<DepartureAirport>HAK</DepartureAirport><ArrivalAirport>PEK</ArrivalAirport>"
        "<OriginDate>2026-11-23</OriginDate></LegIdentifier><LegData>"
        f'<OperationTime OperationQualifier="OFB" TimeType="SCT">2026-11-23T{n // 60 % 24:02d}:{n % 60:02d}:00Z'
        "</OperationTime></LegData></FlightLeg>"
        for n in range(1500)
    )
    document = f'<IATA_AIDX_FlightLegNotifRQ Version="16.1">{legs}</IATA_AIDX_FlightLegNotifRQ>'.encode()
    assert len(document) > 300_000
    status, answer = central.post_aidx(document)
    assert status == 200, answer
    wait_until(lambda: len(central.get_json("/api/flights?direction=dep")[1]["flights"]) == 1500, "all 1,500 legs")


@pytest.mark.slow
def test_the_facilities_page_names_a_flight_feed_that_went_silent(
    mosquitto: Mosquitto, chromium_executable: str, tmp_path: Path
):
    import shutil

    from playwright.sync_api import expect

    from tests.peers.chromium import headless_chromium

    csv = tmp_path / "flights.csv"
    shutil.copy(GOLDEN.parent / "flights" / "board.csv", csv)
    extra = f'csv_file = "{csv}"\ncsv_interval_s = 0.2\nstale_after_s = 1.0\n'
    with central_with_aidx(mosquitto.url, tmp_path / "central", extra) as central:
        wait_until(
            lambda: any(
                f["name"] == "csv" and f["ok_at"] for f in central.get_json("/api/flights?direction=dep")[1]["feeds"]
            ),
            "the CSV read once",
        )
        wait_until(
            lambda: all(f["stale"] for f in central.get_json("/api/flights?direction=dep")[1]["feeds"]),
            "the CSV feed going stale (its file unchanged)",
        )
        with headless_chromium(chromium_executable) as browser:
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            sign_in_browser_sync(page, central.base_url)
            page.goto(f"{central.base_url}/facilities?lang=en")
            expect(page.locator("#feeds-text")).to_have_text("Flight feed stale: aidx, csv")
            expect(page.locator("#feeds-text")).to_have_attribute("data-state", "stale")
            page.screenshot(path=str(tmp_path / "facilities-feeds-en.png"))
            page.goto(f"{central.base_url}/facilities?lang=zh-CN")
            expect(page.locator("#feeds-text")).to_have_text("航班数据源已停止更新：aidx, csv")
            page.screenshot(path=str(tmp_path / "facilities-feeds-zh.png"))
