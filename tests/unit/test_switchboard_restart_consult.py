"""A consultation going on when ``central`` is killed: the restarted switchboard does not know of it, so
the agent back on the call must hear it is over and the passenger that the agent is back, or the console
keeps holding the passenger's sound and picture and the kiosk keeps saying "please hold"."""

from __future__ import annotations

from bus.messages.call import CallHangup, Hold, Resume
from central.switchboard import AgentState
from tests.unit.test_switchboard_restart import KeptBoard


def test_a_consultation_cut_by_a_restart_ends_for_the_agent_and_the_passenger_is_off_hold() -> None:
    board = KeptBoard()
    board.call("kiosk-1")
    board.agent("chen", skills=["zh"])
    call_id = board.connect("chen")
    board.agent("li", skills=["zh"])
    board.sb.agent_consult("chen", call_id, "li")
    assert isinstance(board.callers["kiosk-1"].last, Hold)

    board.restart()
    console = board.agent("chen", skills=["zh"], available=False)
    assert board.sb.agent_state("chen") is AgentState.ON_CALL
    assert console.last("consult_ended") == {"type": "consult_ended", "call": call_id, "reason": "left"}
    assert board.callers["kiosk-1"].messages == [Resume(call=call_id)]

    # the colleague is back as any agent, not consulting; the call goes on with the first agent and ends once
    board.agent("li", skills=["zh"], available=False)
    assert board.sb.agent_state("li") is AgentState.AWAY
    board.sb.caller_hangup("kiosk-1", CallHangup(call=call_id))
    assert board.sb.agent_state("chen") is AgentState.WRAP_UP
    assert [record.call_id for record in board.store.all()] == [call_id]


def test_an_agent_who_did_not_come_back_leaves_the_caller_untold() -> None:
    """Only a rejoining agent's call is resumed: a call still waiting for its agent sends nothing."""
    board = KeptBoard()
    board.call("kiosk-1")
    board.agent("chen", skills=["zh"])
    board.connect("chen")

    board.restart()
    board.agent("li", skills=["zh"], available=False)
    assert board.callers["kiosk-1"].messages == []
