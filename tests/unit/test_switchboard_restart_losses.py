"""What a restart of ``central`` loses, as docs/faults.md lists it, and that losing it harms nobody.

A consultation going on when ``central`` is killed: the restarted switchboard does not know of it, so the
agent back on the call must hear it is over and the passenger that the agent is back, or the console
keeps holding the passenger's sound and picture and the kiosk keeps saying "please hold". An agent's
wrap-up: they come back away, the wrap-up time is not written, and the disposition is still taken."""

from __future__ import annotations

from bus.messages.call import CallHangup, Hold, Resume
from central.switchboard import AgentState, Outcome
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


def test_an_agent_in_wrap_up_comes_back_away_and_can_still_give_the_disposition() -> None:
    board = KeptBoard(wrap_up_s=300)
    board.call("kiosk-1")
    board.agent("chen", skills=["zh"])
    call_id = board.connect("chen")
    board.advance(20)
    board.sb.agent_hangup("chen", call_id)
    assert board.sb.agent_state("chen") is AgentState.WRAP_UP

    assert board.restart() == 0  # an ended call is not live: nothing to bring back
    console = board.agent("chen", skills=["zh"], available=False)
    assert board.sb.agent_state("chen") is AgentState.AWAY
    category = board.settings.categories[0]
    board.sb.agent_disposition("chen", call_id, True, category, "")
    assert console.last("disposition_saved") == {"type": "disposition_saved", "call": call_id}
    (record,) = board.store.all()
    assert (record.outcome, record.category, record.wrap_s) == (Outcome.ANSWERED, category, None)
    assert board.sb.kpis_today().answered == 1
