"""Blind transfer and escalation tiers: the caller keeps the call and its place, every leg is recorded."""

from __future__ import annotations

import pytest

from bus.messages.call import CallHangup, CallRequest, Connect, Transfer
from central.switchboard import AgentState, LivePhase, Outcome, Refused
from central.switchboard.model import LegEnd
from tests.peers.switchboard import Board, Caller


@pytest.fixture
def board() -> Board:
    return Board(wrap_up_s=30.0)


def answered(board: Board, agent: str = "chen", caller: str = "kiosk-1") -> str:
    board.agent(agent)
    board.call(caller, location="T1 Hall B", screen="flight_detail", flight="HU7181")
    return board.connect(agent)


def test_a_call_passed_to_a_queue_waits_at_its_head_and_the_next_agent_gets_the_note_and_context(board: Board):
    call_id = answered(board)
    board.sb.agent_disposition("chen", call_id, False, "lost_property", "bag left on flight HU7181")
    board.agent("wang", skills=["zh"], available=False)
    board.call("kiosk-2")  # waiting already, but arrived later: the call passed on goes first
    board.clock.now += 40

    board.sb.agent_transfer("chen", call_id, skill="zh")

    caller = board.callers["kiosk-1"]
    assert isinstance(caller.last, Transfer) and caller.last.call == call_id
    assert board.phase(call_id) is LivePhase.WAITING
    assert board.sb.caller_queue_state("kiosk-1").position == 1
    assert board.consoles["chen"].last("transferred") == {
        "type": "transferred",
        "call": call_id,
        "skill": "zh",
        "agent": None,
    }
    assert board.sb.agent_state("chen") is AgentState.WRAP_UP  # so the call cannot bounce straight back

    board.sb.agent_presence("wang", True)
    ring = board.consoles["wang"].last("ring")
    assert ring["call"] == call_id
    assert ring["transferred_from"] == "Chen"
    assert ring["handed_note"] == "bag left on flight HU7181"
    assert ring["context"]["flight"] == "HU7181"
    board.clock.now += 2
    board.sb.agent_accept("wang", call_id)
    connect = caller.last
    assert isinstance(connect, Connect) and connect.call == call_id and connect.agent.id == "wang"


def test_every_leg_is_recorded_and_the_call_is_answered_once_resolved_by_whoever_closed_it(board: Board):
    call_id = answered(board)
    t_answer = board.clock.now
    board.sb.agent_disposition("chen", call_id, False, "lost_property", "for the lost-property desk")
    board.agent("wang", skills=["zh"])
    board.clock.now += 30
    board.sb.agent_transfer("chen", call_id, to="wang")
    board.clock.now += 3
    board.sb.agent_accept("wang", call_id)
    board.clock.now += 60
    board.sb.agent_disposition("wang", call_id, True, "lost_property", "found, collect at T1")
    board.sb.agent_hangup("wang", call_id)

    (record,) = board.store.all()
    assert record.outcome is Outcome.ANSWERED
    assert record.answered_at == t_answer  # answered once: the wait is to the first answer
    assert record.agent_id == "wang" and record.resolved_first_contact is True
    assert record.note == "found, collect at T1"
    assert record.transfers == 1
    assert [(leg.agent_id, leg.end, leg.talk_s) for leg in record.legs] == [
        ("chen", LegEnd.TRANSFERRED, 30.0),
        ("wang", LegEnd.CLOSED, 60.0),
    ]
    assert record.talk_s == 93.0
    kpis = board.sb.kpis_today()
    assert (kpis.answered, kpis.offered, kpis.dispositions) == (1, 1, 1)


def test_an_agent_who_passed_a_call_on_is_free_again_once_they_say_so(board: Board):
    call_id = answered(board)
    board.agent("wang", skills=["zh"])
    board.sb.agent_transfer("chen", call_id, to="wang")

    board.sb.agent_presence("chen", True)

    assert board.sb.agent_state("chen") is AgentState.AVAILABLE


def test_a_named_agent_who_lets_it_ring_sends_the_call_to_the_head_of_its_queue(board: Board):
    call_id = answered(board)
    board.agent("wang", skills=["zh"])
    board.sb.agent_transfer("chen", call_id, to="wang")
    assert board.ringing("wang") == call_id

    board.advance(board.settings.ring_timeout_s + 0.1)

    assert board.phase(call_id) is LivePhase.WAITING
    assert board.sb.caller_queue_state("kiosk-1").position == 1
    assert not board.callers["kiosk-1"].ended()


