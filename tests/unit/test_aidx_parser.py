"""The AIDX parser on golden documents written from the schema's element names, on hostile documents,
and on anything hypothesis makes of them: nothing escapes but AidxError."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bus.messages.flights import Direction, FlightStatus
from central.feeds.aidx import MAX_DEPTH, AidxError, answer, parse
from central.feeds.legs import Leg, LegRemoval, flights_for_site
from central.flights.board import FlightBoards
from tests.peers.hostile_xml import BILLION_LAUGHS, EXTERNAL_ENTITY, PLAIN_DTD

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "aidx"
SITE = "HAK"


def golden(name: str) -> bytes:
    return (GOLDEN / name).read_bytes()


def board_after(*names: str) -> FlightBoards:
    boards = FlightBoards(SITE)
    for name in names:
        boards.apply("aidx", parse(golden(name)).changes)
    return boards


def only_flight(boards: FlightBoards, direction: Direction):
    flights = list(boards.flights(direction).values())
    assert len(flights) == 1, flights
    return flights[0]


def test_a_departure_from_schedule_to_takeoff_keeps_what_later_documents_leave_out():
    scheduled = only_flight(board_after("departure-scheduled-16.1.xml"), Direction.DEPARTURES)
    assert scheduled.id == "HU7181-20261123-D" and scheduled.number == "HU7181"
    assert (scheduled.airline, scheduled.airline_zh, scheduled.airline_code) == ("Hainan Airlines", "海南航空", "HU")
    assert (scheduled.other_airport, scheduled.city_en, scheduled.city_zh) == ("PEK", "Beijing", "北京")
    assert scheduled.status is FlightStatus.SCHEDULED
    assert scheduled.scheduled == datetime(2026, 11, 23, 7, 35, tzinfo=UTC)
    assert (scheduled.gate, scheduled.stand, scheduled.terminal, scheduled.check_in) == ("12", "212", "T1", "C01-C08")
    assert scheduled.codeshares == ["CA5167", "MU912"]

    boarding = only_flight(
        board_after("departure-scheduled-16.1.xml", "departure-boarding-gate-change-16.1.xml"), Direction.DEPARTURES
    )
    assert boarding.status is FlightStatus.BOARDING
    assert boarding.gate == "14"  # Usage="Actual" over the planned 12
    assert boarding.estimated == datetime(2026, 11, 23, 7, 50, tzinfo=UTC)
    assert boarding.codeshares == ["CA5167", "MU912"] and boarding.stand == "212"  # not said again: kept

    departed = only_flight(
        board_after(
            "departure-scheduled-16.1.xml", "departure-boarding-gate-change-16.1.xml", "departure-departed-16.1.xml"
        ),
        Direction.DEPARTURES,
    )
    assert departed.status is FlightStatus.DEPARTED  # no status sent: the actual off-block time moves it on
    assert departed.gate == "14"  # not said again: kept
    assert departed.actual == datetime(2026, 11, 23, 7, 52, tzinfo=UTC)
    takeoff = {t.event.value: t for t in departed.times}["takeoff"]
    assert takeoff.actual == datetime(2026, 11, 23, 8, 3, tzinfo=UTC)


def test_an_arrival_without_namespace_in_13_2_with_belt_terminal_and_landing():
    arrival = only_flight(board_after("arrival-landed-no-namespace-13.2.xml"), Direction.ARRIVALS)
    assert arrival.id == "CZ6753-20261123-A" and arrival.status is FlightStatus.LANDED
    assert (arrival.belt, arrival.terminal, arrival.stand, arrival.city_zh) == ("3", "T2", "108", "广州")
    assert arrival.scheduled.utcoffset().total_seconds() == 8 * 3600  # kept as the feed gave it
    assert arrival.estimated == datetime(2026, 11, 23, 2, 31, tzinfo=UTC)


def test_multi_leg_puts_each_leg_on_its_own_board_and_other_airports_legs_nowhere():
    boards = board_after("multi-leg-14.1.xml")
    assert list(boards.flights(Direction.ARRIVALS)) == ["MU5301-20261123-A"]
    assert list(boards.flights(Direction.DEPARTURES)) == ["MU5301-20261123-D"]
    assert boards.flights(Direction.ARRIVALS)["MU5301-20261123-A"].city_en == "Shanghai"
    assert boards.flights(Direction.DEPARTURES)["MU5301-20261123-D"].city_zh == "三亚"


def test_cancel_then_reinstate_then_delete():
    cancelled = only_flight(board_after("cancel-15.1.xml"), Direction.DEPARTURES)
    assert cancelled.status is FlightStatus.CANCELLED
    reinstated = only_flight(board_after("cancel-15.1.xml", "reinstate-15.1.xml"), Direction.DEPARTURES)
    assert reinstated.status is FlightStatus.SCHEDULED
    assert isinstance(parse(golden("delete-15.1.xml")).changes[0], LegRemoval)
    assert board_after("cancel-15.1.xml", "delete-15.1.xml").flights(Direction.DEPARTURES) == {}


def test_a_diversion_marks_the_arrival_and_the_repeated_leg_elsewhere_stays_off_the_board():
    document = parse(golden("diversion-16.1.xml"))
    repeated = [c for c in document.changes if isinstance(c, Leg) and c.key.repeat_index == 2]
    assert repeated and repeated[0].diverted_to == "SYX"
    assert flights_for_site(repeated[0], SITE) == []
    arrival = only_flight(board_after("diversion-16.1.xml"), Direction.ARRIVALS)
    assert arrival.status is FlightStatus.DIVERTED and arrival.id == "CA1355-20261123-A"


def test_nil_times_clear_what_was_estimated():
    boards = board_after("departure-boarding-gate-change-16.1.xml")
    assert only_flight(boards, Direction.DEPARTURES).estimated is not None
    boards.apply("aidx", parse(golden("nil-times-16.1.xml")).changes)
    flight = only_flight(boards, Direction.DEPARTURES)
    assert flight.estimated is None and flight.actual is None and flight.status is FlightStatus.SCHEDULED


def test_a_time_without_zone_rejects_its_leg_by_name_and_the_good_leg_still_loads(caplog):
    document = parse(golden("one-bad-leg-16.1.xml"))
    assert len(document.rejected) == 1 and "no time zone" in document.rejected[0]
    assert "FlightLeg 1" in caplog.text
    assert [c.key.number for c in document.changes] == ["7602"]


def test_every_golden_document_parses_and_versions_out_of_range_are_refused():
    for path in GOLDEN.glob("*.xml"):
        assert parse(path.read_bytes()).changes, path.name
    text = golden("departure-scheduled-16.1.xml").decode()
    for version in ("13.1", "16.2", "17.0", "x"):
        with pytest.raises(AidxError, match="Version"):
            parse(text.replace('Version="16.1"', f'Version="{version}"').encode())


@pytest.mark.parametrize("document", [BILLION_LAUGHS, EXTERNAL_ENTITY, PLAIN_DTD], ids=["laughs", "xxe", "dtd"])
def test_dtds_and_entities_are_refused(document: bytes):
    with pytest.raises(AidxError, match="refused"):
        parse(document)


def test_oversized_and_too_deep_documents_are_refused():
    with pytest.raises(AidxError) as too_big:
        parse(b"<a>" + b" " * 2_000_000 + b"</a>")
    assert too_big.value.status == 413
    deep = b"<a>" * (MAX_DEPTH + 1) + b"</a>" * (MAX_DEPTH + 1)
    with pytest.raises(AidxError, match="deeper"):
        parse(deep)
    with pytest.raises(AidxError, match="root element"):
        parse(b"<IATA_AIDX_FlightLegNotifRS Version='16.1'/>")


def test_the_answer_is_well_formed_and_escapes_what_it_repeats():
    from defusedxml.ElementTree import fromstring

    ok = fromstring(answer("T<1>", "16.1", warnings=["FlightLeg 2: <bad>"]))
    assert ok.tag.endswith("IATA_AIDX_FlightLegNotifRS") and ok.get("TransactionIdentifier") == "T<1>"
    assert [child.tag.rsplit("}", 1)[-1] for child in ok] == ["Success", "Warnings"]
    error = fromstring(answer("", "nonsense", error="not authorised & <no>"))
    assert error.get("Version") == "16.1"
    assert "not authorised & <no>" in "".join(error.itertext())


GOLDEN_TEXTS = [path.read_bytes() for path in sorted(GOLDEN.glob("*.xml"))]


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    st.sampled_from(GOLDEN_TEXTS),
    st.integers(min_value=0, max_value=4000),
    st.integers(min_value=0, max_value=200),
    st.binary(max_size=40),
)
def test_a_damaged_document_raises_only_aidx_error(document: bytes, at: int, cut: int, junk: bytes):
    damaged = document[:at] + junk + document[at + cut :]
    try:
        result = parse(damaged)
    except AidxError:
        return
    boards = FlightBoards(SITE)
    boards.apply("aidx", result.changes)  # whatever parsed also goes on a board without raising


@settings(deadline=None)
@given(
    status=st.text(max_size=6),
    qualifier=st.sampled_from(["OFB", "TKO", "TDN", "ONB", "XXX", ""]),
    kind=st.sampled_from(["SCT", "EST", "ACT", "PLN"]),
    value=st.text(max_size=40),
    airline=st.text(max_size=4),
    number=st.text(max_size=6),
)
def test_any_field_values_raise_only_aidx_error(status, qualifier, kind, value, airline, number):
    from xml.sax.saxutils import escape

    def clean(text: str) -> str:
        return escape("".join(ch for ch in text if ch.isprintable()))

    document = f"""<IATA_AIDX_FlightLegNotifRQ Version="16.1"><FlightLeg><LegIdentifier>
      <Airline>{clean(airline)}</Airline><FlightNumber>{clean(number)}</FlightNumber>
      <DepartureAirport>HAK</DepartureAirport><ArrivalAirport>PEK</ArrivalAirport>
      <OriginDate>2026-11-23</OriginDate></LegIdentifier><LegData>
      <OperationalStatus>{clean(status)}</OperationalStatus>
      <OperationTime OperationQualifier="{qualifier}" TimeType="{kind}">{clean(value)}</OperationTime>
      </LegData></FlightLeg></IATA_AIDX_FlightLegNotifRQ>""".encode()
    try:
        result = parse(document)
    except AidxError:
        return
    FlightBoards(SITE).apply("aidx", result.changes)
