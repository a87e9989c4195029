"""What the kiosk makes of a scanned text: a pass and its flight on the board, an info point and its details
from central (a real HTTP server on loopback), or text shown at most."""

from __future__ import annotations

import asyncio
import unicodedata
from datetime import date, datetime

import pytest
from aiohttp import web
from hypothesis import given, settings
from hypothesis import strategies as st

from bus.messages.flights import Direction, Flight, FlightStatus
from hardware.scanner.bcbp import BoardingPass, Leg, encode
from kiosk.scanning.codes import (
    OtherCode,
    PassScanned,
    PointScanned,
    UnreadablePass,
    info_point_id,
    shown_text,
    what_is,
)
from kiosk.scanning.flight import find_flight, local_time
from kiosk.scanning.points import PointUnavailable, fetch_point

CENTRAL = "https://help.hak.example"
TODAY = date(2026, 11, 22)  # day 326
TZ = "Asia/Shanghai"


def leg(origin="HAK", destination="PEK", carrier="HU", number="7181", day=326) -> Leg:
    return Leg("DEF456", origin, destination, carrier, number, day, "Y", "012A", "0012", "1")


def boarding_pass(*legs: Leg) -> BoardingPass:
    return BoardingPass(name="ZHANG/SAN MR", electronic_ticket="E", legs=legs or (leg(),))


def flight(number, other, local: str, direction=Direction.DEPARTURES, **extra) -> Flight:
    scheduled = datetime.fromisoformat(local + "+08:00")
    return Flight(
        id=f"{number}-{scheduled:%Y%m%d}-{direction.value}",
        number=number,
        direction=direction,
        other_airport=other,
        scheduled=scheduled,
        **extra,
    )


BOARD = [
    flight("HU7181", "PEK", "2026-11-21T23:50", gate="3"),  # the same number the day before
    flight("HU7181", "PEK", "2026-11-22T14:35", gate="12", status=FlightStatus.BOARDING),
    flight("HU7181", "PEK", "2026-11-23T14:35", gate="14"),
    flight("CA1352", "PKX", "2026-11-22T09:30", codeshares=["HU9001"]),
    flight("HU7182", "PEK", "2026-11-22T18:00", Direction.ARRIVALS),
]


def test_a_pass_finds_its_departure_on_its_day():
    found = find_flight(boarding_pass(), BOARD, "HAK", TZ, TODAY)
    assert found.flight is not None and found.flight.gate == "12"
    assert found.initials == "Z. S."
    assert local_time(found.flight.scheduled, TZ) == "14:35"


def test_the_leg_leaving_here_is_the_one_looked_up():
    two_legs = boarding_pass(leg("PEK", "HAK", "CA", "1351"), leg("HAK", "PEK", "HU", "07181"))
    found = find_flight(two_legs, BOARD, "HAK", TZ, TODAY)
    assert found.leg.from_airport == "HAK" and found.flight is not None and found.flight.number == "HU7181"


def test_a_codeshare_number_finds_the_operating_flight():
    found = find_flight(boarding_pass(leg(destination="PKX", number="9001")), BOARD, "HAK", TZ, TODAY)
    assert found.flight is not None and found.flight.number == "CA1352"


def test_no_flight_when_the_board_does_not_have_it():
    assert find_flight(boarding_pass(leg(number="1234")), BOARD, "HAK", TZ, TODAY).flight is None
    assert find_flight(boarding_pass(leg(day=10)), BOARD, "HAK", TZ, TODAY).flight is None
    assert find_flight(boarding_pass(), [], "HAK", TZ, TODAY).flight is None


def test_a_pass_without_a_date_takes_the_flight_nearest_today():
    found = find_flight(boarding_pass(leg(day=None)), BOARD, "HAK", TZ, TODAY)
    assert found.flight is not None and found.flight.gate == "12"


def test_a_pass_for_early_january_read_on_new_years_eve_is_next_years():
    board = [flight("HU7181", "PEK", "2027-01-02T08:00"), flight("HU7181", "PEK", "2026-01-02T08:00")]
    found = find_flight(boarding_pass(leg(day=2)), board, "HAK", TZ, date(2026, 12, 31))
    assert found.flight is not None and found.flight.scheduled.year == 2027


def test_texts_are_sorted_by_what_they_are():
    text = encode(boarding_pass())
    assert isinstance(what_is(text, CENTRAL), PassScanned)
    unreadable = what_is(text[:40], CENTRAL)
    assert isinstance(unreadable, UnreadablePass) and "ends inside" in unreadable.reason
    assert what_is(f"{CENTRAL}/p/t1-a12_east", CENTRAL) == PointScanned("t1-a12_east")
    assert what_is("hello", CENTRAL) == OtherCode("hello")


