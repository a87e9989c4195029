"""A connected call whose device drops off the bus is kept for ``[calls] device_grace_s`` (switchboard.device_grace)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bus.messages.call import CallHangup, Ended, Hold, Resume
from central.switchboard import AgentState, LivePhase, Outcome
from tests.peers.switchboard import Board

GRACE_S = 30.0


@pytest.fixture
def board() -> Board:
    return Board(device_grace_s=GRACE_S, wrap_up_s=60.0)


def connected(board: Board) -> str:
    board.agent("chen")
    call_id = board.call("kiosk-1")
    board.connect("chen")
    return call_id


def test_a_last_will_mid_call_keeps_the_call_and_tells_the_agent_how_long(board: Board):
    call_id = connected(board)
    console = board.consoles["chen"]

    board.sb.caller_lost("kiosk-1", may_return=True)

    assert board.phase(call_id) is LivePhase.CONNECTED
    assert board.sb.agent_state("chen") is AgentState.ON_CALL
    away = console.last("caller_away")
    assert away["call"] == call_id and away["grace_s"] == GRACE_S
    assert away["until_s"] == pytest.approx(board.clock.now + GRACE_S)
    assert board.sb.next_deadline() == pytest.approx(board.clock.now + GRACE_S)
    assert board.store.get(call_id) is None


def test_the_device_back_within_the_grace_keeps_the_call_with_nothing_recorded(board: Board):
    call_id = connected(board)
    console = board.consoles["chen"]
    board.sb.caller_lost("kiosk-1", may_return=True)
    board.advance(GRACE_S - 1)

    board.sb.caller_back("kiosk-1")
    board.advance(10 * GRACE_S)

    assert board.phase(call_id) is LivePhase.CONNECTED
    assert console.last("caller_back") == {"type": "caller_back", "call": call_id}
    assert "ended" not in console.types()
    assert board.store.get(call_id) is None
    # the call ends later as any call does, with its whole talk time
    board.sb.agent_hangup("chen", call_id)
    record = board.store.get(call_id)
    assert record is not None and record.end_reason == "agent" and record.talk_s == pytest.approx(11 * GRACE_S - 1)


def test_the_device_not_back_ends_the_call_as_caller_lost_at_the_end_of_the_grace(board: Board):
    call_id = connected(board)
    console = board.consoles["chen"]
    lost_at = board.clock.now
    board.sb.caller_lost("kiosk-1", may_return=True)

    board.advance(GRACE_S - 0.5)
    assert board.phase(call_id) is LivePhase.CONNECTED
    board.advance(1.0)

    assert board.phase(call_id) is None
    assert console.last("ended") == {"type": "ended", "call": call_id, "reason": "caller_lost"}
    assert board.sb.agent_state("chen") is AgentState.WRAP_UP
    record = board.store.get(call_id)
    assert record is not None and (record.outcome, record.end_reason) == (Outcome.ANSWERED, "caller_lost")
    assert record.ended_at == pytest.approx(lost_at + GRACE_S)
    # back after the grace: nothing to replay, nothing ends twice
    sent = len(board.callers["kiosk-1"].messages)
    board.sb.caller_back("kiosk-1")
    assert len(board.callers["kiosk-1"].messages) == sent
    assert console.types().count("ended") == 1


def test_an_agent_hang_up_during_the_grace_is_recorded_once_and_told_to_the_device_on_its_return(board: Board):
    call_id = connected(board)
    kiosk = board.callers["kiosk-1"]
    console = board.consoles["chen"]
    board.sb.caller_lost("kiosk-1", may_return=True)

    board.sb.agent_hangup("chen", call_id)
    assert kiosk.ended() == []  # it is offline: a message now would be lost at the broker
    record = board.store.get(call_id)
    assert record is not None and record.end_reason == "agent"

    board.advance(5)
    board.sb.caller_back("kiosk-1")

    assert kiosk.ended() == [Ended(call=call_id, reason="agent")]
    assert console.types().count("ended") == 1
    assert "caller_back" not in console.types()  # the call is over; the console is in wrap-up
    board.advance(10 * GRACE_S)
    assert kiosk.ended() == [Ended(call=call_id, reason="agent")]
    record = board.store.get(call_id)  # not ended again, as caller_lost, when the grace ran out
    assert record is not None and record.end_reason == "agent"


def test_what_the_device_missed_is_sent_in_order_on_its_return(board: Board):
    call_id = connected(board)
    kiosk = board.callers["kiosk-1"]
    board.sb.caller_lost("kiosk-1", may_return=True)
    before = len(kiosk.messages)

    board.sb.agent_consult("chen", call_id, board_agent(board, "li"))
    board.sb.agent_take_back("chen", call_id)
    assert len(kiosk.messages) == before

    board.sb.caller_back("kiosk-1")
    assert [type(m) for m in kiosk.messages[before:]] == [Hold, Resume]
    # and from now on straight to the device again
    board.sb.caller_hangup("kiosk-1", CallHangup(call=call_id))
    assert kiosk.ended() == [Ended(call=call_id, reason="caller")]


def board_agent(board: Board, agent_id: str) -> str:
    board.agent(agent_id)
    return agent_id


def test_a_second_last_will_does_not_extend_the_grace(board: Board):
    call_id = connected(board)
    board.sb.caller_lost("kiosk-1", may_return=True)
    board.advance(20)
    board.sb.caller_lost("kiosk-1", may_return=True)
    board.advance(GRACE_S - 20 + 0.5)
    assert board.phase(call_id) is None


def test_a_clean_shutdown_during_the_grace_ends_the_call_at_once(board: Board):
    call_id = connected(board)
    board.sb.caller_lost("kiosk-1", may_return=True)
    board.advance(3)

    board.sb.caller_lost("kiosk-1")

    assert board.phase(call_id) is None
    assert board.consoles["chen"].last("ended")["reason"] == "caller_lost"
    board.advance(GRACE_S)
    assert board.consoles["chen"].types().count("ended") == 1


@pytest.mark.parametrize("may_return", [True, False])
def test_a_waiting_callers_last_will_abandons_the_call_at_once(board: Board, may_return: bool):
    call_id = board.call("kiosk-1")

    board.sb.caller_lost("kiosk-1", may_return=may_return)

    record = board.store.get(call_id)
    assert record is not None and (record.outcome, record.end_reason) == (Outcome.ABANDONED, "caller_lost")


def test_a_ringing_callers_last_will_abandons_the_call_at_once(board: Board):
    board.agent("chen")
    call_id = board.call("kiosk-1")
    board.ringing("chen")

    board.sb.caller_lost("kiosk-1", may_return=True)

    assert board.phase(call_id) is None
    assert board.consoles["chen"].last("ring_cancelled")["call"] == call_id


def test_a_grace_of_zero_ends_the_call_at_once_as_before():
    board = Board(device_grace_s=0)
    call_id = connected(board)

    board.sb.caller_lost("kiosk-1", may_return=True)

    assert board.phase(call_id) is None
    assert board.consoles["chen"].last("ended")["reason"] == "caller_lost"


def test_online_statuses_of_devices_without_a_kept_call_change_nothing(board: Board):
    call_id = connected(board)
    events = len(board.consoles["chen"].events)

    board.sb.caller_back("kiosk-1")
    board.sb.caller_back("kiosk-9")

    assert board.phase(call_id) is LivePhase.CONNECTED
    assert len(board.consoles["chen"].events) == events


STEPS = st.lists(
    st.sampled_from(["will", "back", "shutdown", "agent_hangup", "caller_hangup", "wait_5", "wait_40"]),
    max_size=12,
)


@settings(max_examples=60, deadline=None)
@given(steps=STEPS)
def test_whatever_the_statuses_and_hang_ups_a_call_ends_once_and_never_outlives_its_grace(steps: list[str]):
    board = Board(device_grace_s=GRACE_S, wrap_up_s=600.0)
    call_id = connected(board)
    kiosk = board.callers["kiosk-1"]
    online = True
    for step in steps:
        live = board.phase(call_id) is not None
        if step == "will":
            board.sb.caller_lost("kiosk-1", may_return=True)
            online = False
        elif step == "back":
            board.sb.caller_back("kiosk-1")
            online = True
        elif step == "shutdown":
            board.sb.caller_lost("kiosk-1")
            online = False
        elif step == "agent_hangup" and live:
            board.sb.agent_hangup("chen", call_id)
            if online:
                assert kiosk.ended() == [Ended(call=call_id, reason="agent")]
        elif step == "caller_hangup" and live and online:
            board.sb.caller_hangup("kiosk-1", CallHangup(call=call_id))
        elif step.startswith("wait_"):
            board.advance(float(step.removeprefix("wait_")))
        console = board.consoles["chen"]
        assert console.types().count("ended") <= 1
        assert len(kiosk.ended()) <= 1
        # the call is on exactly while nobody has been told it ended
        assert (board.phase(call_id) is None) == (console.types().count("ended") == 1)
    board.advance(2 * GRACE_S)
    assert board.phase(call_id) is None or online, "a call outlived its grace"
