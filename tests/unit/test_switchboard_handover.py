"""Continue on your phone, in the switchboard: a waiting call moves from its kiosk to a phone and keeps its
place; the token is single use, lapses with the wait and after its time, and is refused once its call is gone."""

from __future__ import annotations

import pytest

from bus.messages.call import CallHangup, CallRating, Connect, Ended, Handover, HandoverRequest, Queued
from central.switchboard import LivePhase, Outcome, Refused
from tests.peers.switchboard import Board, Caller


@pytest.fixture
def board() -> Board:
    return Board(handover_ttl_s=600.0)


def token_for(board: Board, caller_id: str, call_id: str) -> str:
    board.sb.handover_request(caller_id, HandoverRequest(call=call_id))
    offer = board.callers[caller_id].last
    assert isinstance(offer, Handover) and offer.call == call_id
    return offer.token


def test_a_phone_takes_over_a_waiting_call_in_the_same_place(board: Board):
    board.call("kiosk-1")
    second = board.call("kiosk-2")
    board.call("kiosk-3")
    token = token_for(board, "kiosk-2", second)
    assert len(token) >= 32
    phone = Caller("phone-a", kind="phone")

    assert board.sb.take_over(token, phone) == second

    kiosk = board.callers["kiosk-2"]
    assert kiosk.ended()[-1].reason == "handed_over"
    assert phone.messages == [Queued(call=second, position=2, eta_s=None)]
    live = {c.call_id: c for c in board.sb.live_calls()}
    assert live[second].caller_id == "phone-a" and live[second].position == 2
    assert board.sb.caller_queue_state("kiosk-2").call_id is None  # the kiosk is free for the next passenger
    assert board.sb.caller_queue_state("phone-a").position == 2
    assert board.sb.wallboard_view().phones_waiting == 1


def test_the_phone_is_answered_rates_and_the_record_names_a_phone(board: Board):
    call_id = board.call("kiosk-1")
    phone = Caller("phone-a", kind="phone")
    board.sb.take_over(token_for(board, "kiosk-1", call_id), phone)
    board.agent("chen")
    board.connect("chen")
    assert isinstance(phone.last, Connect)
    assert board.consoles["chen"].last("connected")["caller_kind"] == "phone"
    board.advance(30)
    board.sb.caller_hangup("phone-a", CallHangup(call=call_id))
    board.sb.rating("phone-a", CallRating(call=call_id, stars=5, answered=True))
    record = board.store.get(call_id)
    assert record is not None
    assert (record.caller_kind, record.caller_id, record.outcome, record.rating) == (
        "phone",
        "phone-a",
        Outcome.ANSWERED,
        5,
    )
    assert board.sb.kpis_today().answered == 1
    with pytest.raises(Refused):  # the kiosk no longer owns the call
        board.sb.rating("kiosk-1", CallRating(call=call_id, stars=1))


def test_a_token_is_single_use(board: Board):
    call_id = board.call("kiosk-1")
    token = token_for(board, "kiosk-1", call_id)
    board.sb.take_over(token, Caller("phone-a", kind="phone"))
    with pytest.raises(Refused) as refused:
        board.sb.take_over(token, Caller("phone-b", kind="phone"))
    assert refused.value.reason == "unknown_token"
    assert not board.sb.handover_open(token)


def test_asking_again_gives_the_same_token_while_it_is_valid(board: Board):
    call_id = board.call("kiosk-1")
    assert token_for(board, "kiosk-1", call_id) == token_for(board, "kiosk-1", call_id)


def test_a_token_lapses_after_its_time_and_a_new_one_is_made(board: Board):
    call_id = board.call("kiosk-1")
    token = token_for(board, "kiosk-1", call_id)
    board.advance(601)
    assert not board.sb.handover_open(token)
    with pytest.raises(Refused) as refused:
        board.sb.take_over(token, Caller("phone-a", kind="phone"))
    assert refused.value.reason == "expired_token"
    fresh = token_for(board, "kiosk-1", call_id)
    assert fresh != token and board.sb.handover_open(fresh)


