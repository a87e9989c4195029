"""The switchboard under random orders of events: no call is lost, answered twice or given to two agents;
waiting callers hear their exact place within a second of moving. Calls are passed on between agents and
queues, and sign-language calls escalate to Mandarin agents after a while: every leg is recorded."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from bus.messages.call import (
    CallCancel,
    CallHangup,
    CallRating,
    CallRequest,
    Connect,
    Ended,
    Handover,
    HandoverRequest,
    Queued,
    SdpOffer,
    Transfer,
)
from central.switchboard import AgentState, LivePhase, Outcome, Refused
from central.switchboard.telling import EXACT_PLACES, TELL_EVERY_S
from tests.peers.switchboard import Board, Caller, Console

CALLERS = ("kiosk-1", "kiosk-2", "kiosk-3", "kiosk-4", "kiosk-5")
# lee takes lost property only, a queue callers never ask for: calls reach it only passed on, so lee is
# often free when another agent wants to pass a call on
AGENT_SKILLS = {"chen": ("zh", "en"), "wang": ("zh", "sign"), "smith": ("en",), "lee": ("lost_property",)}
LANGUAGES = ("zh-CN", "zh", "en", "fr")  # fr is not served here
CATEGORIES = ("baggage", "other", "weather")  # weather is not a category here

TIER_AFTER_S = 10.0
SKILLS = ("zh", "en", "sign", "lost_property", "braille")  # braille is not a queue here

callers = st.sampled_from(CALLERS)
agents = st.sampled_from(sorted(AGENT_SKILLS))
# Which of the agents in a given state a rule acts on; with none in that state the rule tries a random
# agent and is (rightly) refused. Uniform choices alone would rarely get a call as far as an answer.
picks = st.integers(0, 7)


class SwitchboardMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.board = Board(
            wrap_up_s=20.0,
            skills=["sign", "zh", "en", "lost_property"],
            tiers={"sign": {"skill": "zh", "after_s": TIER_AFTER_S}},
        )
        self.sb = self.board.sb
        self.requested: list[str] = []
        self.last_call: dict[str, str] = {}
        self.lost_callers: set[str] = set()  # calls whose caller vanished get no "ended"
        self.calls_made = 0

    # --- helpers ------------------------------------------------------------------------------------------

    def attempt(self, action: Callable[[], Any]) -> None:
        """Run one switchboard call; a refusal must leave everything as it was."""
        before = (self.sb.live_calls(), self.sb.agents(), len(self.board.store))
        try:
            action()
        except Refused as refused:
            assert refused.reason
            if refused.reason.startswith("unsupported"):
                return
            assert (self.sb.live_calls(), self.sb.agents(), len(self.board.store)) == before, refused.reason

    def caller(self, caller_id: str) -> Caller:
        return self.board.callers.setdefault(caller_id, Caller(caller_id))

    def live_call_of(self, caller_id: str) -> str:
        state = self.sb.caller_queue_state(caller_id)
        return state.call_id or self.last_call.get(caller_id, "none")

    def agent_call(self, agent_id: str) -> str:
        view = next((a for a in self.sb.agents() if a.agent_id == agent_id), None)
        return view.call_id if view is not None and view.call_id else "none"

    def agent_in(self, state: AgentState, pick: int) -> str:
        found = sorted(a.agent_id for a in self.sb.agents() if a.state is state)
        return found[pick % len(found)] if found else sorted(AGENT_SKILLS)[pick % len(AGENT_SKILLS)]

    # --- a start with agents and callers (each run uses a random subset of the rules, so some runs would
    # otherwise never sign an agent in or place a call) ---------------------------------------------------

    @initialize(available=st.lists(st.booleans(), min_size=len(AGENT_SKILLS), max_size=len(AGENT_SKILLS)))
    def staff(self, available: list[bool]) -> None:
        for agent_id, ready in zip(sorted(AGENT_SKILLS), available, strict=True):
            self.sign_in(agent_id, ready)

    @initialize(languages=st.lists(st.sampled_from(("zh-CN", "en")), min_size=1, max_size=len(CALLERS)))
    def queue_up(self, languages: list[str]) -> None:
        for caller_id, language in zip(CALLERS, languages, strict=False):
            self.request(caller_id, language, False)

    # --- callers ------------------------------------------------------------------------------------------

    @rule(caller_id=callers, language=st.sampled_from(LANGUAGES), sign=st.sampled_from((False, False, True)))
    def request(self, caller_id: str, language: str, sign: bool) -> None:
        self.calls_made += 1
        call_id = f"c{self.calls_made}"
        request = CallRequest(call=call_id, language=language, skills=["sign"] if sign else [])
        live_before = self.sb.caller_queue_state(caller_id).call_id
        try:
            self.attempt(lambda: self.sb.request(self.caller(caller_id), request))
        finally:
            if live_before is None:  # accepted, or recorded as unsupported
                self.requested.append(call_id)
                self.last_call[caller_id] = call_id
                self.lost_callers.discard(call_id)

    @rule(caller_id=callers)
    def cancel(self, caller_id: str) -> None:
        self.attempt(lambda: self.sb.cancel(caller_id, CallCancel(call=self.live_call_of(caller_id))))

    @rule(caller_id=callers, failed=st.booleans())
    def caller_hangup(self, caller_id: str, failed: bool) -> None:
        message = CallHangup(call=self.live_call_of(caller_id), reason="failed" if failed else "caller")
        self.attempt(lambda: self.sb.caller_hangup(caller_id, message))

    @rule(caller_id=callers)
    def caller_lost(self, caller_id: str) -> None:
        call_id = self.sb.caller_queue_state(caller_id).call_id
        if call_id is not None:
            self.lost_callers.add(call_id)
        self.attempt(lambda: self.sb.caller_lost(caller_id))

    @rule(caller_id=callers)
    def caller_sdp(self, caller_id: str) -> None:
        self.attempt(lambda: self.sb.caller_sdp(caller_id, SdpOffer(call=self.live_call_of(caller_id), sdp="v=0")))

    @rule(caller_id=callers, stars=st.integers(1, 5))
    def rating(self, caller_id: str, stars: int) -> None:
        call_id = self.last_call.get(caller_id, "none")
        self.attempt(lambda: self.sb.rating(caller_id, CallRating(call=call_id, stars=stars, answered=True)))

    @rule(caller_id=callers, phone=callers, used=st.booleans())
    def hand_over(self, caller_id: str, phone: str, used: bool) -> None:
        """Continue on your phone: ``phone`` (any caller channel) takes over ``caller_id``'s waiting call."""
        call_id = self.live_call_of(caller_id)
        self.attempt(lambda: self.sb.handover_request(caller_id, HandoverRequest(call=call_id)))
        offers = [m for m in self.caller(caller_id).messages if isinstance(m, Handover) and m.call == call_id]
        token = offers[-1].token if offers and used else "no-such-token-0123456789"
        state_before = self.sb.caller_queue_state(caller_id)
        self.attempt(lambda: self.sb.take_over(token, self.caller(phone)))
        if self.sb.caller_queue_state(phone).call_id == call_id and phone != caller_id:
            self.last_call[phone] = call_id
            assert state_before.position is None or self.sb.caller_queue_state(phone).position == state_before.position

    @rule(caller_id=callers)
    def back_on_a_new_connection(self, caller_id: str) -> None:
        position = self.sb.caller_queue_state(caller_id).position
        self.attempt(lambda: self.sb.rebind(self.caller(caller_id)))
        assert self.sb.caller_queue_state(caller_id).position == position

    # --- agents -------------------------------------------------------------------------------------------

    @rule(agent_id=agents, available=st.booleans())
    def sign_in(self, agent_id: str, available: bool) -> None:
        console = Console()
        self.board.consoles[agent_id] = console
        self.attempt(lambda: self.sb.agent_sign_in(agent_id, agent_id.title(), AGENT_SKILLS[agent_id], console))
        if available:
            self.attempt(lambda: self.sb.agent_presence(agent_id, True))

    @rule(agent_id=agents)
    def sign_out(self, agent_id: str) -> None:
        self.attempt(lambda: self.sb.agent_sign_out(agent_id))

    @rule(agent_id=agents)
    def agent_lost(self, agent_id: str) -> None:
        self.attempt(lambda: self.sb.agent_lost(agent_id))

    @rule(agent_id=agents, available=st.booleans())
    def presence(self, agent_id: str, available: bool) -> None:
        self.attempt(lambda: self.sb.agent_presence(agent_id, available))

    @rule(pick=picks)
    def accept(self, pick: int) -> None:
        agent_id = self.agent_in(AgentState.RINGING, pick)
        self.attempt(lambda: self.sb.agent_accept(agent_id, self.agent_call(agent_id)))

    @rule(agent_id=agents, other=callers)
    def accept_someone_elses(self, agent_id: str, other: str) -> None:
        self.attempt(lambda: self.sb.agent_accept(agent_id, self.live_call_of(other)))

    @rule(pick=picks)
    def decline(self, pick: int) -> None:
        agent_id = self.agent_in(AgentState.RINGING, pick)
        self.attempt(lambda: self.sb.agent_decline(agent_id, self.agent_call(agent_id)))

    @rule(pick=picks)
    def agent_hangup(self, pick: int) -> None:
        agent_id = self.agent_in(AgentState.ON_CALL, pick)
        self.attempt(lambda: self.sb.agent_hangup(agent_id, self.agent_call(agent_id)))

    @rule(pick=picks)
    def agent_sdp(self, pick: int) -> None:
        agent_id = self.agent_in(AgentState.ON_CALL, pick)
        self.attempt(lambda: self.sb.agent_sdp(agent_id, self.agent_call(agent_id), "answer", "v=0"))

    @rule(pick=picks, resolved=st.booleans(), category=st.sampled_from(CATEGORIES))
    def disposition(self, pick: int, resolved: bool, category: str) -> None:
        agent_id = self.agent_in(AgentState.WRAP_UP, pick)
        call_id = self.agent_call(agent_id)
        self.attempt(lambda: self.sb.agent_disposition(agent_id, call_id, resolved, category, ""))

    @rule(agent_id=agents, caller_id=callers, resolved=st.booleans())
    def disposition_for_any_call(self, agent_id: str, caller_id: str, resolved: bool) -> None:
        call_id = self.last_call.get(caller_id, "none")
        self.attempt(lambda: self.sb.agent_disposition(agent_id, call_id, resolved, "other", ""))

    @rule(pick=picks, to_agent=st.booleans(), target_pick=picks, skill=st.sampled_from(("lost_property", *SKILLS)))
    def transfer(self, pick: int, to_agent: bool, target_pick: int, skill: str) -> None:
        passer = self.agent_in(AgentState.ON_CALL, pick)
        call_id = self.agent_call(passer)
        # mostly to an available agent (else a random one, refused when busy, gone, or the passer)
        to: dict[str, str] = {"to": self.agent_in(AgentState.AVAILABLE, target_pick)} if to_agent else {"skill": skill}
        self.attempt(lambda: self.sb.agent_transfer(passer, call_id, **to))

    @rule(
        caller_id=callers,
        pick=picks,
        to_agent=st.booleans(),
        target_pick=picks,
        skill=st.sampled_from(("lost_property", *SKILLS)),
    )
    def call_answer_and_pass_on(self, caller_id: str, pick: int, to_agent: bool, target_pick: int, skill: str) -> None:
        """A short first leg: transfers otherwise need a call, an answer and a transfer to meet by chance."""
        self.request(caller_id, "zh-CN", False)
        self.accept(pick)
        self.transfer(pick, to_agent, target_pick, skill)

    @rule(pick=picks, target_pick=picks)
    def consult(self, pick: int, target_pick: int) -> None:
        agent_id = self.agent_in(AgentState.ON_CALL, pick)
        colleague = self.agent_in(AgentState.AVAILABLE, target_pick)
        self.attempt(lambda: self.sb.agent_consult(agent_id, self.agent_call(agent_id), colleague))

    @rule(pick=picks, how=st.sampled_from(("hand_over", "take_back", "leave")))
    def end_consultation(self, pick: int, how: str) -> None:
        if how == "leave":
            colleague = self.agent_in(AgentState.CONSULTING, pick)
            call_id = next(iter(self.sb._state.consults), "none")
            self.attempt(lambda: self.sb.agent_consult_leave(colleague, call_id))
            return
        agent_id = self.agent_in(AgentState.ON_CALL, pick)
        action = self.sb.agent_hand_over if how == "hand_over" else self.sb.agent_take_back
        self.attempt(lambda: action(agent_id, self.agent_call(agent_id)))

    @rule(agent_id=agents, caller_id=callers, skill=st.sampled_from(SKILLS))
    def transfer_someone_elses(self, agent_id: str, caller_id: str, skill: str) -> None:
        self.attempt(lambda: self.sb.agent_transfer(agent_id, self.live_call_of(caller_id), skill=skill))

    # --- time ---------------------------------------------------------------------------------------------

    @rule(seconds=st.floats(0, 40))
    def advance(self, seconds: float) -> None:
        self.board.advance(seconds)
        deadline = self.sb.next_deadline()
        assert deadline is None or deadline > self.board.clock.now

    # --- invariants ---------------------------------------------------------------------------------------

    @invariant()
    def every_call_is_live_or_recorded_exactly_once(self) -> None:
        live = {call.call_id: call for call in self.sb.live_calls()}
        for call_id in self.requested:
            recorded = self.board.store.get(call_id) is not None
            assert (call_id in live) != recorded, call_id
        assert set(live) <= set(self.requested)
        assert len(self.requested) == len(live) + len(self.board.store)

    @invariant()
    def a_caller_has_one_live_call_and_an_agent_one_call(self) -> None:
        live = self.sb.live_calls()
        assert len({c.caller_id for c in live}) == len(live)
        with_agent = [c.agent_id for c in live if c.agent_id is not None]
        assert len(set(with_agent)) == len(with_agent)
        states = {a.agent_id: a.state for a in self.sb.agents()}
        for call in live:
            if call.phase is LivePhase.RINGING:
                assert states[call.agent_id or ""] is AgentState.RINGING
            elif call.phase is LivePhase.CONNECTED:
                assert states[call.agent_id or ""] is AgentState.ON_CALL
            else:
                assert call.agent_id is None
        busy = [a for a, s in states.items() if s in (AgentState.RINGING, AgentState.ON_CALL)]
        assert sorted(busy) == sorted(with_agent)

    @invariant()
    def no_call_is_answered_twice_or_ended_twice_and_every_leg_is_recorded(self) -> None:
        connects: Counter[str] = Counter()  # one per leg: the first agent's, and one after each transfer
        transfers: Counter[str] = Counter()
        endings: Counter[str] = Counter()
        for caller in self.board.callers.values():
            for message in caller.messages:
                if isinstance(message, Connect):
                    connects[message.call] += 1
                elif isinstance(message, Transfer):
                    transfers[message.call] += 1
                elif isinstance(message, Ended) and message.reason != "handed_over":
                    endings[message.call] += 1
        assert all(connects[call_id] <= transfers[call_id] + 1 for call_id in connects)
        assert all(count == 1 for count in endings.values())
        for record in self.board.store.all():
            told = endings[record.call_id] == 1
            assert told == (record.call_id not in self.lost_callers), record
            assert record.transfers == transfers[record.call_id]
            if record.outcome is Outcome.ANSWERED:
                assert connects[record.call_id] == len(record.legs) >= 1, record
                assert record.transfers in (len(record.legs) - 1, len(record.legs)), (
                    record
                )  # the last may be unanswered
                assert record.legs[0].answered_at == record.answered_at
                assert all(a.ended_at <= b.answered_at for a, b in zip(record.legs, record.legs[1:], strict=False))
                assert sum(leg.talk_s for leg in record.legs) <= (record.talk_s or 0) + 1e-6
                closer = record.legs[-1].agent_id
                assert record.agent_id == closer
            else:
                assert connects[record.call_id] == 0 and not record.legs and record.transfers == 0

    @invariant()
    def a_consulting_agent_talks_about_a_connected_call_of_another(self) -> None:
        states = {a.agent_id: a.state for a in self.sb.agents()}
        consults = self.sb._state.consults
        live = {c.call_id: c for c in self.sb.live_calls()}
        assert sorted(a for a, s in states.items() if s is AgentState.CONSULTING) == sorted(
            p[1] for p in consults.values()
        )
        for call_id, (first, _colleague) in consults.items():
            assert live[call_id].phase is LivePhase.CONNECTED and live[call_id].agent_id == first

    @invariant()
    def no_call_waits_past_its_tier_while_the_tier_has_a_free_agent(self) -> None:
        now = self.board.clock.now
        free_zh = any(a.state is AgentState.AVAILABLE and "zh" in a.skills for a in self.sb.agents())
        for call in self.sb.live_calls():
            if call.phase is LivePhase.WAITING and call.skill == "sign" and free_zh:
                assert now - call.arrived_at < TIER_AFTER_S, call

    @invariant()
    def nobody_waits_while_an_agent_who_could_take_the_call_is_free(self) -> None:
        waiting_skills = {c.skill for c in self.sb.live_calls() if c.phase is LivePhase.WAITING}
        for agent in self.sb.agents():
            if agent.state is AgentState.AVAILABLE:
                assert not waiting_skills & set(agent.skills)

    @invariant()
    def positions_run_from_one_in_each_queue(self) -> None:
        by_skill: dict[str, list[int]] = {}
        for call in self.sb.live_calls():
            if call.phase is LivePhase.WAITING:
                assert call.position is not None
                by_skill.setdefault(call.skill, []).append(call.position)
        for positions in by_skill.values():
            assert sorted(positions) == list(range(1, len(positions) + 1))

    @invariant()
    def waiting_callers_are_told_within_a_second(self) -> None:
        now = self.board.clock.now
        telling = self.sb.next_telling()
        assert telling is None or now <= telling <= now + TELL_EVERY_S
        assert telling is None or (self.sb.next_deadline() or telling) <= telling

    @invariant()
    def with_no_telling_pending_every_waiting_caller_knows_their_exact_place(self) -> None:
        if self.sb.next_telling() is not None:
            return
        for call in self.sb.live_calls():
            if call.phase is not LivePhase.WAITING:
                continue
            assert call.position is not None and call.position <= EXACT_PLACES  # near the head: every move told
            told = [m for m in self.caller(call.caller_id).messages if isinstance(m, Queued) and m.call == call.call_id]
            assert told and told[-1].position == call.position, (call, told)
            assert told[-1].eta_s == self.sb.caller_queue_state(call.caller_id).eta_s

    @invariant()
    def todays_figures_add_up(self) -> None:
        kpis = self.sb.kpis_today()
        records = self.board.store.all()
        assert kpis.offered == kpis.answered + kpis.abandoned + kpis.failed
        assert kpis.offered + kpis.short_abandoned + kpis.unsupported == len(records)
        assert kpis.answered == sum(r.outcome is Outcome.ANSWERED for r in records)
        assert kpis.ratings == sum(r.rating is not None for r in records)
        summary = self.sb.queue_summary()
        unanswered = sum(c.phase is not LivePhase.CONNECTED for c in self.sb.live_calls())
        assert sum(q.waiting for q in summary.skills.values()) == unanswered


SwitchboardMachine.TestCase.settings = settings(
    max_examples=120, stateful_step_count=50, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
test_switchboard_under_random_events = SwitchboardMachine.TestCase
