"""A switchboard started again on the live calls its predecessor kept (central killed and restarted):
waiting callers in their places, calls in progress recorded once when they end, nothing counted twice."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bus.messages.call import CallCancel, CallContext, CallHangup, CallRequest
from central.live_calls import open_live_calls
from central.switchboard import AgentState, LivePhase, Outcome, Switchboard
from central.switchboard.live_store import LiveCallStore, MemoryLiveCalls
from tests.peers.switchboard import Board, Caller


class KeptBoard(Board):
    """A :class:`Board` whose switchboard keeps its live calls, and can be "killed" and started again."""

    def __init__(self, live: LiveCallStore | None = None, **settings: object) -> None:
        super().__init__(**settings)
        self.live = live if live is not None else MemoryLiveCalls()
        self.sb.keep_live_calls(self.live, lambda _kind, _caller_id: None)

    def restart(self) -> int:
        """A new switchboard on the same stores; the old one is dropped without a word, as SIGKILL would."""
        self.sb = Switchboard(self.settings, self.clock, self.store)
        self.callers = {caller_id: Caller(caller_id) for caller_id in self.callers}
        self.consoles = {}
        return self.sb.keep_live_calls(
            self.live, lambda kind, caller_id: self.callers.get(caller_id) if kind == "device" else None
        )

    def waiting_order(self, skill: str = "zh") -> list[str]:
        calls = [c for c in self.sb.live_calls() if c.skill == skill and c.phase is LivePhase.WAITING]
        return [c.caller_id for c in sorted(calls, key=lambda c: c.position or 0)]


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def board(request: pytest.FixtureRequest, tmp_path: Path) -> KeptBoard:
    live: LiveCallStore = MemoryLiveCalls()
    if request.param == "sqlite":
        live = open_live_calls(tmp_path / "live.sqlite3")
    elif request.param == "postgres":
        live = open_live_calls(str(request.getfixturevalue("postgres_url")))
    request.addfinalizer(live.close)
    return KeptBoard(live)


def test_waiting_callers_keep_their_order_and_a_ringing_call_comes_back_at_the_head(board: KeptBoard):
    for n in range(6):
        board.call(f"kiosk-{n}")
        board.advance(1)
    board.call("kiosk-en", language="en-GB")
    board.sb.cancel("kiosk-3", CallCancel(call="kiosk-3-4"))  # a caller in the middle gives up
    board.agent("chen", skills=["zh"])  # rings kiosk-0
    assert board.ringing("chen") == "kiosk-0-1"
    before = board.waiting_order()

    assert board.restart() == 6
    assert board.waiting_order() == ["kiosk-0", *before]
    assert board.waiting_order("en") == ["kiosk-en"]
    # and new callers join at the tail
    board.call("kiosk-new")
    assert board.waiting_order()[-1] == "kiosk-new"


def test_a_call_in_progress_is_recorded_once_when_it_ends_after_the_restart(board: KeptBoard):
    board.call("kiosk-1")
    board.agent("chen", skills=["zh"])
    call_id = board.connect("chen")
    board.advance(30)
    kpis_before = board.sb.kpis_today()

    board.restart()
    (live,) = board.sb.live_calls()
    assert (live.call_id, live.phase, live.agent_id) == (call_id, LivePhase.CONNECTED, "chen")
    assert board.sb.kpis_today() == kpis_before  # the answer is not counted again

    board.advance(30)
    board.sb.caller_hangup("kiosk-1", CallHangup(call=call_id))
    (record,) = board.store.all()
    assert record.outcome is Outcome.ANSWERED
    assert record.talk_s == pytest.approx(60)
    assert record.agent_id == "chen"
    assert board.sb.live_calls() == []
    assert len(board.live.load()) == 0
    assert board.sb.kpis_today().answered == 1


def test_an_agent_signing_in_again_is_back_on_their_call_and_ends_it_once(board: KeptBoard):
    board.call("kiosk-1")
    board.agent("chen", skills=["zh"])
    call_id = board.connect("chen")
    board.restart()

    board.agent("chen", skills=["zh"], available=False)
    assert board.sb.agent_state("chen") is AgentState.ON_CALL
    board.sb.agent_hangup("chen", call_id)
    assert board.sb.agent_state("chen") is AgentState.WRAP_UP
    assert [e.reason for e in board.callers["kiosk-1"].ended()] == ["agent"]
    assert len(board.store.all()) == 1
    # a second restart finds nothing to bring back
    assert board.restart() == 0


def test_a_phone_caller_who_cannot_come_back_is_recorded_as_lost_not_left_waiting():
    board = KeptBoard()
    board.call("kiosk-1")
    phone = Caller("phone-1", kind="phone")
    board.sb.request(phone, CallRequest(call="phone-call-1", language="zh-CN", context=CallContext()))
    assert board.restart() == 1
    assert board.waiting_order() == ["kiosk-1"]
    (record,) = board.store.all()
    assert (record.caller_id, record.outcome) == ("phone-1", Outcome.ABANDONED)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["call", "cancel", "ring", "decline"]), st.integers(0, 9)), max_size=30))
def test_any_history_of_arrivals_cancels_and_declined_rings_restarts_into_the_same_order(steps):
    board = KeptBoard()
    board.agent("chen", skills=["zh"], available=False)
    for step, n in steps:
        caller = f"kiosk-{n}"
        live = {c.caller_id: c for c in board.sb.live_calls()}
        if step == "call" and caller not in live:
            board.call(caller)
        elif step == "cancel" and caller in live:
            board.sb.cancel(caller, CallCancel(call=live[caller].call_id))
        elif step == "ring" and board.sb.agent_state("chen") is AgentState.AWAY:
            board.sb.agent_presence("chen", True)
        elif step == "decline" and board.sb.agent_state("chen") is AgentState.RINGING:
            board.sb.agent_decline("chen", board.ringing("chen"))
        board.advance(0.5)
    ringing = [c.caller_id for c in board.sb.live_calls() if c.phase is LivePhase.RINGING]
    expected = ringing + board.waiting_order()
    board.restart()
    assert board.waiting_order() == expected
