"""Central's event log when a device's outbox sends events again after a reconnect: repeats are dropped, an
event that was missing and comes late fills its gap (taken once, no longer missing), and nothing else is
taken twice, whatever the order the events arrive in."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bus.messages.device import DeviceEvent
from bus.topics import Topics
from central.device_events import MAX_GAPS, DeviceEventLog

TOPICS = Topics("airport/HAK")


def event(seq: int) -> DeviceEvent:
    return DeviceEvent(seq=seq, name="print.done", data={})


def test_a_late_event_fills_its_gap_and_a_resend_of_old_ones_is_dropped() -> None:
    log = DeviceEventLog(TOPICS)
    taken: list[int] = []
    log.add_listener(lambda _device, e: taken.append(e.seq))
    for seq in (0, 1, 2, 4, 5):  # 3 acknowledged by a dying broker and not passed on
        log.take("kiosk-a", event(seq))
    stats = log.stats("kiosk-a")
    assert stats is not None and (stats.missing, stats.gaps) == (1, [(3, 3)])
    for seq in range(6):  # the outbox sends its recent ones again after the reconnect
        log.take("kiosk-a", event(seq))
    assert taken == [0, 1, 2, 4, 5, 3]
    assert (stats.taken, stats.missing, stats.filled, stats.repeats, stats.last_seq) == (6, 0, 1, 5, 5)
    assert stats.gaps == []


def test_filling_the_middle_of_a_gap_leaves_both_ends_missing() -> None:
    log = DeviceEventLog(TOPICS)
    log.take("kiosk-a", event(0))
    log.take("kiosk-a", event(10))
    log.take("kiosk-a", event(5))
    stats = log.stats("kiosk-a")
    assert stats is not None and stats.gaps == [(1, 4), (6, 9)] and stats.missing == 8
    assert not log.take("kiosk-a", event(5))  # now a repeat


def test_only_the_newest_gaps_are_remembered() -> None:
    log = DeviceEventLog(TOPICS)
    for n in range(MAX_GAPS + 2):
        log.take("kiosk-a", event(2 * n))  # every odd seq missing
    stats = log.stats("kiosk-a")
    assert stats is not None and len(stats.gaps) == MAX_GAPS and stats.missing == MAX_GAPS + 1
    assert not log.take("kiosk-a", event(1))  # forgotten: a late one counts as a repeat, still missing
    assert log.take("kiosk-a", event(2 * MAX_GAPS + 1))
    assert stats.missing == MAX_GAPS


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(0, 40), min_size=1, max_size=80),
    st.lists(st.integers(0, 40), max_size=80),
)
def test_each_seq_is_taken_at_most_once_and_missing_counts_what_never_came(
    first_pass: list[int], resent: list[int]
) -> None:
    log = DeviceEventLog(TOPICS)
    taken: list[int] = []
    log.add_listener(lambda _device, e: taken.append(e.seq))
    for seq in first_pass + resent:
        log.take("kiosk-a", event(seq))
    stats = log.stats("kiosk-a")
    assert stats is not None
    assert len(taken) == len(set(taken)) == stats.taken
    assert set(taken) == set(first_pass + resent) - {s for s in set(first_pass + resent) if s < (first_pass[0])}
    span = set(range(first_pass[0], stats.last_seq + 1))
    assert stats.missing == len(span - set(taken))
    assert stats.repeats == len(first_pass) + len(resent) - stats.taken
