"""Consultation: the agent on a call talks to a colleague while the caller is held, then hands over or
takes the call back; whatever ends, nobody is dropped and every leg is recorded."""

from __future__ import annotations

import pytest

from bus.messages.call import CallHangup, Connect, Hold, Resume, Transfer
from central.switchboard import AgentState, LivePhase, Outcome, Refused
from central.switchboard.model import LegEnd
from tests.peers.switchboard import Board


@pytest.fixture
def board() -> Board:
    return Board(wrap_up_s=30.0)


def consulting(board: Board) -> str:
    board.agent("chen")
    board.call("kiosk-1", flight="HU7181")
    call_id = board.connect("chen")
    board.sb.agent_disposition("chen", call_id, False, "lost_property", "bag on HU7181")
    board.agent("wang", skills=["zh"])
    board.clock.now += 20
    board.sb.agent_consult("chen", call_id, "wang")
    return call_id


def test_a_consultation_holds_the_caller_and_tells_both_consoles_who_and_what(board: Board):
    call_id = consulting(board)

    assert isinstance(board.callers["kiosk-1"].last, Hold)
    assert board.sb.agent_state("wang") is AgentState.CONSULTING
    assert board.sb.agent_state("chen") is AgentState.ON_CALL
    assert board.phase(call_id) is LivePhase.CONNECTED
    asked = board.consoles["wang"].last("consult")
    assert (asked["role"], asked["agent"], asked["name"], asked["handed_note"]) == (
        "consulted",
        "chen",
        "Chen",
        "bag on HU7181",
    )
    assert asked["context"]["flight"] == "HU7181"
    assert board.consoles["chen"].last("consult")["role"] == "consulting"


def test_the_consoles_signal_each_other_through_the_switchboard(board: Board):
    call_id = consulting(board)

    board.sb.agent_consult_signal("chen", call_id, "offer", "v=0 offer")
    board.sb.agent_consult_signal("wang", call_id, "answer", "v=0 answer")

    assert board.consoles["wang"].last("consult_signal") == {
        "type": "consult_signal",
        "call": call_id,
        "kind": "offer",
        "sdp": "v=0 offer",
    }
    assert board.consoles["chen"].last("consult_signal")["sdp"] == "v=0 answer"
    with pytest.raises(Refused, match="not_consulting"):
        board.agent("li", skills=["en"])
        board.sb.agent_consult_signal("li", call_id, "offer", "v=0")


def test_a_hand_over_connects_the_caller_to_the_colleague_and_records_two_legs(board: Board):
    call_id = consulting(board)
    board.clock.now += 10

    board.sb.agent_hand_over("chen", call_id)

    caller = board.callers["kiosk-1"]
    assert [type(m) for m in caller.messages[-2:]] == [Transfer, Connect]
    assert caller.messages[-1].agent.id == "wang"
    connected = board.consoles["wang"].last("connected")
    assert (connected["transferred_from"], connected["handed_note"]) == ("Chen", "bag on HU7181")
    assert board.consoles["chen"].last("consult_ended")["reason"] == "handed_over"
    assert board.sb.agent_state("wang") is AgentState.ON_CALL
    assert board.sb.agent_state("chen") is AgentState.WRAP_UP
    board.clock.now += 40
    board.sb.agent_disposition("wang", call_id, True, "lost_property", "found")
    board.sb.agent_hangup("wang", call_id)

    (record,) = board.store.all()
    assert record.outcome is Outcome.ANSWERED and record.agent_id == "wang" and record.resolved_first_contact
    assert record.transfers == 1
    assert [(leg.agent_id, leg.end, leg.talk_s) for leg in record.legs] == [
        ("chen", LegEnd.HANDED_OVER, 30.0),
        ("wang", LegEnd.CLOSED, 40.0),
    ]


def test_taking_the_call_back_resumes_the_caller_and_frees_the_colleague(board: Board):
    call_id = consulting(board)

    board.sb.agent_take_back("chen", call_id)

    assert isinstance(board.callers["kiosk-1"].last, Resume)
    assert board.sb.agent_state("wang") is AgentState.AVAILABLE
    assert board.consoles["wang"].last("consult_ended")["reason"] == "taken_back"
    board.sb.agent_hangup("chen", call_id)
    (record,) = board.store.all()
    assert record.transfers == 0 and [leg.agent_id for leg in record.legs] == ["chen"]


@pytest.mark.parametrize("how", ["leave", "lost", "sign_out"])
def test_a_colleague_who_leaves_ends_the_consultation_and_the_call_goes_on(board: Board, how: str):
    call_id = consulting(board)

    if how == "leave":
        board.sb.agent_consult_leave("wang", call_id)
    elif how == "lost":
        board.sb.agent_lost("wang")
    else:
        board.sb.agent_sign_out("wang")

    assert isinstance(board.callers["kiosk-1"].last, Resume)
    assert board.phase(call_id) is LivePhase.CONNECTED
    assert board.consoles["chen"].last("consult_ended")["reason"] == "left"
    with pytest.raises(Refused, match="not_consulting"):
        board.sb.agent_hand_over("chen", call_id)


def test_a_call_that_ends_during_a_consultation_frees_the_colleague(board: Board):
    call_id = consulting(board)

    board.sb.caller_hangup("kiosk-1", CallHangup(call=call_id))

    assert board.sb.agent_state("wang") is AgentState.AVAILABLE
    assert board.consoles["wang"].last("consult_ended")["reason"] == "call_ended"
    (record,) = board.store.all()
    assert record.outcome is Outcome.ANSWERED and record.agent_id == "chen"


def test_one_consultation_at_a_time_and_no_blind_transfer_during_it(board: Board):
    call_id = consulting(board)
    board.agent("li", skills=["zh"])

    with pytest.raises(Refused, match="consulting"):
        board.sb.agent_consult("chen", call_id, "li")
    with pytest.raises(Refused, match="consulting"):
        board.sb.agent_transfer("chen", call_id, to="li")
    with pytest.raises(Refused, match="not_your_call"):
        board.sb.agent_hand_over("wang", call_id)


@pytest.mark.parametrize(("to", "reason"), [("gone", "agent_gone"), ("chen", "same_agent"), ("busy", "agent_busy")])
def test_a_consultation_that_cannot_begin_is_refused_and_the_caller_is_not_held(board: Board, to: str, reason: str):
    board.agent("chen")
    board.call("kiosk-1")
    call_id = board.connect("chen")
    board.agent("busy", skills=["zh"], available=False)

    with pytest.raises(Refused, match=reason):
        board.sb.agent_consult("chen", call_id, to)
    assert not any(isinstance(m, Hold) for m in board.callers["kiosk-1"].messages)