@pytest.mark.parametrize(
    "text",
    [
        "http://help.hak.example/p/t1",  # another scheme
        "https://help.hak.example.evil.example/p/t1",
        "https://evil.example/p/t1",
        "https://help.hak.example@evil.example/p/t1",
        "https://help.hak.example:444/p/t1",
        "https://help.hak.example/p/t1?next=https://evil.example",
        "https://help.hak.example/p/t1#x",
        "https://help.hak.example/p/../admin",
        "https://help.hak.example/p/t1/more",
        "https://help.hak.example/p/",
        "https://help.hak.example/p/" + "a" * 41,
        "https://help.hak.example/q/t1",
        "javascript:alert(1)",
    ],
)
def test_only_this_centrals_point_addresses_are_points(text):
    assert info_point_id(text, CENTRAL) is None
    assert isinstance(what_is(text, CENTRAL), OtherCode)


def test_central_under_a_path_and_any_case_of_scheme_and_host():
    assert info_point_id("HTTPS://Help.HAK.example/help/p/A1", "https://help.hak.example/help") == "A1"
    assert info_point_id("https://help.hak.example/p/A1", "https://help.hak.example/help") is None


def test_shown_text_has_no_control_characters_and_is_cut_short():
    assert shown_text("a\x1b[2Jb\u202ec\u200bd\r\n\te") == "a[2Jbcd e"
    long = shown_text("x" * 500)
    assert len(long) == 160 and long.endswith("…")
    assert shown_text("<b>bold</b>") == "<b>bold</b>"  # shown as typed: the screen never reads markup


POINT = {
    "id": "t1-a12",
    "name": {"zh": "T1 出发大厅 A12", "en": "T1 Departures A12"},
    "terminal": "T1",
    "area": "Departures",
    "floor": "3F",
    "services": [{"zh": "洗手间", "en": "Toilets"}, {"zh": "母婴室", "en": "Baby care"}],
    "map": None,
    "extra": "ignored",
}


@pytest.fixture
async def central():
    """A stand-in for central's point API on loopback: known, broken and slow points."""

    async def point(request: web.Request) -> web.StreamResponse:
        point_id = request.match_info["id"]
        if point_id == "t1-a12":
            return web.json_response(POINT)
        if point_id == "broken":
            return web.Response(text="<html>oops</html>", content_type="text/html")
        if point_id == "other":
            return web.json_response({**POINT, "id": "t2-b1"})
        if point_id == "huge":
            return web.Response(body=b"[" + b"1," * 50_000 + b"1]", content_type="application/json")
        if point_id == "slow":
            await asyncio.sleep(0.5)
        return web.json_response({"error": "no such point"}, status=404)

    app = web.Application()
    app.router.add_get("/api/points/{id}", point)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


async def test_a_points_details_come_from_central(central):
    point = await asyncio.to_thread(fetch_point, central, "t1-a12")
    assert point.name.text("zh-CN") == "T1 出发大厅 A12" and point.name.text("en") == "T1 Departures A12"
    assert [service.text("en") for service in point.services] == ["Toilets", "Baby care"]
    assert (point.terminal, point.area, point.floor, point.map) == ("T1", "Departures", "3F", None)


@pytest.mark.parametrize(
    ("point_id", "reason"),
    [("nowhere", "404"), ("broken", "not a point"), ("other", "described t2-b1"), ("huge", "larger")],
)
async def test_what_central_cannot_answer_is_a_clear_failure(central, point_id, reason):
    with pytest.raises(PointUnavailable, match=reason):
        await asyncio.to_thread(fetch_point, central, point_id)


async def test_a_slow_or_absent_central_fails_within_the_time_limit(central):
    with pytest.raises(PointUnavailable, match="could not be reached"):  # not the 404 that comes after 0.5 s
        await asyncio.to_thread(fetch_point, central, "slow", 0.2)
    with pytest.raises(PointUnavailable, match="could not be reached"):
        await asyncio.to_thread(fetch_point, "http://127.0.0.1:9", "t1-a12")


@settings(deadline=None)
@given(st.one_of(st.text(max_size=400), st.text(max_size=80).map(lambda rest: "M1" + rest)))
def test_any_text_is_sorted_and_what_is_shown_is_clean_and_short(text):
    scanned = what_is(text, CENTRAL)
    assert isinstance(scanned, PassScanned | UnreadablePass | PointScanned | OtherCode)
    if isinstance(scanned, OtherCode):
        assert len(scanned.shown) <= 160
        assert all(char == " " or unicodedata.category(char)[0] not in "CZ" for char in scanned.shown)