def test_a_token_lapses_with_the_wait(board: Board):
    call_id = board.call("kiosk-1")
    token = token_for(board, "kiosk-1", call_id)
    board.agent("chen")
    board.connect("chen")
    with pytest.raises(Refused) as refused:
        board.sb.take_over(token, Caller("phone-a", kind="phone"))
    assert refused.value.reason == "call_answered"


def test_the_caller_gone_before_the_scan(board: Board):
    call_id = board.call("kiosk-1")
    token = token_for(board, "kiosk-1", call_id)
    board.sb.caller_lost("kiosk-1")
    phone = Caller("phone-a", kind="phone")
    with pytest.raises(Refused) as refused:
        board.sb.take_over(token, phone)
    assert refused.value.reason == "unknown_token"  # the call took its token with it
    assert phone.messages == []
    assert board.sb.live_calls() == []


def test_a_ringing_call_moves_and_the_phone_hears_the_connect(board: Board):
    call_id = board.call("kiosk-1")
    token = token_for(board, "kiosk-1", call_id)
    board.agent("chen")
    assert board.phase(call_id) is LivePhase.RINGING
    phone = Caller("phone-a", kind="phone")
    board.sb.take_over(token, phone)
    board.sb.agent_accept("chen", call_id)
    assert isinstance(phone.last, Connect)
    assert not any(isinstance(m, Connect) for m in board.callers["kiosk-1"].messages)


def test_a_phone_already_in_a_call_is_refused_and_nothing_changes(board: Board):
    call_id = board.call("kiosk-1")
    token = token_for(board, "kiosk-1", call_id)
    phone = board.callers.setdefault("phone-a", Caller("phone-a", kind="phone"))
    board.call("phone-a")
    before = board.sb.live_calls()
    with pytest.raises(Refused) as refused:
        board.sb.take_over(token, phone)
    assert refused.value.reason == "call_in_progress"
    assert board.sb.live_calls() == before
    assert board.sb.handover_open(token)


def test_only_the_calls_own_device_gets_a_token_and_only_while_it_is_not_answered(board: Board):
    call_id = board.call("kiosk-1")
    with pytest.raises(Refused):
        board.sb.handover_request("kiosk-2", HandoverRequest(call=call_id))
    board.agent("chen")
    board.connect("chen")
    with pytest.raises(Refused) as refused:
        board.sb.handover_request("kiosk-1", HandoverRequest(call=call_id))
    assert refused.value.reason == "not_waiting"
    assert not any(isinstance(m, Handover) for m in board.callers["kiosk-1"].messages)


def test_the_kiosk_hears_one_ended_and_nothing_after_the_handover(board: Board):
    call_id = board.call("kiosk-1")
    board.call("kiosk-2")
    token = token_for(board, "kiosk-1", call_id)
    board.sb.take_over(token, Caller("phone-a", kind="phone"))
    kiosk = board.callers["kiosk-1"]
    count = len(kiosk.messages)
    board.advance(60)
    board.agent("chen")
    board.connect("chen")
    assert len(kiosk.messages) == count
    assert [m.reason for m in kiosk.messages if isinstance(m, Ended)] == ["handed_over"]


def test_a_phone_back_on_a_new_connection_keeps_its_waiting_call_and_place(board: Board):
    board.call("kiosk-1")
    call_id = board.call("phone-a")
    again = Caller("phone-a", kind="phone")
    assert board.sb.rebind(again) == call_id
    assert again.messages == [Queued(call=call_id, position=2, eta_s=None)]
    board.agent("chen")
    board.connect("chen")  # the kiosk's call
    board.sb.agent_hangup("chen", "kiosk-1-1")
    board.advance(31)  # wrap-up over: the phone's call rings
    assert board.connect("chen") == call_id
    assert isinstance(again.last, Connect)  # reached on its new connection
    with pytest.raises(Refused) as answered:
        board.sb.rebind(Caller("phone-a", kind="phone"))
    assert answered.value.reason == "call_answered"
    with pytest.raises(Refused) as nothing:
        board.sb.rebind(Caller("phone-b", kind="phone"))
    assert nothing.value.reason == "no_call"
