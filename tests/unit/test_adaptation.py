"""The call's picture adaptation as a pure unit: it steps down when the kiosk's CPU or the network falls
behind, climbs back when there is room, and never flaps faster than its hysteresis allows."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from video.adaptation import LADDER, Adaptation, Limit, Measured, Tuning

TOP, BOTTOM = LADDER[0], LADDER[-1]


def feed(adaptation: Adaptation, start: float, seconds: float, step: float = 0.5, **measured: float) -> float:
    at = start
    while at < start + seconds:
        adaptation.observe(Measured(at=at, **measured))
        at += step
    return at


def test_a_kiosk_that_cannot_encode_in_time_lowers_the_frame_rate_first_then_the_resolution():
    adaptation = Adaptation()
    # 30 ms per 640x480 frame: more than 0.8 of the 33 ms interval at 30 fps
    at = feed(adaptation, 0.0, 1.6, encode_ms=30.0)
    assert adaptation.rung == LADDER[1] and (LADDER[1].width, LADDER[1].fps) == (640, 15)
    assert adaptation.limit is Limit.CPU
    # at 15 fps the same frame fits (30 < 0.8 x 66 ms): it stays there
    at = feed(adaptation, at, 20.0, encode_ms=30.0)
    assert adaptation.rung == LADDER[1]
    # a slower CPU: 60 ms a frame at 640x480 is too much even at 15 fps
    feed(adaptation, at, 10.0, encode_ms=60.0)
    assert adaptation.rung.width < 640


def test_it_climbs_back_once_the_rung_above_would_fit_with_room_and_says_so_no_more():
    adaptation = Adaptation()
    at = feed(adaptation, 0.0, 1.6, encode_ms=30.0)
    assert adaptation.index == 1
    at = feed(adaptation, at, 5.0, encode_ms=8.0)  # room, but not yet for long enough
    assert adaptation.index == 1
    feed(adaptation, at, 3.0, encode_ms=8.0)
    assert adaptation.index == 0 and adaptation.limit is Limit.NONE


def test_loss_or_a_low_bitrate_estimate_steps_down_and_names_the_network():
    lossy = Adaptation()
    feed(lossy, 0.0, 1.6, encode_ms=5.0, loss=0.12)
    assert lossy.index == 1 and lossy.limit is Limit.NETWORK
    narrow = Adaptation()
    feed(narrow, 0.0, 30.0, encode_ms=5.0, bitrate_kbps=300.0)  # only the 320x240 rung needs ≤ 300 kbit/s
    assert narrow.rung == BOTTOM and narrow.limit is Limit.NETWORK


def test_at_the_bottom_it_stays_and_still_says_why():
    adaptation = Adaptation()
    feed(adaptation, 0.0, 60.0, encode_ms=500.0)
    assert adaptation.rung == BOTTOM and adaptation.limit is Limit.CPU


def test_a_climb_that_fails_at_once_makes_the_next_climb_wait_twice_as_long():
    tuning = Tuning()
    adaptation = Adaptation(tuning=tuning)
    at = feed(adaptation, 0.0, 1.6, encode_ms=30.0)  # down to 640x480@15
    at = feed(adaptation, at, tuning.up_after_s + 1, encode_ms=8.0)  # up again
    assert adaptation.index == 0
    at = feed(adaptation, at, tuning.hold_s + 1.5, encode_ms=30.0)  # and down at once: the climb failed
    assert adaptation.index == 1
    climbed_at = None
    t = at
    while climbed_at is None and t < at + 60:
        if adaptation.observe(Measured(at=t, encode_ms=8.0)).changed:
            climbed_at = t
        t += 0.5
    assert climbed_at is not None and climbed_at - at >= 2 * tuning.up_after_s


def test_switched_off_it_never_changes_what_is_sent():
    adaptation = Adaptation(enabled=False)
    feed(adaptation, 0.0, 30.0, encode_ms=500.0, loss=0.5)
    assert adaptation.rung == TOP and not adaptation.changes


samples = st.lists(
    st.tuples(
        st.floats(min_value=0.05, max_value=3.0),  # time since the last sample
        st.one_of(st.none(), st.floats(min_value=0.0, max_value=400.0)),  # encode ms
        st.one_of(st.none(), st.floats(min_value=0.0, max_value=1.0)),  # loss
        st.one_of(st.none(), st.floats(min_value=0.0, max_value=5000.0)),  # bitrate
    ),
    max_size=300,
)


@settings(deadline=None)
@given(samples)
def test_noisy_inputs_never_flap_faster_than_the_hold_and_stay_on_the_ladder(measurements):
    tuning = Tuning()
    adaptation = Adaptation(tuning=tuning)
    at = 0.0
    for gap, encode_ms, loss, bitrate in measurements:
        at += gap
        decision = adaptation.observe(Measured(at=at, encode_ms=encode_ms, loss=loss, bitrate_kbps=bitrate))
        assert decision.rung in LADDER
        assert decision.rung == adaptation.rung
        assert (decision.limit is Limit.NONE) == (adaptation.index == 0) or decision.rung == BOTTOM
    times = [when for when, _rung, _limit in adaptation.changes]
    assert all(b - a >= tuning.hold_s for a, b in itertools.pairwise(times))
    # one rung per change
    rungs = [TOP, *(rung for _when, rung, _limit in adaptation.changes)]
    assert all(abs(LADDER.index(a) - LADDER.index(b)) == 1 for a, b in itertools.pairwise(rungs))
