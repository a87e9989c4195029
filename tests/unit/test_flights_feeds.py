"""The JSON and CSV feeds' parsers on golden files, hypothesis over their input, and the simulated day."""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bus.messages.flights import Direction, FlightStatus
from central.feeds import csv_feed, json_feed, simulator
from central.feeds.legs import FeedError
from central.flights.board import FlightBoards
from tests.peers.flight_feeds import JSON_FIELDS

DATA = Path(__file__).resolve().parents[1] / "data" / "flights"
HAK = ZoneInfo("Asia/Shanghai")
FIELDS = {**JSON_FIELDS, "remarks_en": "note_en", "remarks_zh": "note_zh"}


def test_json_golden_maps_fields_and_names_each_bad_record():
    parsed = json_feed.parse((DATA / "board.json").read_bytes(), "data.flights", FIELDS)
    assert [leg.key.airline + leg.key.number for leg in parsed.legs] == ["HU7181", "CZ6753", "GS7601"]
    assert len(parsed.rejected) == 3
    assert any("record 2" in r and "no time zone" in r for r in parsed.rejected)
    assert any("record 3" in r and "'landing'" in r for r in parsed.rejected)
    assert any("record 4" in r and "not an object" in r for r in parsed.rejected)
    boards = FlightBoards("HAK")
    assert boards.replace("json", parsed.legs) == []
    hu = boards.flights(Direction.DEPARTURES)["HU7181-20261123-D"]
    assert (hu.status, hu.gate, hu.check_in, hu.codeshares) == (FlightStatus.BOARDING, "12", "C01-C08", ["CA5167"])
    assert (hu.remarks_en, hu.remarks_zh) == ("Delayed", "延误")
    assert hu.estimated == datetime(2026, 11, 23, 7, 50, tzinfo=UTC)
    cz = boards.flights(Direction.ARRIVALS)["CZ6753-20261123-A"]
    assert (cz.status, cz.belt, cz.actual) == (FlightStatus.ARRIVED, "3", datetime(2026, 11, 23, 2, 24, tzinfo=UTC))
    assert boards.flights(Direction.DEPARTURES)["GS7601-20261123-D"].via[0].city_zh == "武汉"


def test_json_documents_that_are_no_list_are_refused_whole():
    for document, path in ((b"{}", ""), (b"[", ""), (b"\xff", ""), (b'{"a": 1}', "a"), (b"[]" * 3, "")):
        with pytest.raises(FeedError):
            json_feed.parse(document, path)
    assert json_feed.parse(b"[]").legs == []


def test_csv_golden_reads_by_header_and_names_each_bad_line():
    parsed = csv_feed.parse((DATA / "board.csv").read_bytes())
    assert [leg.key.airline + leg.key.number for leg in parsed.legs] == ["HU7181", "CZ6753", "GS7601"]
    assert [r.split(":")[0] for r in parsed.rejected] == ["line 4", "line 7"]
    assert "no time zone" in parsed.rejected[0] and "'XX'" in parsed.rejected[1]
    hu = parsed.legs[0]
    assert hu.codeshares == ("CA5167", "MU912") and hu.departure_gate == "12"
    assert parsed.legs[2].via == ("WUH",) and parsed.legs[2].remarks_zh == "经停武汉"


def test_csv_without_a_flight_column_is_refused_whole():
    for document in (b"", b"origin,destination\nHAK,PEK\n", b"\xff\xfe"):
        with pytest.raises(FeedError):
            csv_feed.parse(document)


@settings(deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_raise_only_feed_error(document: bytes):
    for parse in (json_feed.parse, csv_feed.parse):
        with contextlib.suppress(FeedError):
            parse(document)


record_values = st.one_of(st.none(), st.text(max_size=30), st.integers(), st.booleans(), st.lists(st.text(max_size=8)))


@settings(deadline=None)
@given(
    st.lists(st.dictionaries(st.sampled_from([*sorted(FIELDS.values()), "date", "gate"]), record_values), max_size=5)
)
def test_any_json_records_raise_only_feed_error_and_load_onto_a_board(records):
    try:
        parsed = json_feed.parse(json.dumps(records).encode(), "", FIELDS)
    except FeedError:
        return
    FlightBoards("HAK").replace("json", parsed.legs)


def test_the_simulated_day_is_the_same_for_the_same_seed_and_differs_for_another():
    day = date(2026, 11, 23)
    first = simulator.schedule(day, "HAK", HAK, seed=1)
    assert first == simulator.schedule(day, "HAK", HAK, seed=1)
    assert first != simulator.schedule(day, "HAK", HAK, seed=2)
    airlines = {f.key.airline for f in first}
    assert {"HU", "CZ", "MU", "CA", "3U", "GS"} <= airlines
    assert 100 <= len(first) <= 400
    assert len({f.key for f in first}) == len(first)


def test_simulated_statuses_move_with_time_and_include_the_irregular_ones():
    day = date(2026, 11, 23)
    flights = simulator.schedule(day, "HAK", HAK, seed=1) + simulator.schedule(day, "HAK", HAK, seed=7)
    seen: set[FlightStatus] = set()
    gate_changes = 0
    start = datetime(2026, 11, 23, 5, 0, tzinfo=HAK)
    for minutes in range(0, 20 * 60, 10):
        now = start + timedelta(minutes=minutes)
        for leg in simulator.legs_at(flights, now, timedelta(hours=3), timedelta(hours=20)):
            seen.add(leg.status)
            gate_changes += leg.remarks_en == "Gate changed"
    assert seen >= {
        FlightStatus.SCHEDULED,
        FlightStatus.CHECK_IN,
        FlightStatus.BOARDING,
        FlightStatus.FINAL_CALL,
        FlightStatus.GATE_CLOSED,
        FlightStatus.DEPARTED,
        FlightStatus.DELAYED,
        FlightStatus.CANCELLED,
        FlightStatus.APPROACHING,
        FlightStatus.LANDED,
        FlightStatus.ARRIVED,
    }
    assert gate_changes > 0
    one = next(f for f in flights if f.departing and not f.cancelled and f.delay_min == 0)
    before = simulator.legs_at(
        [one], one.scheduled_off - timedelta(minutes=30), timedelta(hours=3), timedelta(hours=20)
    )
    after = simulator.legs_at([one], one.scheduled_off + timedelta(minutes=1), timedelta(hours=3), timedelta(hours=20))
    assert before[0].status is FlightStatus.BOARDING and after[0].status is FlightStatus.DEPARTED


def test_the_simulator_diverts_some_arrivals():
    flights = [f for seed in range(1, 30) for f in simulator.schedule(date(2026, 11, 23), "HAK", HAK, seed)]
    diverted = next(f for f in flights if f.diverted_to)
    lands = diverted.scheduled_on + timedelta(minutes=diverted.delay_min)
    legs = simulator.legs_at([diverted], lands, timedelta(hours=3), timedelta(hours=20))
    assert legs[0].status is FlightStatus.DIVERTED and legs[0].diverted_to == diverted.diverted_to
