"""Finding a flight without typing Chinese: number, airline code, English city, pinyin and its initials."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bus.messages.flights import Direction, Flight, Via
from device.flights.search import FlightIndex, normalise

T0 = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)


def flight(number: str, other: str, minutes: int, direction: Direction = Direction.DEPARTURES, **extra) -> Flight:
    side = "D" if direction is Direction.DEPARTURES else "A"
    return Flight(
        id=f"{number}-20261123-{side}",
        number=number,
        direction=direction,
        other_airport=other,
        scheduled=T0 + timedelta(minutes=minutes),
        **extra,
    )


BOARD = [
    flight("HU7181", "PEK", 90, codeshares=["CA5167"], city_en="Beijing", city_zh="北京"),
    flight("CA1352", "PKX", 30),
    flight("CZ6753", "CAN", 60, Direction.ARRIVALS),
    flight("HX118", "HKG", 120),
    flight("3U8841", "CTU", 10, via=[Via(code="XIY", city_en="Xi'an", city_zh="西安")]),
    flight("MU5301", "SHA", 45),
    flight("GS7601", "TSN", 50),
]


def numbers(found: list[Flight]) -> list[str]:
    return [f.number for f in found]


def test_beijing_bj_and_chinese_find_both_beijing_airports_in_time_order():
    index = FlightIndex(BOARD)
    for query in ("beijing", "BeiJing", "bei jing", "bj", "北京", "Bei"):
        assert numbers(index.search(query)) == ["CA1352", "HU7181"], query


def test_flight_numbers_airline_codes_and_codeshares():
    index = FlightIndex(BOARD)
    assert numbers(index.search("hu7181")) == ["HU7181"]
    assert numbers(index.search("HU 71")) == ["HU7181"]
    assert numbers(index.search("7181")) == ["HU7181"]
    # CA5167 is a codeshare of HU7181; CZ6753 comes from CAN, after the number matches
    assert numbers(index.search("CA")) == ["CA1352", "HU7181", "CZ6753"]
    assert numbers(index.search("3u")) == ["3U8841"]


def test_english_names_words_codes_via_points_and_no_match():
    index = FlightIndex(BOARD)
    assert numbers(index.search("hong kong")) == ["HX118"]
    assert numbers(index.search("kong")) == ["HX118"]
    assert numbers(index.search("xian")) == ["3U8841", "HX118"]  # a via point (Xi'an); xiang gang is 香港
    assert numbers(index.search("xa")) == ["3U8841"]
    assert numbers(index.search("CAN")) == ["CZ6753"]
    assert numbers(index.search("guangzhou")) == ["CZ6753"]
    assert index.search("zzzz") == [] and index.search("  ") == []
    assert numbers(index.search("s", limit=1)) == ["MU5301"]  # Shanghai, the first place match in time


def test_flight_matches_come_before_city_matches():
    board = [flight("HU1", "SHE", 5), flight("SC2", "PEK", 100)]
    assert numbers(FlightIndex(board).search("s")) == ["SC2", "HU1"]  # SC2 by number, then Shenyang


def test_most_served_cities_group_airports_of_one_city_and_rank_by_flights():
    board = [*BOARD, flight("HU7000", "PEK", 200), flight("MU5000", "PVG", 210)]
    cities = FlightIndex(board).top_cities(3)
    assert [(c.key, c.flights) for c in cities] == [("北京", 3), ("上海", 2), ("成都", 1)]
    assert cities[0].codes == ("PEK", "PKX") and cities[0].name("zh-CN") == "北京" and cities[0].name("en") == "Beijing"
    assert numbers(FlightIndex(board).by_city("上海")) == ["MU5301", "MU5000"]


def test_normalise_drops_what_people_type_between_words():
    assert normalise(" Xi'an - HU 71 ") == "xianhu71"
