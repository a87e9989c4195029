"""Demand alerts: a topic well above its usual level raises ``demand_surge`` once, and clears once when it
falls back, however much the signal flaps around the threshold in between (fake clock, no I/O)."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from central.demand import CategoriesCounted, DemandCounter, DemandSettings, DemandWatch, Surge, alert_id
from central.switchboard import CallRecord, MemoryCallStore, Outcome

SETTINGS = DemandSettings(window_s=60, baseline_s=600, factor=3.0, clear_factor=1.5, min_count=10)


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


class RecordingSink:
    def __init__(self) -> None:
        self.events: list[tuple[str, str]] = []

    def raised(self, surge: Surge) -> None:
        self.events.append(("raised", surge.alert_id))

    def cleared(self, alert_id: str) -> None:
        self.events.append(("cleared", alert_id))


def watch() -> tuple[DemandWatch, Clock, RecordingSink]:
    clock, sink = Clock(), RecordingSink()
    return DemandWatch(DemandCounter(SETTINGS), sink, clock, check_s=5), clock, sink


def run(demand: DemandWatch, clock: Clock, per_second: list[int], topic: str = "flight:HU7181") -> None:
    """``per_second[i]`` counts in the i-th second, looking every 5 s as the service does."""
    for second, n in enumerate(per_second):
        for _ in range(n):
            demand.count(topic)
        clock.now += 1
        if second % 5 == 4:
            demand.look()


def test_a_surge_over_a_steady_baseline_raises_once_and_clears_once_under_a_flapping_signal() -> None:
    demand, clock, sink = watch()
    usual = [1 if s % 10 == 0 else 0 for s in range(600)]  # 6 a minute: the usual level
    run(demand, clock, usual)
    assert sink.events == []
    # a minute at 30 a minute (5x usual): raised
    run(demand, clock, [1 if s % 2 == 0 else 0 for s in range(60)])
    assert sink.events == [("raised", "demand_surge:flight:HU7181")]
    # then two minutes of a signal that flaps across the raise threshold: it stays raised, no new alert
    flapping = [(1 if s % 5 == 0 else 0) if (s // 20) % 2 else (1 if s % 2 == 0 else 0) for s in range(120)]
    run(demand, clock, flapping)
    assert sink.events == [("raised", "demand_surge:flight:HU7181")]
    # back to the usual level: cleared once, and it stays cleared
    run(demand, clock, usual)
    assert sink.events == [("raised", "demand_surge:flight:HU7181"), ("cleared", "demand_surge:flight:HU7181")]
    assert demand.view() == {"window_s": 60, "alerts": []}


def test_small_numbers_never_raise_even_from_nothing() -> None:
    demand, clock, sink = watch()
    run(demand, clock, [1] * 9 + [0] * 100)  # 9 in a minute, from a baseline of 0: below min_count
    assert sink.events == []
    run(demand, clock, [1] * 12 + [0] * 20)  # 12 from nothing: a surge
    assert [event for event, _ in sink.events] == ["raised"]
    assert demand.view()["alerts"][0]["recent"] == 12


def test_topics_are_independent_and_the_view_lists_the_biggest_first() -> None:
    demand, clock, sink = watch()
    for topic, n in (("point:T1-GATE-1", 15), ("category:baggage", 40), ("flight:CZ6753", 3)):
        for _ in range(n):
            demand.count(topic)
    clock.now += 10
    demand.look()
    assert [entry["topic"] for entry in demand.view()["alerts"]] == ["category:baggage", "point:T1-GATE-1"]
    assert len(sink.events) == 2


def test_an_alert_id_is_always_a_valid_one() -> None:
    assert alert_id("category:lost & found/护照") == "demand_surge:category:lost___found___"
    assert len(alert_id("x" * 500)) == 128


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=4), min_size=50, max_size=600))
def test_raised_and_cleared_alternate_whatever_the_signal(per_second: list[int]) -> None:
    demand, clock, sink = watch()
    run(demand, clock, per_second)
    states = [event for event, _ in sink.events]
    assert states == ["raised", "cleared"] * (len(states) // 2) + (["raised"] if len(states) % 2 else [])
    assert bool(demand.view()["alerts"]) == (len(states) % 2 == 1)


def test_a_category_counts_once_per_call_when_the_agent_records_it() -> None:
    counted: list[str] = []
    inner = MemoryCallStore()
    store = CategoriesCounted(inner, counted.append)
    bare = CallRecord(
        call_id="c1",
        caller_id="kiosk-t1-01",
        caller_kind="device",
        skill="zh",
        language="zh-CN",
        location="",
        arrived_at=1.0,
        ended_at=9.0,
        outcome=Outcome.ANSWERED,
        end_reason="agent",
        wait_s=2.0,
    )
    store.save(bare)  # the call ends: no category yet
    store.save(replace(bare, category="lost_property"))  # the agent records it
    store.save(replace(bare, category="lost_property", rating=5))  # the passenger rates: no new count
    store.save(replace(bare, call_id="c2", category="lost_property"))
    assert counted == ["category:lost_property", "category:lost_property"]
    assert store.get("c1") == inner.get("c1") and inner.get("c1").rating == 5
