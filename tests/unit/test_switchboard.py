"""The switchboard: queues by skill, routing, rings, calls, wrap-up, records, as callers and agents see them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bus.messages.call import (
    CallCancel,
    CallHangup,
    CallRating,
    CallRequest,
    Connect,
    Ended,
    IceServer,
    SdpAnswer,
    SdpOffer,
)
from bus.messages.device import CallPhase
from central.switchboard import (
    AgentState,
    CallerMessage,
    LivePhase,
    Outcome,
    Refused,
    Switchboard,
    SwitchboardSettings,
)
from tests.peers.clock import T0
from tests.peers.switchboard import Board, Caller, Console


@pytest.fixture
def board() -> Board:
    return Board()


# --- queueing -----------------------------------------------------------------------------------------


def test_a_request_is_answered_at_once_with_its_position_and_no_eta_while_nobody_is_staffed(board: Board):
    board.call("kiosk-1")
    board.call("kiosk-2")

    assert board.callers["kiosk-1"].queued() == [(1, None)]
    assert board.callers["kiosk-2"].queued() == [(2, None)]
    assert board.sb.caller_queue_state("kiosk-2").call is CallPhase.WAITING
    assert board.sb.caller_queue_state("kiosk-2").position == 2


def test_the_language_subtag_chooses_the_queue_and_sign_language_its_own(board: Board):
    board.call("kiosk-1", language="zh-CN")
    board.call("kiosk-2", language="en-GB")
    board.call("kiosk-3", language="zh-CN", skills=["sign"])

    assert {c.caller_id: c.skill for c in board.sb.live_calls()} == {
        "kiosk-1": "zh",
        "kiosk-2": "en",
        "kiosk-3": "sign",
    }
    assert board.sb.queue_summary().skills["sign"].waiting == 1


@pytest.mark.parametrize(
    ("language", "skills", "reason"),
    [("fr", [], "unsupported_language"), ("zh-CN", ["braille"], "unsupported_skill")],
)
def test_an_unsupported_language_or_skill_is_refused_and_the_caller_told(
    board: Board, language: str, skills: list[str], reason: str
):
    with pytest.raises(Refused) as refused:
        board.call("kiosk-1", language=language, skills=skills)

    assert refused.value.reason == reason
    caller = board.callers["kiosk-1"]
    assert [(m.type, getattr(m, "reason", None)) for m in caller.messages] == [("ended", "unsupported")]
    assert board.sb.live_calls() == []
    (record,) = board.store.all()
    assert record.outcome is Outcome.UNSUPPORTED
    assert board.sb.kpis_today().unsupported == 1
    assert board.sb.kpis_today().offered == 0


def test_a_caller_has_one_live_call_and_a_repeated_request_is_answered_again_not_refused(board: Board):
    call_id = board.call("kiosk-1")
    caller = board.callers["kiosk-1"]

    with pytest.raises(Refused, match="call_in_progress"):
        board.sb.request(caller, CallRequest(call="another", language="zh"))
    board.sb.request(caller, CallRequest(call=call_id, language="zh"))  # QoS 1 delivered it twice

    assert caller.queued() == [(1, None), (1, None)]
    assert len(board.sb.live_calls()) == 1


def test_a_call_id_that_was_used_before_is_refused(board: Board):
    call_id = board.call("kiosk-1")
    board.sb.cancel("kiosk-1", CallCancel(call=call_id))

    with pytest.raises(Refused, match="duplicate_call"):
        board.sb.request(board.callers["kiosk-1"], CallRequest(call=call_id, language="zh"))
    with pytest.raises(Refused, match="duplicate_call"):
        board.sb.request(Caller("kiosk-2"), CallRequest(call=call_id, language="zh"))


# --- routing ------------------------------------------------------------------------------------------


def test_an_available_agent_is_rung_with_where_the_caller_is_and_what_they_looked_at(board: Board):
    console = board.agent("chen")
    board.clock.now += 2
    call_id = board.call("kiosk-1", screen="flight_detail", flight="HU7181", location="T1 Hall B")

    ring = console.last("ring")
    assert ring == {
        "type": "ring",
        "call": call_id,
        "caller": "kiosk-1",
        "caller_kind": "device",
        "location": "T1 Hall B",
        "language": "zh-CN",
        "skill": "zh",
        "waited_s": 0.0,
        "timeout_s": 15.0,
        "context": {"screen": "flight_detail", "flight": "HU7181", "location": "T1 Hall B", "language": ""},
        "transferred_from": None,
        "handed_note": "",
    }
    # the caller heard "queued" first, and nothing about the ring (there is no such message)
    assert board.callers["kiosk-1"].queued() == [(1, 0.0)]
    assert board.sb.caller_queue_state("kiosk-1").call is CallPhase.RINGING


def test_the_call_goes_to_the_agent_idle_longest(board: Board):
    board.agent("first")
    board.clock.now += 5
    board.agent("second")
    board.clock.now += 5

    board.call("kiosk-1")

    assert board.sb.agent_state("first") is AgentState.RINGING
    assert board.sb.agent_state("second") is AgentState.AVAILABLE


def test_an_agent_gets_the_head_of_the_longest_waiting_queue_among_their_skills(board: Board):
    board.call("kiosk-en", language="en")
    board.clock.now += 3
    board.call("kiosk-zh", language="zh")
    board.clock.now += 3
    board.call("kiosk-sign", language="zh", skills=["sign"])

    board.agent("zhou", skills=["zh", "sign"])

    assert board.phase("kiosk-zh-2") is LivePhase.RINGING
    assert board.phase("kiosk-en-1") is LivePhase.WAITING


def test_an_agent_is_never_offered_a_call_outside_their_skills(board: Board):
    board.agent("smith", skills=["en"])
    board.call("kiosk-1", language="zh")

    assert board.sb.agent_state("smith") is AgentState.AVAILABLE
    assert board.phase("kiosk-1-1") is LivePhase.WAITING


def test_skills_an_agent_claims_that_the_site_does_not_have_are_ignored(board: Board):
    console = board.agent("li", skills=["zh", "klingon"])

    assert console.events[0]["skills"] == ["zh"]


# --- the ring -----------------------------------------------------------------------------------------


def test_an_unanswered_ring_puts_the_call_back_at_the_head_and_the_agent_away(board: Board):
    console = board.agent("chen")
    first = board.call("kiosk-1")
    board.call("kiosk-2")
    assert board.callers["kiosk-2"].queued()[-1][0] == 1  # moved up while kiosk-1 rings

    board.advance(15)

    assert console.last("ring_cancelled") == {"type": "ring_cancelled", "call": first, "reason": "timeout"}
    assert board.sb.agent_state("chen") is AgentState.AWAY
    assert console.last("state") == {"type": "state", "state": "away"}
    assert board.phase(first) is LivePhase.WAITING
    assert board.sb.caller_queue_state("kiosk-1").position == 1
    assert board.callers["kiosk-2"].queued()[-1][0] == 2
    # the next agent gets the call that was put back, not the one behind it
    board.agent("wang")
    assert board.ringing("wang") == first


def test_the_ring_lasts_exactly_the_ring_timeout(board: Board):
    board.agent("chen")
    board.call("kiosk-1")

    assert board.sb.next_deadline() == T0 + 15
    board.clock.now = T0 + 14.999
    board.sb.tick()
    assert board.sb.agent_state("chen") is AgentState.RINGING
    board.clock.now = T0 + 15
    board.sb.tick()
    assert board.sb.agent_state("chen") is AgentState.AWAY


def test_a_declined_call_goes_back_to_the_head_and_the_agent_away(board: Board):
    console = board.agent("chen")
    call_id = board.call("kiosk-1")

    board.sb.agent_decline("chen", call_id)

    assert console.last("ring_cancelled")["reason"] == "declined"
    assert board.sb.agent_state("chen") is AgentState.AWAY
    assert board.phase(call_id) is LivePhase.WAITING
    assert board.sb.next_deadline() == board.sb.next_telling() == board.clock.now  # no ring timer left
    board.sb.tick()
    assert board.callers["kiosk-1"].queued()[-1] == (1, None)  # first again; nobody staffed now
    assert board.sb.next_deadline() is None


def test_accepting_anything_but_ones_own_ringing_call_is_refused(board: Board):
    board.agent("chen")
    board.agent("wang")
    call_id = board.call("kiosk-1")

    with pytest.raises(Refused, match="not_ringing"):
        board.sb.agent_accept("wang", call_id)
    with pytest.raises(Refused, match="not_signed_in"):
        board.sb.agent_accept("nobody", call_id)


# --- the call -----------------------------------------------------------------------------------------


def test_accepting_sends_the_caller_connect_with_the_agent_and_the_ice_servers():
    ice = IceServer(urls=["turn:turn.hak.example:3478"], username="u", credential="c")
    board = Board(ice_servers=[ice])
    console = board.agent("chen")
    call_id = board.call("kiosk-1", location="T1")
    board.clock.now += 4

    board.sb.agent_accept("chen", call_id)

    connect = board.callers["kiosk-1"].last
    assert isinstance(connect, Connect)
    assert connect.agent.id == "chen" and connect.agent.name == "Chen"
    assert connect.ice_servers == [ice]
    connected = console.last("connected")
    assert connected["call"] == call_id and connected["waited_s"] == 4.0 and connected["location"] == "T1"
    assert board.sb.agent_state("chen") is AgentState.ON_CALL
    assert board.sb.caller_queue_state("kiosk-1").call is CallPhase.IN_CALL
    assert board.sb.next_deadline() is None  # no ring timeout left behind


def test_sdp_passes_between_the_two_parties_of_a_call_and_nobody_else(board: Board):
    console = board.agent("chen")
    board.agent("wang")
    call_id = board.call("kiosk-1")
    other = board.call("kiosk-2")
    board.connect("chen")
    board.sb.agent_accept("wang", other)

    board.sb.caller_sdp("kiosk-1", SdpOffer(call=call_id, sdp="v=0 offer"))
    board.sb.agent_sdp("chen", call_id, "answer", "v=0 answer")

    assert console.last("offer") == {"type": "offer", "call": call_id, "sdp": "v=0 offer"}
    assert board.callers["kiosk-1"].last == SdpAnswer(call=call_id, sdp="v=0 answer")
    with pytest.raises(Refused, match="unknown_call"):
        board.sb.caller_sdp("kiosk-2", SdpOffer(call=call_id, sdp="v=0"))
    with pytest.raises(Refused, match="not_your_call"):
        board.sb.agent_sdp("wang", call_id, "answer", "v=0")
    with pytest.raises(Refused, match="bad_sdp"):
        board.sb.agent_sdp("chen", call_id, "answer", "")


def test_sdp_before_the_call_is_connected_is_refused(board: Board):
    call_id = board.call("kiosk-1")

    with pytest.raises(Refused, match="not_connected"):
        board.sb.caller_sdp("kiosk-1", SdpOffer(call=call_id, sdp="v=0"))


def test_a_caller_hang_up_ends_the_call_for_both_and_starts_wrap_up(board: Board):
    console = board.agent("chen")
    call_id = board.call("kiosk-1")
    board.clock.now += 3
    board.connect("chen")
    board.clock.now += 60

    board.sb.caller_hangup("kiosk-1", CallHangup(call=call_id))

    assert board.callers["kiosk-1"].ended() == [Ended(call=call_id, reason="caller")]
    assert console.last("ended") == {"type": "ended", "call": call_id, "reason": "caller"}
    wrap = console.last("wrap_up")
    assert wrap["until_s"] == board.clock.now + 30 and wrap["left_s"] == 30.0
    assert wrap["categories"] == board.settings.categories
    assert board.sb.agent_state("chen") is AgentState.WRAP_UP
    record = board.store.get(call_id)
    assert record is not None
    assert (record.outcome, record.wait_s, record.talk_s, record.wrap_s) == (Outcome.ANSWERED, 3.0, 60.0, None)

    board.advance(30)

    assert board.sb.agent_state("chen") is AgentState.AVAILABLE
    assert board.store.get(call_id).wrap_s == 30.0  # type: ignore[union-attr]
    assert board.sb.kpis_today().aht_s == 90.0


def test_an_agent_hang_up_tells_the_caller_reason_agent(board: Board):
    console = board.agent("chen")
    call_id = board.call("kiosk-1")
    board.connect("chen")

    board.sb.agent_hangup("chen", call_id)

    assert board.callers["kiosk-1"].ended() == [Ended(call=call_id, reason="agent")]
    assert console.last("ended")["reason"] == "agent"
    with pytest.raises(Refused, match="not_your_call"):
        board.sb.agent_hangup("chen", call_id)


def test_a_failed_hang_up_is_recorded_as_failed_when_nobody_had_answered(board: Board):
    call_id = board.call("kiosk-1")

    board.sb.caller_hangup("kiosk-1", CallHangup(call=call_id, reason="failed"))

    assert board.store.get(call_id).outcome is Outcome.FAILED  # type: ignore[union-attr]
    assert board.callers["kiosk-1"].ended()[-1].reason == "failed"


# --- wrap-up and dispositions --------------------------------------------------------------------------


def _finished_call(board: Board, agent_id: str = "chen") -> str:
    call_id = board.call("kiosk-1")
    board.connect(agent_id)
    board.clock.now += 40
    board.sb.agent_hangup(agent_id, call_id)
    return call_id


def test_wrap_up_ends_early_once_the_disposition_is_in_and_the_agent_is_available(board: Board):
    console = board.agent("chen")
    call_id = _finished_call(board)
    board.clock.now += 5

    board.sb.agent_presence("chen", True)  # not yet: no disposition
    assert board.sb.agent_state("chen") is AgentState.WRAP_UP
    board.sb.agent_disposition("chen", call_id, True, "baggage", "bag traced to HU7181")

    assert console.last("disposition_saved") == {"type": "disposition_saved", "call": call_id}
    assert board.sb.agent_state("chen") is AgentState.AVAILABLE
    record = board.store.get(call_id)
    assert record is not None
    assert (record.resolved_first_contact, record.category, record.note) == (True, "baggage", "bag traced to HU7181")
    assert record.wrap_s == 5.0


def test_a_disposition_alone_keeps_the_agent_in_wrap_up_until_it_ends(board: Board):
    board.agent("chen")
    call_id = _finished_call(board)

    board.sb.agent_disposition("chen", call_id, False, "transfer", "")
    assert board.sb.agent_state("chen") is AgentState.WRAP_UP
    board.sb.agent_presence("chen", True)

    assert board.sb.agent_state("chen") is AgentState.AVAILABLE


def test_a_disposition_given_during_the_call_is_kept_for_its_record(board: Board):
    board.agent("chen")
    call_id = board.call("kiosk-1")
    board.connect("chen")

    board.sb.agent_disposition("chen", call_id, True, "flight_info", "gate change")
    board.sb.agent_hangup("chen", call_id)

    assert board.store.get(call_id).category == "flight_info"  # type: ignore[union-attr]
    board.sb.agent_presence("chen", True)
    assert board.sb.agent_state("chen") is AgentState.AVAILABLE


def test_going_away_during_wrap_up_ends_it_and_away_during_the_call_makes_wrap_up_end_in_away(board: Board):
    board.agent("chen")
    _finished_call(board)
    board.sb.agent_presence("chen", False)
    assert board.sb.agent_state("chen") is AgentState.AWAY

    board.sb.agent_presence("chen", True)
    call_id = board.call("kiosk-2")
    board.connect("chen")
    board.sb.agent_presence("chen", False)
    board.sb.agent_hangup("chen", call_id)
    board.advance(30)

    assert board.sb.agent_state("chen") is AgentState.AWAY


@pytest.mark.parametrize(
    ("agent_id", "call", "category", "note", "reason"),
    [
        ("chen", "mine", "weather", "", "unknown_category"),
        ("chen", "mine", "baggage", "x" * 2001, "note_too_long"),
        ("wang", "mine", "baggage", "", "not_your_call"),
        ("chen", "unknown-call", "baggage", "", "not_your_call"),
    ],
)
def test_a_disposition_is_refused_for_an_unknown_category_a_long_note_or_someone_elses_call(
    board: Board, agent_id: str, call: str, category: str, note: str, reason: str
):
    board.agent("chen")
    board.agent("wang", available=False)
    call_id = _finished_call(board)

    with pytest.raises(Refused) as refused:
        board.sb.agent_disposition(agent_id, call_id if call == "mine" else call, True, category, note)

    assert refused.value.reason == reason


def test_a_disposition_is_taken_once(board: Board):
    board.agent("chen")
    call_id = _finished_call(board)
    board.sb.agent_disposition("chen", call_id, True, "baggage", "")

    with pytest.raises(Refused, match="already_recorded"):
        board.sb.agent_disposition("chen", call_id, False, "other", "")


def test_a_disposition_for_an_unanswered_call_is_refused(board: Board):
    board.agent("chen")
    call_id = board.call("kiosk-1")
    board.sb.agent_decline("chen", call_id)
    board.sb.cancel("kiosk-1", CallCancel(call=call_id))

    with pytest.raises(Refused, match="not_your_call"):
        board.sb.agent_disposition("chen", call_id, True, "baggage", "")


# --- callers leaving ----------------------------------------------------------------------------------


def test_cancelling_while_waiting_abandons_the_call_and_moves_the_others_up(board: Board):
    first = board.call("kiosk-1")
    board.call("kiosk-2")
    board.clock.now += 8

    board.sb.cancel("kiosk-1", CallCancel(call=first))

    assert board.callers["kiosk-1"].ended() == [Ended(call=first, reason="caller")]
    assert board.callers["kiosk-2"].queued() == [(2, None)]  # told by the timer, not by the cancel
    assert board.sb.caller_queue_state("kiosk-2").position == 1
    board.sb.tick()
    assert board.callers["kiosk-2"].queued() == [(2, None), (1, None)]
    record = board.store.get(first)
    assert record is not None and (record.outcome, record.wait_s) == (Outcome.ABANDONED, 8.0)


def test_cancelling_while_ringing_frees_the_agent_in_their_old_place(board: Board):
    chen = board.agent("chen")
    board.clock.now += 1
    board.agent("wang", available=False)
    call_id = board.call("kiosk-1")
    board.clock.now += 1
    board.sb.agent_presence("wang", True)

    board.sb.cancel("kiosk-1", CallCancel(call=call_id))

    assert chen.last("ring_cancelled") == {"type": "ring_cancelled", "call": call_id, "reason": "caller_left"}
    assert board.sb.agent_state("chen") is AgentState.AVAILABLE
    board.call("kiosk-2")
    assert board.sb.agent_state("chen") is AgentState.RINGING  # still idle longest


def test_cancel_after_the_answer_is_a_hang_up(board: Board):
    console = board.agent("chen")
    call_id = board.call("kiosk-1")
    board.connect("chen")

    board.sb.cancel("kiosk-1", CallCancel(call=call_id))

    assert console.last("ended")["reason"] == "caller"
    assert board.store.get(call_id).outcome is Outcome.ANSWERED  # type: ignore[union-attr]


def test_a_lost_caller_device_abandons_its_waiting_call_without_a_message(board: Board):
    call_id = board.call("kiosk-1")
    messages_before = len(board.callers["kiosk-1"].messages)

    board.sb.caller_lost("kiosk-1")
    board.sb.caller_lost("kiosk-9")  # a Last Will of a device that had no call

    assert len(board.callers["kiosk-1"].messages) == messages_before
    record = board.store.get(call_id)
    assert record is not None and (record.outcome, record.end_reason) == (Outcome.ABANDONED, "caller_lost")


def test_a_lost_caller_device_ends_a_connected_call_for_the_agent(board: Board):
    console = board.agent("chen")
    call_id = board.call("kiosk-1")
    board.connect("chen")

    board.sb.caller_lost("kiosk-1")

    assert console.last("ended") == {"type": "ended", "call": call_id, "reason": "caller_lost"}
    assert board.sb.agent_state("chen") is AgentState.WRAP_UP


# --- agents leaving -----------------------------------------------------------------------------------


def test_an_agent_console_lost_mid_call_ends_the_call_and_offers_the_caller_the_queue_again(board: Board):
    board.agent("chen")
    call_id = board.call("kiosk-1")
    board.connect("chen")
    board.clock.now += 20

    board.sb.agent_lost("chen")

    assert board.callers["kiosk-1"].ended() == [Ended(call=call_id, reason="agent_lost", requeue_offered=True)]
    assert board.sb.agent_state("chen") is AgentState.OFFLINE
    record = board.store.get(call_id)
    assert record is not None
    assert (record.outcome, record.end_reason, record.talk_s, record.wrap_s) == (
        Outcome.ANSWERED,
        "agent_lost",
        20.0,
        0.0,
    )
    board.call("kiosk-1")  # the caller may queue again at once
    assert board.sb.caller_queue_state("kiosk-1").position == 1


def test_an_agent_console_lost_while_ringing_is_a_ring_timeout(board: Board):
    board.agent("chen")
    call_id = board.call("kiosk-1")
    board.call("kiosk-2")

    board.sb.agent_lost("chen")

    assert board.phase(call_id) is LivePhase.WAITING
    assert board.sb.caller_queue_state("kiosk-1").position == 1
    board.agent("wang")
    assert board.ringing("wang") == call_id


def test_a_second_sign_in_replaces_the_first_console_which_is_told(board: Board):
    old = board.agent("chen")
    call_id = board.call("kiosk-1")

    new = Console()
    board.sb.agent_sign_in("chen", "Chen Li", ["zh"], new)

    assert old.events[-1] == {"type": "signed_out", "reason": "replaced"}
    assert board.phase(call_id) is LivePhase.WAITING  # the old console's ring went back to the queue
    assert board.sb.agent_state("chen") is AgentState.AWAY
    board.sb.agent_lost("chen", old)  # the old socket closes later: the new sign-in stays
    assert board.sb.agent_state("chen") is AgentState.AWAY
    board.sb.agent_lost("chen", new)
    assert board.sb.agent_state("chen") is AgentState.OFFLINE


def test_signing_out_is_refused_during_a_call_and_puts_a_ring_back(board: Board):
    console = board.agent("chen")
    call_id = board.call("kiosk-1")
    board.sb.agent_sign_out("chen")
    assert console.events[-1] == {"type": "signed_out", "reason": "signed_out"}
    assert board.phase(call_id) is LivePhase.WAITING

    board.agent("chen")
    board.sb.agent_accept("chen", call_id)
    with pytest.raises(Refused, match="on_call"):
        board.sb.agent_sign_out("chen")


def test_bad_agent_ids_and_names_are_refused(board: Board):
    with pytest.raises(Refused, match="bad_agent_id"):
        board.sb.agent_sign_in("chen li", "Chen", ["zh"], Console())
    with pytest.raises(Refused, match="bad_name"):
        board.sb.agent_sign_in("chen", "x" * 201, ["zh"], Console())


# --- ratings ------------------------------------------------------------------------------------------


def test_a_rating_is_kept_once_for_an_answered_call_of_that_caller(board: Board):
    board.agent("chen")
    call_id = _finished_call(board)

    board.sb.rating("kiosk-1", CallRating(call=call_id, stars=4, answered=True))

    record = board.store.get(call_id)
    assert record is not None and (record.rating, record.question_answered) == (4, True)
    with pytest.raises(Refused, match="already_rated"):
        board.sb.rating("kiosk-1", CallRating(call=call_id, stars=1))
    with pytest.raises(Refused, match="unknown_call"):
        board.sb.rating("kiosk-2", CallRating(call=call_id, stars=1))
    with pytest.raises(Refused, match="unknown_call"):
        board.sb.rating("kiosk-1", CallRating(call="never", stars=1))


def test_a_rating_of_a_call_nobody_answered_or_that_is_still_on_is_refused(board: Board):
    abandoned = board.call("kiosk-1")
    board.sb.cancel("kiosk-1", CallCancel(call=abandoned))
    with pytest.raises(Refused, match="not_answered"):
        board.sb.rating("kiosk-1", CallRating(call=abandoned, stars=5))

    board.agent("chen")
    live = board.call("kiosk-1")
    board.connect("chen")
    with pytest.raises(Refused, match="call_not_over"):
        board.sb.rating("kiosk-1", CallRating(call=live, stars=5))


def test_a_rating_during_wrap_up_survives_the_end_of_wrap_up(board: Board):
    board.agent("chen")
    call_id = _finished_call(board)
    board.sb.rating("kiosk-1", CallRating(call=call_id, stars=5))
    board.sb.agent_disposition("chen", call_id, True, "other", "")

    board.advance(30)

    record = board.store.get(call_id)
    assert record is not None and (record.rating, record.category, record.wrap_s) == (5, "other", 30.0)


# --- expected waits -----------------------------------------------------------------------------------


def test_waiting_callers_are_told_k_times_aht_over_staffed_less_the_heads_wait(board: Board):
    board.agent("chen")
    board.agent("wang")
    board.call("kiosk-a")
    board.call("kiosk-b")
    board.connect("chen")
    board.connect("wang")  # both busy, both staffed
    for name in ("c", "d", "e"):
        board.call(f"kiosk-{name}")

    # N = 2 staffed, AHT = 180 s (default): position k waits k * 90 s
    assert [board.callers[f"kiosk-{n}"].queued()[-1] for n in "cde"] == [(1, 90.0), (2, 180.0), (3, 270.0)]

    board.clock.now += 30  # the head has waited 30 s: everyone's estimate moves by 30 s
    board.sb.tick()
    assert [board.callers[f"kiosk-{n}"].queued()[-1] for n in "cde"] == [(1, 60.0), (2, 150.0), (3, 240.0)]


def test_small_changes_of_the_estimate_are_not_sent_again(board: Board):
    board.agent("chen")
    board.call("kiosk-a")
    board.connect("chen")
    for name in "bcd":
        board.call(f"kiosk-{name}")  # told 180, 360, 540 s

    board.clock.now += 20  # 20 s less for everyone: more than 5 s, but not a tenth of 360 or 540 s
    board.sb.tick()

    assert [board.callers[f"kiosk-{n}"].queued()[-1] for n in "bcd"] == [(1, 160.0), (2, 360.0), (3, 540.0)]
    assert board.sb.caller_queue_state("kiosk-d").eta_s == 540.0  # what their screen shows


def test_callers_are_told_when_an_agent_joins_and_their_estimate_shrinks(board: Board):
    board.agent("chen")
    board.call("kiosk-a")
    board.call("kiosk-b")
    assert board.callers["kiosk-b"].queued()[-1] == (1, 180.0)

    board.agent("wang", skills=["en"])  # another skill: nothing changes for kiosk-b
    assert board.callers["kiosk-b"].queued()[-1] == (1, 180.0)
    board.sb.agent_accept("chen", "kiosk-a-1")
    board.agent("li", available=False)  # away: not staffed
    assert board.callers["kiosk-b"].queued()[-1] == (1, 180.0)
    board.sb.agent_presence("li", True)  # li is rung for kiosk-b at once

    assert board.sb.caller_queue_state("kiosk-b").call is CallPhase.RINGING


def test_expected_wait_before_calling_is_null_unstaffed_zero_with_an_agent_free_and_erlang_c_otherwise(board: Board):
    assert board.sb.expected_wait_s("zh") is None
    board.agent("chen")
    board.agent("wang")
    assert board.sb.expected_wait_s("zh") == 0.0

    # one arrival in the last hour, AHT 180 s: A = 0.05 Erlang on 2 busy agents
    board.call("kiosk-a")
    board.call("kiosk-b")
    expected = _erlang_c_asa(2, 2 * 180 / 3600, 180)
    assert board.sb.expected_wait_s("zh") == pytest.approx(expected)
    summary = board.sb.queue_summary()
    assert summary.skills["zh"].expected_wait_s == pytest.approx(expected, abs=0.05)
    assert summary.skills["zh"].agents_staffed == 2
    assert summary.skills["sign"].expected_wait_s is None
    assert summary.expected_wait_s == pytest.approx(expected, abs=0.05)
    assert board.sb.expected_wait_s("klingon") is None


def _erlang_c_asa(n: int, a: float, aht: float) -> float:
    import math

    top = a**n / math.factorial(n) * n / (n - a)
    bottom = sum(a**k / math.factorial(k) for k in range(n)) + top
    return top / bottom * aht / (n - a)


# --- views and listeners ------------------------------------------------------------------------------


def test_the_queue_summary_counts_waiting_and_ringing_calls_and_the_longest_wait(board: Board):
    board.agent("chen")
    board.call("kiosk-a")
    board.clock.now += 10
    board.call("kiosk-b")
    board.call("kiosk-c", language="en")
    board.clock.now += 5

    summary = board.sb.queue_summary()

    assert summary.skills["zh"].waiting == 2
    assert summary.skills["zh"].longest_wait_s == 15.0
    assert summary.skills["en"].longest_wait_s == 5.0
    assert summary.agents_available == 0 and summary.agents_staffed == 1
    assert summary.service_hours == "06:00–24:00"
    assert summary.ts == datetime.fromtimestamp(board.clock.now, UTC)


def test_the_wallboard_shows_agents_by_state_with_names_and_todays_figures(board: Board):
    board.agent("chen")
    board.agent("wang", available=False)
    call_id = board.call("kiosk-a")
    board.clock.now += 10
    board.sb.agent_accept("chen", call_id)

    wall = board.sb.wallboard()

    assert [a["name"] for a in wall["agents"]["on_call"]] == ["Chen"]
    assert [a["id"] for a in wall["agents"]["away"]] == ["wang"]
    assert wall["agents"]["on_call"][0]["call"] == call_id
    assert wall["skills"]["zh"]["agents_staffed"] == 1
    assert wall["today"]["offered"] == 0  # the call has not ended yet
    assert wall["service_hours"] == "06:00–24:00"
    import json

    json.dumps(wall)  # JSON-able as it is


def test_listeners_hear_of_changes_but_not_of_refusals_or_relayed_sdp(board: Board):
    heard: list[int] = []
    board.sb.add_listener(lambda: heard.append(len(board.sb.live_calls())))
    board.agent("chen")
    heard.clear()
    call_id = board.call("kiosk-1")
    assert heard == [1]
    board.connect("chen")
    heard.clear()

    with pytest.raises(Refused):
        board.sb.agent_accept("chen", call_id)
    board.sb.caller_sdp("kiosk-1", SdpOffer(call=call_id, sdp="v=0"))

    assert heard == []


def test_a_caller_that_answers_from_inside_send_finds_the_switchboard_settled(board: Board):
    """An in-memory peer sends its offer while the switchboard is still delivering ``connect``."""
    console = board.agent("chen")

    class EagerCaller(Caller):
        def send(self, message: CallerMessage) -> None:
            super().send(message)
            if isinstance(message, Connect):
                board.sb.caller_sdp(self.caller_id, SdpOffer(call=message.call, sdp="v=0 eager"))

    caller = EagerCaller("kiosk-1")
    board.sb.request(caller, CallRequest(call="c1", language="zh"))
    board.sb.agent_accept("chen", "c1")

    assert console.last("offer")["sdp"] == "v=0 eager"


def test_a_channel_that_raises_does_not_break_the_step(board: Board, caplog: pytest.LogCaptureFixture):
    class Broken(Caller):
        def send(self, message: CallerMessage) -> None:
            raise OSError("socket gone")

    board.agent("chen")
    board.sb.request(Broken("kiosk-1"), CallRequest(call="c1", language="zh"))

    assert board.sb.agent_state("chen") is AgentState.RINGING
    assert "sending queued to kiosk-1 failed" in caplog.text


# --- today's figures ----------------------------------------------------------------------------------


def test_todays_figures_leave_short_abandons_out_of_the_offered_calls(board: Board):
    board.agent("chen")
    fast = board.call("kiosk-1")
    board.clock.now += 10
    board.sb.agent_accept("chen", fast)
    board.sb.agent_hangup("chen", fast)
    board.sb.agent_disposition("chen", fast, True, "other", "")
    board.sb.agent_presence("chen", False)
    short = board.call("kiosk-2")
    board.clock.now += 4
    board.sb.cancel("kiosk-2", CallCancel(call=short))
    long = board.call("kiosk-3")
    board.clock.now += 40
    board.sb.cancel("kiosk-3", CallCancel(call=long))

    kpis = board.sb.kpis_today()

    assert (kpis.offered, kpis.answered, kpis.abandoned, kpis.short_abandoned) == (2, 1, 1, 1)
    assert kpis.service_level == 0.5
    assert kpis.asa_s == 10.0
    assert kpis.fcr == 1.0
    assert board.sb.queue_summary().service_level_today == 0.5


def test_todays_figures_start_again_at_local_midnight(board: Board):
    call_id = board.call("kiosk-1")
    board.clock.now += 20
    board.sb.cancel("kiosk-1", CallCancel(call=call_id))
    assert board.sb.kpis_today().offered == 1

    board.clock.now = datetime(2026, 11, 23, 16, 0, 1, tzinfo=UTC).timestamp()  # 00:00:01 in Haikou
    board.sb.tick()

    assert board.sb.kpis_today().offered == 0


def test_a_new_switchboard_reads_todays_figures_and_handle_times_from_the_store(board: Board):
    board.agent("chen")
    call_id = board.call("kiosk-1")
    board.connect("chen")
    board.clock.now += 100
    board.sb.agent_hangup("chen", call_id)
    board.advance(30)

    again = Switchboard(board.settings, board.clock, board.store)

    assert again.kpis_today().answered == 1
    assert again.wallboard()["skills"]["zh"]["aht_s"] == 130.0


# --- settings -----------------------------------------------------------------------------------------


def test_settings_take_lists_as_text_from_the_environment():
    settings = SwitchboardSettings.model_validate(
        {
            "languages": "zh, en, ja",
            "skills": "sign,zh,en,ja",
            "ice_servers": '[{"urls": ["stun:stun.hak.example:3478"]}]',
        }
    )

    assert settings.languages == ["zh", "en", "ja"]
    assert settings.ice_servers[0].urls == ["stun:stun.hak.example:3478"]


@pytest.mark.parametrize(
    "bad",
    [
        {"languages": ["zh", "ja"]},  # ja is not a skill
        {"tz": "Mars/Olympus"},
        {"service_hours": "6 to midnight"},
        {"categories": ["baggage", "baggage"]},
        {"ring_timeout_s": 0},
    ],
)
def test_settings_refuse_what_cannot_work(bad: dict[str, Any]):
    with pytest.raises(ValueError):
        SwitchboardSettings.model_validate(bad)