def test_a_caller_who_hangs_up_while_passed_on_ends_an_answered_call_with_its_legs(board: Board):
    call_id = answered(board)
    board.agent("wang", skills=["zh"], available=False)
    board.sb.agent_presence("wang", True)
    board.sb.agent_presence("wang", False)  # staffed once, away now: the queue takes the call, nobody rings
    board.agent("li", skills=["zh"], available=False)
    board.sb.agent_presence("li", True)
    board.sb.agent_transfer("chen", call_id, to="li")
    board.clock.now += 5

    board.sb.caller_hangup("kiosk-1", CallHangup(call=call_id))

    (record,) = board.store.all()
    assert record.outcome is Outcome.ANSWERED and record.transfers == 1
    assert [leg.agent_id for leg in record.legs] == ["chen"]
    assert board.sb.agent_state("li") is AgentState.AVAILABLE
    assert board.callers["kiosk-1"].ended()[-1].reason == "caller"


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"to": "gone"}, "agent_gone"),
        ({"to": "chen"}, "same_agent"),
        ({"to": "busy"}, "agent_busy"),
        ({"skill": "sign"}, "nobody_signed_in"),
        ({"skill": "braille"}, "unknown_skill"),
        ({}, "choose_queue_or_agent"),
        ({"skill": "zh", "to": "busy"}, "choose_queue_or_agent"),
    ],
)
def test_a_transfer_that_cannot_be_made_is_refused_and_the_caller_stays_connected(
    board: Board, kwargs: dict[str, str], reason: str
):
    call_id = answered(board)
    board.agent("busy", skills=["zh"], available=False)
    before = list(board.callers["kiosk-1"].messages)

    with pytest.raises(Refused) as refused:
        board.sb.agent_transfer("chen", call_id, **kwargs)

    assert refused.value.reason == reason
    assert board.phase(call_id) is LivePhase.CONNECTED
    assert board.sb.agent_state("chen") is AgentState.ON_CALL
    assert board.callers["kiosk-1"].messages == before


def test_a_call_from_a_phone_is_not_passed_on_and_goes_on_as_it_was(board: Board):
    board.agent("chen")
    board.agent("wang", skills=["zh"], available=False)
    phone = Caller("phone-1", kind="phone")
    board.sb.request(phone, CallRequest(call="phone-1-1", language="zh"))
    call_id = board.connect("chen")

    with pytest.raises(Refused, match="phone_call"):
        board.sb.agent_transfer("chen", call_id, skill="zh")
    assert board.phase(call_id) is LivePhase.CONNECTED


def test_a_transfer_of_a_call_that_just_ended_is_refused(board: Board):
    call_id = answered(board)
    board.agent("wang", skills=["zh"])
    board.sb.caller_hangup("kiosk-1", CallHangup(call=call_id))

    with pytest.raises(Refused, match="not_your_call"):
        board.sb.agent_transfer("chen", call_id, to="wang")


def test_a_transfer_to_an_agent_who_just_went_away_is_refused_and_one_to_the_queue_still_works(board: Board):
    call_id = answered(board)
    board.agent("wang", skills=["zh"])
    board.sb.agent_presence("wang", False)

    with pytest.raises(Refused, match="agent_busy"):
        board.sb.agent_transfer("chen", call_id, to="wang")
    board.sb.agent_transfer("chen", call_id, skill="zh")  # wang is away but signed in: the call waits for them

    assert board.phase(call_id) is LivePhase.WAITING


# --- escalation tiers ---------------------------------------------------------------------------------


def test_a_call_waiting_past_its_tier_time_is_offered_to_the_second_tier():
    board = Board(tiers={"sign": {"skill": "zh", "after_s": 60}})
    board.agent("chen", skills=["zh"])
    call_id = board.call("kiosk-1", skills=["sign"])
    assert board.sb.agent_state("chen") is AgentState.AVAILABLE  # not yet: sign agents come first

    board.advance(59)
    assert board.sb.agent_state("chen") is AgentState.AVAILABLE
    board.advance(1.5)

    assert board.ringing("chen") == call_id
    board.sb.agent_accept("chen", call_id)
    assert board.phase(call_id) is LivePhase.CONNECTED


def test_the_queues_own_agents_come_first_and_a_queue_without_a_tier_never_escalates():
    board = Board(tiers={"sign": {"skill": "zh", "after_s": 10}})
    board.agent("chen", skills=["zh"])
    en_call = board.call("kiosk-1", language="en")
    board.advance(120)
    assert board.phase(en_call) is LivePhase.WAITING  # en has no tier

    board.agent("signer", skills=["sign"], available=False)
    sign_call = board.call("kiosk-2", skills=["sign"])
    board.sb.agent_presence("signer", True)
    assert board.ringing("signer") == sign_call


@pytest.mark.parametrize(
    "tiers",
    [{"sign": {"skill": "braille", "after_s": 5}}, {"zh": {"skill": "zh", "after_s": 5}}, {"zh": {"after_s": 5}}],
)
def test_a_tier_that_names_an_unknown_skill_or_itself_is_refused_at_start(tiers: dict[str, object]):
    with pytest.raises(ValueError, match="tiers"):
        Board(tiers=tiers)
