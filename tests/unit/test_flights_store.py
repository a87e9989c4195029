"""The device's flight store without a broker: snapshots whole or not at all, updates on their revision
only, gaps noticed, and the disk cache it starts from."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from bus.codec import encode
from bus.messages.flights import Direction, Flight, FlightBoard, FlightUpdate
from central.flights.board import diff
from device.flights.store import BoardChange, FlightStore, Freshness

T0 = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
DEP = Direction.DEPARTURES


def make_flight(n: int, gate: str = "1", direction: Direction = DEP) -> Flight:
    side = "D" if direction is DEP else "A"
    return Flight(
        id=f"HU{n}-20261123-{side}",
        number=f"HU{n}",
        direction=direction,
        other_airport="PEK",
        scheduled=T0 + timedelta(minutes=n),
        gate=gate,
    )


def board(revision: int, *flights: Flight, direction: Direction = DEP) -> FlightBoard:
    return FlightBoard(direction=direction, revision=revision, flights=list(flights), site="HAK", tz="Asia/Shanghai")


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def test_an_update_applies_on_its_base_revision_only_and_a_gap_is_noticed(tmp_path: Path):
    store = FlightStore(tmp_path)
    heard: list[BoardChange] = []
    store.add_listener(heard.append)
    assert store.freshness(DEP) is Freshness.NONE and store.revision(DEP) is None
    assert store.apply_snapshot(board(10, make_flight(1), make_flight(2)))
    assert store.apply_update(FlightUpdate(direction=DEP, base_revision=10, revision=11, changed=[make_flight(1, "9")]))
    assert store.flight("HU1-20261123-D").gate == "9" and store.revision(DEP) == 11
    assert not store.apply_update(
        FlightUpdate(direction=DEP, base_revision=10, revision=11, removed=["HU2-20261123-D"])
    )
    assert store.flight("HU2-20261123-D") is not None  # an old update is ignored
    assert not store.apply_update(
        FlightUpdate(direction=DEP, base_revision=12, revision=13, removed=["HU2-20261123-D"])
    )
    assert store.resyncs == 1 and store.revision(DEP) == 11 and store.flight("HU2-20261123-D") is not None
    assert [(c.reset, [f.id for f in c.changed]) for c in heard] == [(True, []), (False, ["HU1-20261123-D"])]


def test_a_snapshot_with_a_flight_of_the_other_board_is_refused_whole(tmp_path: Path):
    store = FlightStore(tmp_path)
    store.apply_snapshot(board(3, make_flight(1)))
    assert not store.apply_snapshot(board(4, make_flight(2), make_flight(3, direction=Direction.ARRIVALS)))
    assert [f.id for f in store.flights(DEP)] == ["HU1-20261123-D"] and store.revision(DEP) == 3


def test_malformed_payloads_change_nothing(tmp_path: Path):
    store = FlightStore(tmp_path)
    store.handle("airport/HAK/flights/dep", encode(board(3, make_flight(1))))
    for payload in (
        b"",
        b"{",
        b'{"v":1,"direction":"dep","revision":-1,"flights":[]}',
        encode(board(4, direction=Direction.ARRIVALS)),
    ):
        store.handle("airport/HAK/flights/dep", payload)
    store.handle("airport/HAK/flights/update", b'{"v":1,"direction":"dep","base_revision":3,"revision":3}')
    assert store.revision(DEP) == 3 and len(store.flights(DEP)) == 1
    assert store.revision(Direction.ARRIVALS) is None


def test_the_store_starts_from_its_disk_cache_with_the_age_of_what_it_last_heard(tmp_path: Path):
    clock = Clock()
    first = FlightStore(tmp_path, clock=clock)
    first.apply_snapshot(board(7, make_flight(2), make_flight(1)))
    first.close()
    clock.now += 90
    second = FlightStore(tmp_path, clock=clock)
    assert [f.number for f in second.flights(DEP)] == ["HU1", "HU2"]
    assert second.revision(DEP) == 7 and second.freshness(DEP) is Freshness.CACHED
    assert second.age_s(DEP) == 90 and second.site_tz() == "Asia/Shanghai"
    assert second.freshness(Direction.ARRIVALS) is Freshness.NONE and second.age_s(Direction.ARRIVALS) is None
    assert not list(tmp_path.glob("*.tmp"))


def test_a_damaged_cache_is_ignored_and_replaced(tmp_path: Path, caplog):
    (tmp_path / "flights-dep.json").write_text('{"heard_at": 5, "board": {"v": 1, "direction": "dep"', encoding="utf-8")
    (tmp_path / "flights-arr.json").write_text(json.dumps({"heard_at": 5, "board": json.loads(encode(board(1)))}))
    store = FlightStore(tmp_path)
    assert store.freshness(DEP) is Freshness.NONE and "ignoring the flight cache" in caplog.text
    assert store.freshness(Direction.ARRIVALS) is Freshness.NONE  # a departures board in the arrivals file
    store.apply_snapshot(board(2, make_flight(1)))
    assert json.loads((tmp_path / "flights-dep.json").read_text())["board"]["revision"] == 2


boards_strategy = st.lists(
    st.dictionaries(st.integers(min_value=1, max_value=12), st.sampled_from(["1", "2", "3"]), max_size=12),
    min_size=1,
    max_size=12,
)


@settings(deadline=None)
@given(
    boards_strategy,
    st.lists(st.booleans(), min_size=12, max_size=12),
    st.lists(st.booleans(), min_size=12, max_size=12),
)
def test_whatever_updates_go_missing_the_store_holds_centrals_board_of_its_revision(
    tmp_path_factory, states, lost, late
):
    """Central's boards in turn, each update lost or delivered (and a resync served now or later): the
    store's board is always exactly central's board of the revision it claims, never a mix."""
    store = FlightStore(tmp_path_factory.mktemp("store"))
    history: dict[int, dict[str, Flight]] = {0: {}}
    store.apply_snapshot(board(0))
    published: dict[str, Flight] = {}
    for revision, state in enumerate(states, start=1):
        current = {make_flight(n, gate).id: make_flight(n, gate) for n, gate in state.items()}
        change = diff(published, current)
        update = FlightUpdate(
            direction=DEP, base_revision=revision - 1, revision=revision, changed=change.changed, removed=change.removed
        )
        published = history[revision] = current
        resyncs = store.resyncs
        if not lost[revision - 1]:
            store.apply_update(update)
        if store.resyncs > resyncs and not late[revision - 1]:
            store.apply_snapshot(board(revision, *current.values()))  # the broker resends the retained board
        held = store.revision(DEP)
        assert {f.id: f for f in store.flights(DEP)} == history[held]
