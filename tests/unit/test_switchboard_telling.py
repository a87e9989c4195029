"""What waiting callers hear of their moves, and when: from the timer, at most once a second, exactly."""

from __future__ import annotations

import asyncio
import re
import time

import pytest

from bench import switchboard as bench_switchboard
from bus.messages.call import CallCancel, CallRequest, Queued
from central.calls.timer import SwitchboardTimer
from central.switchboard import CallerMessage, MemoryCallStore, Switchboard, SwitchboardSettings
from central.switchboard.telling import EXACT_PLACES, TELL_EVERY_S, place_moved
from tests.peers.switchboard import Board, Caller


def _queue_up(board: Board, count: int) -> list[str]:
    """``count`` callers waiting, nobody staffed; their call ids, head first."""
    return [board.call(f"kiosk-{n:02d}") for n in range(1, count + 1)]


def _heard(board: Board, n: int) -> list[int]:
    return [place for place, _eta in board.callers[f"kiosk-{n:02d}"].queued()]


def test_a_routing_decision_rings_the_agent_and_tells_the_callers_behind_only_at_the_next_tick():
    board = Board()
    board.agent("chen")
    first = board.call("kiosk-01")
    board.sb.agent_accept("chen", first)
    _ = [board.call(f"kiosk-{n:02d}") for n in (2, 3, 4)]
    board.sb.agent_hangup("chen", first)
    board.sb.agent_disposition("chen", first, True, "other", "")

    board.sb.agent_presence("chen", True)  # the decision: kiosk-02 rings

    assert board.ringing("chen") == "kiosk-02-2"
    assert _heard(board, 3) == [2] and _heard(board, 4) == [3]  # nothing yet: the decision sent only the ring
    assert board.sb.next_telling() == board.clock.now
    board.sb.tick()
    assert _heard(board, 3) == [2, 1] and _heard(board, 4) == [3, 2]
    assert board.sb.next_telling() is None


def test_moves_within_a_second_are_told_once_with_the_place_at_the_telling():
    board = Board()
    calls = _queue_up(board, 6)
    board.sb.cancel("kiosk-01", CallCancel(call=calls[0]))
    board.sb.tick()  # the first move after a quiet spell is told at once
    assert _heard(board, 6) == [6, 5]

    board.sb.cancel("kiosk-02", CallCancel(call=calls[1]))
    assert board.sb.next_telling() == board.clock.now + TELL_EVERY_S
    board.advance(0.5)
    board.sb.cancel("kiosk-03", CallCancel(call=calls[2]))
    assert board.sb.next_telling() == board.clock.now + 0.5  # still the one telling
    assert _heard(board, 6) == [6, 5]
    board.advance(0.5)

    assert _heard(board, 6) == [6, 5, 3]  # once, and exact: two places up
    assert _heard(board, 4) == [4, 3, 1]
    assert board.sb.caller_queue_state("kiosk-06").position == 3


def test_far_from_the_head_a_caller_hears_a_move_of_a_tenth_of_their_place():
    board = Board()
    last = 40
    calls = _queue_up(board, last)
    for n in range(3):
        board.sb.cancel(f"kiosk-{n + 1:02d}", CallCancel(call=calls[n]))
        board.advance(TELL_EVERY_S)
    assert _heard(board, last) == [40]  # 37: three places is less than a tenth of 40
    assert _heard(board, 23) == [23, 20]  # 22 and 21 were not a tenth of 23; 20 is near the head
    assert _heard(board, 21) == [21, 20, 19, 18]  # near the head: every move
    assert board.sb.caller_queue_state(f"kiosk-{last}").position == 37  # what the views say is exact

    board.sb.cancel("kiosk-04", CallCancel(call=calls[3]))
    board.advance(TELL_EVERY_S)
    assert _heard(board, last) == [40, 36]


def test_a_system_clock_set_back_does_not_hold_the_next_telling_back():
    board = Board()
    calls = _queue_up(board, 3)
    board.sb.cancel("kiosk-01", CallCancel(call=calls[0]))
    board.sb.tick()
    board.clock.now -= 3600  # the system clock was an hour fast and has been corrected

    board.sb.cancel("kiosk-02", CallCancel(call=calls[1]))

    assert board.sb.next_telling() == board.clock.now + TELL_EVERY_S
    board.advance(TELL_EVERY_S)
    assert _heard(board, 3) == [3, 2, 1]
    board.agent("chen", available=False)
    board.sb.agent_presence("chen", True)  # rung for kiosk-03 at once
    board.sb.agent_accept("chen", calls[2])
    board.call("kiosk-04")
    board.advance(120)  # estimates still move on with time: 180 s, less the 2 minutes the head waited
    assert board.callers["kiosk-04"].queued() == [(1, 180.0), (1, 60.0)]


def test_place_moved_tells_every_move_near_the_head_and_a_tenth_further_back():
    assert place_moved(None, 7)
    assert not place_moved(7, 7)
    assert place_moved(EXACT_PLACES + 1, EXACT_PLACES)
    assert place_moved(3, 4)  # back after a call was put back ahead
    assert not place_moved(500, 451)
    assert place_moved(500, 450)


async def test_centrals_timer_tells_the_callers_who_moved_without_waiting_for_its_five_second_tick():
    class Last(Caller):
        moved_up = asyncio.Event()

        def send(self, message: CallerMessage) -> None:
            super().send(message)
            if isinstance(message, Queued) and message.position == 2:
                self.moved_up.set()

    board = Switchboard(SwitchboardSettings(), time.time, MemoryCallStore())
    callers = [Caller("kiosk-0"), Caller("kiosk-1"), Last("kiosk-2")]
    for n, caller in enumerate(callers):
        board.request(caller, CallRequest(call=f"c{n}", language="zh"))
    timer = SwitchboardTimer(board)
    timer.start()
    try:
        board.cancel("kiosk-0", CallCancel(call="c0"))
        assert callers[2].queued() == [(3, None)]  # not from inside the cancel
        await asyncio.wait_for(Last.moved_up.wait(), TELL_EVERY_S + 1)
        assert callers[2].queued() == [(3, None), (2, None)]
    finally:
        await timer.stop()


@pytest.mark.slow  # a real run of the benchmark, as the other benchmark smoke tests
def test_the_switchboard_benchmark_times_the_timers_tellings_beside_the_decisions(capsys: pytest.CaptureFixture[str]):
    assert bench_switchboard.main(["--quick", "--goal-ms", "2"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^timer: tick telling who moved\s+[\d.]+\s+[\d.]+", out, re.MULTILINE), out
    assert re.search(r"^agent available → call rung\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+3\s", out, re.MULTILINE), out
    assert "p99 ≤ 2 ms" in out
