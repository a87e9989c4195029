"""The picture the kiosk asks the agent for, as a pure unit: smaller while the kiosk cannot decode what
arrives, back to the agent's best once it can, never flapping faster than the hysteresis allows."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from video.adaptation import LADDER, Limit, Tuning
from video.receive_adaptation import PICTURE_MESSAGE, ReceiveAdaptation, Received


def feed(adaptation: ReceiveAdaptation, start: float, seconds: float, **received: object) -> float:
    at = start
    while at < start + seconds:
        adaptation.observe(Received(at=at, **received))  # type: ignore[arg-type]
        at += 0.5
    return at


def test_skipped_frames_ask_for_less_one_rung_at_a_time_down_to_the_smallest():
    adaptation = ReceiveAdaptation()
    assert adaptation.request.message() == {
        "type": PICTURE_MESSAGE, "max_width": None, "max_height": None, "max_fps": None, "max_kbps": None, "limit": "",
    }  # fmt: skip
    at = feed(adaptation, 0.0, 1.6, decode_ms=5.0, skipped=4)
    assert adaptation.index == 1
    request = adaptation.request
    assert (request.max_width, request.max_height, request.max_fps) == (640, 480, 15)
    assert request.limit is Limit.CPU and request.message()["limit"] == "kiosk CPU"
    feed(adaptation, at, 20.0, decode_ms=5.0, skipped=2)
    assert adaptation.index == len(LADDER) - 1 and adaptation.request.max_width == 320
    assert [rung for _, rung, _ in adaptation.changes] == list(LADDER[1:]), "one rung at a time"


def test_a_decoder_slower_than_the_frames_arrive_or_a_kiosk_already_cutting_its_own_picture_asks_for_less():
    slow = ReceiveAdaptation()
    feed(slow, 0.0, 1.6, decode_ms=30.0)  # 30 ms of a 33 ms interval
    assert slow.index == 1
    cut = ReceiveAdaptation()
    feed(cut, 0.0, 1.6, decode_ms=2.0, sending_cut_for_cpu=True)
    assert cut.index == 1


def test_with_room_again_it_asks_for_the_agents_best_and_says_no_limit():
    adaptation = ReceiveAdaptation()
    at = feed(adaptation, 0.0, 6.0, skipped=3)
    assert adaptation.index > 0
    feed(adaptation, at, 60.0, decode_ms=2.0)
    assert adaptation.index == 0
    assert adaptation.request.max_width is None and adaptation.request.limit is Limit.NONE


def test_off_it_never_asks():
    adaptation = ReceiveAdaptation(enabled=False)
    feed(adaptation, 0.0, 10.0, skipped=10)
    assert adaptation.index == 0 and not adaptation.changes


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.none() | st.floats(0.5, 200.0),
            st.integers(0, 5),
            st.booleans(),
            st.none() | st.floats(0.0, 2000.0),
            st.none() | st.floats(0.0, 200.0),
        ),
        min_size=1,
        max_size=150,
    )
)
def test_noisy_measurements_never_change_the_request_faster_than_the_hysteresis_allows(observations):
    tuning = Tuning()
    adaptation = ReceiveAdaptation(tuning=tuning)
    for i, (decode_ms, skipped, cut, behind_ms, late_ms) in enumerate(observations):
        adaptation.observe(Received(i * 0.5, decode_ms, skipped, cut, behind_ms, late_ms))
    times = [at for at, _, _ in adaptation.changes]
    assert all(later - earlier >= tuning.hold_s for earlier, later in itertools.pairwise(times))
    rungs = [LADDER.index(rung) for _, rung, _ in adaptation.changes]
    bottom = len(LADDER) - 1
    assert all(abs(b - a) == 1 or b == bottom for a, b in zip([0, *rungs], rungs, strict=False)), (
        "one rung at a time, or straight down to the smallest picture"
    )


def test_pictures_arriving_ever_later_ask_for_less_for_the_cpu_when_the_loop_is_late_else_for_the_network():
    starved = ReceiveAdaptation()
    feed(starved, 0.0, 1.6, decode_ms=3.0, behind_ms=400.0, loop_late_ms=70.0)
    assert starved.index == 1 and starved.request.limit is Limit.CPU
    congested = ReceiveAdaptation()
    feed(congested, 0.0, 1.6, decode_ms=3.0, behind_ms=400.0, loop_late_ms=2.0)
    assert congested.index == 1 and congested.request.limit is Limit.NETWORK


def test_a_picture_somewhat_behind_neither_asks_for_less_nor_climbs():
    adaptation = ReceiveAdaptation()
    at = feed(adaptation, 0.0, 1.6, behind_ms=500.0, loop_late_ms=70.0)
    assert adaptation.index == 1
    at = feed(adaptation, at, 60.0, decode_ms=2.0, behind_ms=100.0)
    assert adaptation.index == 1, "100 ms behind: no room to climb, no reason to fall"
    feed(adaptation, at, 60.0, decode_ms=2.0, behind_ms=10.0)
    assert adaptation.index == 0


def test_seconds_behind_goes_straight_to_the_smallest_picture_and_climbs_back_a_rung_at_a_time():
    adaptation = ReceiveAdaptation()
    adaptation.observe(Received(at=0.0, behind_ms=2500.0, loop_late_ms=80.0))
    assert adaptation.index == len(LADDER) - 1 and adaptation.request.limit is Limit.CPU
    at = feed(adaptation, 0.5, 1.0, behind_ms=3000.0)  # still behind: nothing below, nothing changes
    feed(adaptation, at, 60.0, decode_ms=1.0, behind_ms=5.0)
    assert [LADDER.index(rung) for _, rung, _ in adaptation.changes] == [3, 2, 1, 0]
