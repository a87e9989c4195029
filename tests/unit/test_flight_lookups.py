"""A passenger's flight lookups on the kiosk, as demand: a search counts once it settles on a few flights
after a pause in typing (not on every keystroke), each flight once per passenger, and a kiosk never floods
(pure: the time is passed in)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.session import FEW_FLIGHTS, LOOKED_UP, LookupLimit, PassengerSession, SearchPause


def test_a_search_counts_once_its_few_results_stood_for_the_pause() -> None:
    pause = SearchPause(pause_s=1.5)
    assert pause.found(["HU7181", "HU7180", "CA1376", "MU5324"], 0.0) is None, "four flights: a browse"
    assert pause.found(["HU7181", "HU7180"], 0.2) == 1.7
    assert pause.settled(1.0) == [], "still typing"
    assert pause.found(["HU7181"], 1.1) == 2.6, "a keystroke that changes the results starts the pause again"
    assert pause.settled(2.0) == []
    assert pause.found(["HU7181"], 2.2) == 2.6, "a board redraw with the same results keeps its place"
    assert pause.settled(2.6) == ["HU7181"]
    assert pause.settled(5.0) == [], "once"
    assert pause.found(["HU7181"], 6.0) is None, "the same results again are the same question"


def test_nothing_found_or_leaving_the_search_counts_nothing() -> None:
    pause = SearchPause(pause_s=1.5)
    assert pause.found([], 0.0) is None
    assert pause.found(["HU7181"], 1.0) == 2.5
    pause.cancel()
    assert pause.settled(10.0) == []
    assert pause.found(["HU7181"], 11.0) == 12.5, "after leaving, the same flight is a new search"
    assert pause.found(["HU7181", "HU7181", "CA1376"], 11.5) == 13.0, "a codeshare row twice is one flight"
    assert pause.settled(13.0) == ["HU7181", "CA1376"]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.lists(st.sampled_from(["HU7181", "CA1376", "MU5324", "CZ6712", "3U8726"]), max_size=5), st.floats(0, 3)
        ),
        max_size=40,
    )
)
def test_whatever_is_typed_only_a_few_flights_that_stood_for_the_pause_settle(
    keys: list[tuple[list[str], float]],
) -> None:
    pause = SearchPause(pause_s=1.5)
    now, shown, since = 0.0, (), 0.0
    for numbers, gap in keys:
        found = tuple(dict.fromkeys(numbers))
        if found != shown:
            shown, since = found, now
        pause.found(numbers, now)
        now += gap
        settled = pause.settled(now)
        if settled:
            assert tuple(settled) == shown and 0 < len(settled) <= FEW_FLIGHTS
            assert now - since >= 1.5 - 1e-9, "only after the pause"


def test_each_flight_once_per_passenger_and_a_few_per_passenger() -> None:
    limit = LookupLimit(per_passenger=4, per_minute=100)
    assert limit.allow(["HU7181"], 0.0) == ["HU7181"]
    assert limit.allow(["HU7181"], 1.0) == [], "tapping the same flight again"
    assert limit.allow(["HU7181", "CA1376", "CA1376"], 2.0) == ["CA1376"]
    assert limit.allow(["MU1", "MU2", "MU3"], 3.0) == ["MU1", "MU2"], "four flights per passenger"
    limit.new_passenger()
    assert limit.allow(["HU7181"], 4.0) == ["HU7181"], "the next passenger asks afresh"


def test_a_kiosk_reports_at_most_so_many_flights_a_minute_across_passengers() -> None:
    limit = LookupLimit(per_passenger=10, per_minute=3)
    for at in range(5):
        limit.new_passenger()  # Home and back, again and again
        limit.allow(["HU7181"], float(at))
    limit.new_passenger()
    assert limit.allow(["HU7181"], 10.0) == []
    assert limit.allow(["HU7181"], 60.5) == ["HU7181"], "a minute after the first, room again"


class Sent:
    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, name: str, data: dict[str, Any]) -> None:
        self.events.append((name, data))


def test_the_session_sends_the_looked_up_flights_and_forgets_them_with_the_passenger() -> None:
    now = [0.0]
    session = PassengerSession("zh-CN", clock=lambda: now[0])
    session.looked_up(["HU7181"], "detail")  # before the outbox exists: nothing to send it with, nothing kept
    sent = Sent()
    session.report_lookups_to(sent)
    session.looked_up(["CA1376"], "detail")
    session.looked_up(["CA1376", "MU5324"], "search")
    session.looked_up(["CA1376"], "detail")
    assert sent.events == [
        (LOOKED_UP, {"flights": ["CA1376"], "via": "detail"}),
        (LOOKED_UP, {"flights": ["MU5324"], "via": "search"}),
    ]
    session.reset()
    session.looked_up(["CA1376"], "detail")
    assert sent.events[-1] == (LOOKED_UP, {"flights": ["CA1376"], "via": "detail"})
