"""The board diff (an update carries only what changed, and applying it gives the snapshot's board) and
how sources share the boards."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bus.codec import decode, encode
from bus.messages.flights import Direction, Flight, FlightBoard, FlightEvent, FlightStatus, FlightUpdate, apply_update
from bus.topics import TopicKind
from central.feeds.legs import EventTime, Leg, LegKey, LegRemoval
from central.flights.board import FlightBoards, diff

T0 = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)


def make_flight(n: int, gate: str = "", status: FlightStatus = FlightStatus.SCHEDULED) -> Flight:
    return Flight(
        id=f"HU{1000 + n}-20261123-D",
        number=f"HU{1000 + n}",
        direction=Direction.DEPARTURES,
        other_airport="PEK",
        scheduled=T0 + timedelta(minutes=5 * n),
        gate=gate,
        status=status,
    )


flight_states = st.builds(
    make_flight,
    st.integers(min_value=0, max_value=40),
    st.sampled_from(["", "1", "2", "12"]),
    st.sampled_from(list(FlightStatus)),
)
boards = st.lists(flight_states, max_size=30).map(lambda flights: {f.id: f for f in flights})


@settings(deadline=None)
@given(boards, boards)
def test_applying_the_diff_gives_the_new_board_and_carries_only_what_changed(before, after):
    change = diff(before, after)
    update = FlightUpdate(
        direction=Direction.DEPARTURES, base_revision=7, revision=8, changed=change.changed, removed=change.removed
    )
    update = decode(TopicKind.FLIGHTS_UPDATE, encode(update))  # as a device receives it
    assert apply_update(before, update) == after
    snapshot = decode(
        TopicKind.FLIGHTS_DEP,
        encode(FlightBoard(direction=Direction.DEPARTURES, revision=8, flights=list(after.values()))),
    )
    assert {f.id: f for f in snapshot.flights} == apply_update(before, update)
    assert all(before.get(f.id) != f for f in update.changed)
    assert all(i in before and i not in after for i in update.removed)
    assert bool(change) == (before != after)


def test_one_gate_change_among_many_is_one_flight_in_the_update():
    before = {f.id: f for f in (make_flight(n, gate="1") for n in range(2000))}
    after = dict(before)
    after["HU1042-20261123-D"] = make_flight(42, gate="2")
    change = diff(before, after)
    assert [f.id for f in change.changed] == ["HU1042-20261123-D"] and change.removed == []


def leg(number: str, origin: str = "HAK", destination: str = "PEK", status: FlightStatus | None = None) -> Leg:
    times = {
        FlightEvent.OFF_BLOCK: EventTime(scheduled=T0),
        FlightEvent.ON_BLOCK: EventTime(scheduled=T0 + timedelta(hours=3)),
    }
    return Leg(key=LegKey("HU", number, origin, destination, date(2026, 11, 23)), status=status, times=times)


def test_a_source_that_replaces_takes_back_only_its_own_flights():
    board = FlightBoards("HAK")
    board.replace("csv", [leg("1"), leg("2")])
    board.apply("aidx", [leg("3")])
    board.replace("csv", [leg("2")])
    assert sorted(board.flights(Direction.DEPARTURES)) == ["HU2-20261123-D", "HU3-20261123-D"]


def test_legs_elsewhere_stay_off_and_a_leg_without_a_time_is_refused_by_name():
    board = FlightBoards("HAK")
    no_time = Leg(key=LegKey("HU", "9", "HAK", "PEK", date(2026, 11, 23)))
    refused = board.replace("json", [leg("1", "PEK", "CAN"), no_time, leg("2", "CAN", "HAK")])
    assert list(board.flights(Direction.DEPARTURES)) == []
    assert list(board.flights(Direction.ARRIVALS)) == ["HU2-20261123-A"]
    assert refused == ["HU9 HAK-PEK 2026-11-23: HU9: no scheduled departure time"]


def test_a_removal_takes_the_flight_off_and_listeners_hear_every_change():
    board = FlightBoards("HAK")
    heard: list[int] = []
    board.add_listener(lambda: heard.append(1))
    board.apply("aidx", [leg("1", status=FlightStatus.CANCELLED)])
    assert board.flights(Direction.DEPARTURES)["HU1-20261123-D"].status is FlightStatus.CANCELLED
    board.apply("aidx", [LegRemoval(leg("1").key)])
    assert board.flights(Direction.DEPARTURES) == {} and len(heard) == 2


def test_prune_takes_off_flights_long_past_and_forgets_old_legs():
    board = FlightBoards("HAK")
    early = leg("1")
    late = Leg(
        key=LegKey("HU", "2", "HAK", "PEK", date(2026, 11, 23)),
        times={FlightEvent.OFF_BLOCK: EventTime(scheduled=T0, estimated=T0 + timedelta(hours=5))},
    )
    board.apply("aidx", [early, late])
    assert board.prune(T0 + timedelta(hours=1)) == 1
    assert list(board.flights(Direction.DEPARTURES)) == ["HU2-20261123-D"]  # its estimate is still ahead
    assert board.prune(datetime(2026, 11, 26, tzinfo=UTC)) == 1
    assert board._legs == {}
