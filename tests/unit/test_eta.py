"""Expected waits: Erlang C against textbook values, and the waiting caller's k · AHT / N."""

from __future__ import annotations

import math

import pytest

from central.switchboard.eta import (
    Arrivals,
    HandleTimes,
    before_call_eta_s,
    erlang_b,
    erlang_c,
    erlang_c_asa_s,
    waiting_eta_s,
)


def test_erlang_b_of_textbook_cases():
    assert erlang_b(1, 1.0) == pytest.approx(0.5)
    assert erlang_b(2, 1.0) == pytest.approx(0.2)  # (1/2) / (1 + 1 + 1/2)
    assert erlang_b(0, 3.0) == 1.0


@pytest.mark.parametrize(
    ("servers", "load", "p_wait"),
    [
        (2, 1.0, 1 / 3),  # A=1 Erlang on 2 agents
        (1, 0.5, 0.5),  # M/M/1: the probability of waiting is the utilisation
        (11, 10.0, 0.6821),  # 100 calls per 30 min at 180 s on 11 agents (the common worked example)
        (3, 2.0, 4 / 9),
    ],
)
def test_erlang_c_probability_of_waiting(servers: int, load: float, p_wait: float):
    assert erlang_c(servers, load) == pytest.approx(p_wait, abs=1e-4)


def test_erlang_c_average_speed_of_answer():
    assert erlang_c_asa_s(2, 1.0, 180.0) == pytest.approx(60.0)  # 1/3 · 180 / (2 - 1)
    assert erlang_c_asa_s(11, 10.0, 180.0) == pytest.approx(122.8, abs=0.1)


def test_erlang_c_at_or_over_capacity_means_everyone_waits_for_ever():
    assert erlang_c(2, 2.0) == 1.0
    assert erlang_c_asa_s(2, 3.0, 180.0) == math.inf
    assert erlang_c(3, 0.0) == 0.0


def test_erlang_c_stays_finite_for_hundreds_of_agents():
    p_wait = erlang_c(500, 480.0)
    assert 0.0 < p_wait < 1.0


def test_a_waiting_callers_eta_is_k_aht_over_n_less_the_heads_wait_never_below_zero():
    assert waiting_eta_s(3, 180.0, 2, 0.0) == 270.0
    assert waiting_eta_s(3, 180.0, 2, 100.0) == 170.0
    assert waiting_eta_s(1, 180.0, 2, 500.0) == 0.0
    assert waiting_eta_s(1, 180.0, 0, 0.0) is None


def test_the_wait_before_calling():
    assert before_call_eta_s(staffed=0, available=0, arrivals_per_s=1.0, aht_s=180, waiting=0) is None
    assert before_call_eta_s(staffed=3, available=1, arrivals_per_s=1.0, aht_s=180, waiting=0) == 0.0
    # 20 calls an hour at 180 s = 1 Erlang on 2 agents: ASA 60 s
    assert before_call_eta_s(staffed=2, available=0, arrivals_per_s=20 / 3600, aht_s=180, waiting=0) == pytest.approx(
        60.0
    )
    # over capacity Erlang C has no answer: the queue's own estimate for the next caller instead
    assert before_call_eta_s(staffed=2, available=0, arrivals_per_s=1.0, aht_s=180, waiting=5) == 540.0


def test_handle_times_average_the_last_calls_and_start_from_the_default():
    times = HandleTimes(default_s=180.0, window=3)
    assert times.mean_s() == 180.0
    for seconds in (100.0, 200.0, 300.0, 400.0):
        times.add(seconds)
    assert times.mean_s() == pytest.approx(300.0)
    assert len(times) == 3


def test_arrivals_count_the_last_hour():
    arrivals = Arrivals(window_s=3600.0)
    for at in (0.0, 1000.0, 3000.0):
        arrivals.add(at)
    assert arrivals.per_s(3500.0) == pytest.approx(3 / 3600)
    assert arrivals.per_s(4500.0) == pytest.approx(2 / 3600)  # the one at 0 s has left the window
    assert arrivals.per_s(7000.0) == 0.0
