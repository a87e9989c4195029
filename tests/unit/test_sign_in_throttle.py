"""The sign-in throttle: counted before the password is checked, per agent and address with a growing
wait, per address over all agents, and never a lock on an agent id alone."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from central.web.agent_sessions import LoginThrottle
from tests.peers.clock import FakeClock


def throttle(clock: FakeClock, **overrides: float) -> LoginThrottle:
    return LoginThrottle(clock=clock, **overrides)  # type: ignore[arg-type]


def test_concurrent_attempts_count_before_any_answer() -> None:
    clock = FakeClock(0.0)
    gate = throttle(clock)
    # 41 attempts start before the first password check ends: only the free ones go ahead
    started = [gate.attempt("chen", "10.0.0.9") for _ in range(41)]
    assert started.count(None) == 5


def test_the_wait_doubles_with_each_failure_up_to_the_cap() -> None:
    clock = FakeClock(0.0)
    gate = throttle(clock, max_backoff_s=60.0)
    for _ in range(5):
        assert gate.attempt("chen", "10.0.0.9") is None
    waits = []
    for _ in range(8):
        wait = gate.attempt("chen", "10.0.0.9")
        assert wait is not None
        waits.append(wait)
        clock.now += wait
        assert gate.attempt("chen", "10.0.0.9") is None  # the next try after the wait goes ahead (and fails)
    assert waits == [2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0, 60.0]


def test_nobody_can_lock_an_agent_out_from_elsewhere() -> None:
    clock = FakeClock(0.0)
    gate = throttle(clock)
    for address in (f"198.51.100.{n}" for n in range(40)):
        for _ in range(5):
            gate.attempt("chen", address)
    assert gate.attempt("chen", "10.1.2.3") is None  # chen at their own desk


def test_one_address_trying_many_agents_is_stopped() -> None:
    clock = FakeClock(0.0)
    gate = throttle(clock, max_address_failures=20, window_s=600.0)
    allowed = [gate.attempt(f"agent-{n}", "203.0.113.5") for n in range(30)]
    assert allowed.count(None) == 20
    assert gate.attempt("agent-99", "203.0.113.5") is not None
    assert gate.attempt("agent-99", "203.0.113.6") is None
    clock.now += 600.0
    assert gate.attempt("agent-99", "203.0.113.5") is None


def test_a_right_password_clears_its_own_count() -> None:
    clock = FakeClock(0.0)
    gate = throttle(clock)
    for _ in range(4):
        gate.attempt("chen", "10.0.0.9")
    assert gate.attempt("chen", "10.0.0.9") is None
    gate.succeeded("chen", "10.0.0.9")
    assert all(gate.attempt("chen", "10.0.0.9") is None for _ in range(5))


@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c"]), st.sampled_from(["x", "y"]), st.booleans()), max_size=200))
def test_never_more_than_the_free_failures_without_waiting(steps: list[tuple[str, str, bool]]) -> None:
    clock = FakeClock(0.0)
    gate = throttle(clock)
    went_ahead: dict[tuple[str, str], int] = {}
    for agent, address, right in steps:
        if gate.attempt(agent, address) is None:
            if right:
                gate.succeeded(agent, address)
                went_ahead[(agent, address)] = 0
            else:
                went_ahead[(agent, address)] = went_ahead.get((agent, address), 0) + 1
        assert all(count <= 5 for count in went_ahead.values())
