"""The switchboard: queues per skill, agent states, routing, ring and wrap-up timers, call records.

Pure logic (docs/calls.md): no I/O of its own, no asyncio, a clock passed in. The adapters in
``central.calls`` turn bus messages and console sockets into method calls here, call :meth:`tick` at
:meth:`next_deadline`, and publish the views when a listener says something changed.

Every public method runs as one step: it changes the state; routing offers waiting calls to idle agents;
only then are the step's messages delivered (rings and the like first, then a ``queued`` to every
waiting caller whose position or expected wait moved); and last the listeners are called. A channel
that answers from inside ``send`` (an in-memory peer) therefore finds the calls and agents settled, and
what it sets off runs as part of the same step.

Where docs/calls.md leaves a choice open, this is what the switchboard does:

- Routing: the longest-waiting queue is the one whose oldest waiting call has waited longest; the
  longest-idle agent is the one available longest. A ring the caller abandons does not cost the agent
  their place in that order.
- Expected waits: a caller hears a new ``queued`` when their position changes, or when their estimate
  appears, vanishes, or moves by at least 5 s and a tenth of what they were told; estimates are whole
  seconds, recomputed whenever the queue, its staffing or its handle time changes and at every
  :meth:`tick`. A new call with an agent free is told 0. Before calling, when the offered load reaches
  the staffed agents (Erlang C has no answer) the estimate is that of the next place in the queue.
- The summary's ``waiting`` counts queued and ringing calls; ``agents_staffed`` means signed in and not
  away, as for the estimate; its overall expected wait is the longest of the language queues'.
- Wrap-up ends after ``wrap_up_s``, or as soon as the disposition is in and the agent has set themselves
  available (in either order). Away during wrap-up ends it at once; available or away during a call says
  how wrap-up will end. A disposition is taken once per answered call, from its agent, during the call
  or at any time after it.
- A cancel after the answer is a hang-up. A caller hears exactly one ``ended`` per call, also after its
  own cancel or hang-up, unless its device was lost. A hang-up with reason ``failed`` before the answer
  is recorded as ``failed``.
- The same request twice (QoS 1) is answered with the call's ``queued`` again, not refused; a call id is
  never used twice.
- Signing out is refused during a call; while ringing, the call goes back to the head of its queue. A
  second sign-in of the same agent drops the first session as if its console were lost; a late
  :meth:`agent_lost` for the old console is ignored when it names that console's channel.
- Skills an agent's account names that the site does not have are ignored.
- The handle time of a call is its talk time plus the wrap-up actually taken (0 if the agent's console
  was lost during the call). A call's record is written when it ends and filled in by the disposition,
  the rating and the end of wrap-up; today's figures count calls by the local day they arrived.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Concatenate, Literal, ParamSpec, TypeVar

from pydantic import ValidationError

from bus.messages.call import (
    Agent,
    CallCancel,
    CallContext,
    CallHangup,
    CallRating,
    CallRequest,
    Connect,
    Ended,
    Queued,
    SdpAnswer,
    SdpOffer,
)
from bus.messages.central import QueueSummary, SkillQueue
from bus.messages.device import CallPhase, DeviceQueue
from central.switchboard import events
from central.switchboard.agents import AgentRoster, SignedInAgent
from central.switchboard.eta import AHT_WINDOW_CALLS, Arrivals, HandleTimes, before_call_eta_s, waiting_eta_s
from central.switchboard.kpi import Kpis
from central.switchboard.model import (
    AgentChannel,
    AgentEvent,
    AgentState,
    AgentView,
    CallerChannel,
    CallerMessage,
    CallRecord,
    LiveCall,
    LivePhase,
    Outcome,
    Refused,
)
from central.switchboard.queues import CallQueue
from central.switchboard.records import CallLog
from central.switchboard.settings import SIGN_SKILL, SwitchboardSettings
from central.switchboard.store import CallStore
from central.switchboard.timers import Deadlines

log = logging.getLogger(__name__)

Clock = Callable[[], float]
"""Epoch seconds."""
Listener = Callable[[], None]

AGENT_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
MAX_NOTE_CHARS = 2000
ETA_RESEND_STEP_S = 5.0
"""A waiting caller hears of a new expected wait only when it moved by this much, or by a tenth (or their
position changed): the estimate drifts every second, and a message per caller per second is noise on the bus."""

P = ParamSpec("P")
R = TypeVar("R")


_Delivery = tuple[Callable[[Any], None], "CallerMessage | AgentEvent", str]
"""One message of a step, delivered when the step is settled: the channel's send, the message, and who
it is for (for the log). A plain tuple: a routing decision makes hundreds of them."""


def _eta_moved(sent_s: float | None, eta_s: float | None) -> bool:
    """Whether a caller should hear of a new expected wait: it appeared, vanished, or moved by at least
    ``ETA_RESEND_STEP_S`` or a tenth of what they were told (a minute either way means little at 20 minutes)."""
    if sent_s is None or eta_s is None:
        return sent_s is not eta_s
    return abs(eta_s - sent_s) >= max(ETA_RESEND_STEP_S, 0.1 * sent_s)


@dataclass(slots=True, eq=False)
class _Disposition:
    resolved: bool
    category: str
    note: str


@dataclass(slots=True, eq=False)
class _Call:
    call_id: str
    channel: CallerChannel
    caller_id: str
    caller_kind: str
    skill: str
    language: str
    context: CallContext
    arrived_at: float
    phase: LivePhase = LivePhase.WAITING
    agent_id: str | None = None
    answered_at: float | None = None
    position: int | None = None  # while waiting, and only then
    sent_position: int | None = None  # what the caller was (or is about to be) told
    sent_eta_s: float | None = None
    update_pending: bool = False  # in ``Switchboard._position_updates``
    disposition: _Disposition | None = None


def _step(method: Callable[Concatenate[Switchboard, P], R]) -> Callable[Concatenate[Switchboard, P], R]:
    """Run a public method as one step: change, route, tell waiting callers, deliver, notify."""

    @functools.wraps(method)
    def run(self: Switchboard, /, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(self, *args, **kwargs)
        finally:
            self._settle()

    return run


class Switchboard:
    """Queues video-help calls by skill and routes them to agents (docs/calls.md)."""

    def __init__(self, settings: SwitchboardSettings, clock: Clock, store: CallStore) -> None:
        self._settings = settings
        self._clock = clock
        self._log = CallLog(store, settings, clock())
        self._skills = tuple(settings.skills)
        self._categories = frozenset(settings.categories)
        self._calls: dict[str, _Call] = {}
        self._caller_calls: dict[str, str] = {}
        self._queues = {skill: CallQueue() for skill in self._skills}
        self._ringing: dict[str, dict[str, float]] = {skill: {} for skill in self._skills}
        self._agents = AgentRoster(self._skills)
        self._deadlines = Deadlines()
        self._arrivals = {skill: Arrivals() for skill in self._skills}
        self._handle_times = {skill: HandleTimes(settings.default_aht_s) for skill in self._skills}
        for skill, times in self._handle_times.items():
            for handle_s in self._log.recent_handle_times(skill, AHT_WINDOW_CALLS):
                times.add(handle_s)
        self._dirty: set[str] = set()
        self._outbox: list[_Delivery] = []
        self._position_updates: list[_Call] = []
        self._listeners: list[Listener] = []
        self._changed = False
        self._settling = False

    @property
    def settings(self) -> SwitchboardSettings:
        return self._settings

    def add_listener(self, listener: Listener) -> None:
        """Called after every step that changed something (publish the queue summary, the wallboard)."""
        self._listeners.append(listener)

    # --- callers ---------------------------------------------------------------------------------------

    @_step
    def request(self, channel: CallerChannel, request: CallRequest) -> None:
        """A caller asks for help: queue the call, or refuse it (one live call per caller)."""
        caller_id = channel.caller_id
        live_id = self._caller_calls.get(caller_id)
        if live_id is not None:
            if live_id == request.call:
                # QoS 1 may deliver a request twice: say again where the call stands instead of refusing it.
                call = self._calls[live_id]
                if call.phase is LivePhase.WAITING:
                    self._push_queued(call)
                return
            raise Refused("call_in_progress")
        if request.call in self._calls or self._log.get(request.call) is not None:
            raise Refused("duplicate_call")
        now = self._clock()
        language = request.language.split("-", 1)[0]
        problem = self._unsupported(language, request.skills)
        if problem is not None:
            self._refuse_unsupported(channel, request, language, now)
            raise Refused(problem)
        skill = SIGN_SKILL if SIGN_SKILL in request.skills else language
        call = _Call(
            call_id=request.call,
            channel=channel,
            caller_id=caller_id,
            caller_kind=channel.kind,
            skill=skill,
            language=request.language,
            context=request.context,
            arrived_at=now,
        )
        self._calls[call.call_id] = call
        self._caller_calls[caller_id] = call.call_id
        queue = self._queues[skill]
        queue.append(call.call_id, now)
        self._arrivals[skill].add(now)
        call.position = len(queue)
        # Answered at once, before routing may ring an agent: the caller always hears "queued" first.
        self._push_queued(call)
        self._changed = True
        log.info("call %s from %s: queued for %s at %d", call.call_id, caller_id, skill, call.position)

    @_step
    def cancel(self, caller_id: str, message: CallCancel) -> None:
        """The caller gives up; after an agent accepted it counts as a hang-up."""
        call = self._callers_call(caller_id, message.call)
        if call.phase is LivePhase.CONNECTED:
            self._end_connected(call, "caller", tell_caller=True)
        else:
            self._end_unanswered(call, Outcome.ABANDONED, "caller", tell_caller=True)

    @_step
    def caller_hangup(self, caller_id: str, message: CallHangup) -> None:
        """The caller ends the call (reason ``failed`` when its media or SDP failed)."""
        call = self._callers_call(caller_id, message.call)
        reason = "failed" if message.reason == "failed" else "caller"
        if call.phase is LivePhase.CONNECTED:
            self._end_connected(call, reason, tell_caller=True)
        else:
            outcome = Outcome.FAILED if reason == "failed" else Outcome.ABANDONED
            self._end_unanswered(call, outcome, reason, tell_caller=True)

    @_step
    def caller_lost(self, caller_id: str) -> None:
        """The caller's device vanished (Last Will) or its phone socket closed; nothing if it had no call."""
        call_id = self._caller_calls.get(caller_id)
        if call_id is None:
            return
        call = self._calls[call_id]
        if call.phase is LivePhase.CONNECTED:
            self._end_connected(call, "caller_lost", tell_caller=False)
        else:
            self._end_unanswered(call, Outcome.ABANDONED, "caller_lost", tell_caller=False)

    @_step
    def caller_sdp(self, caller_id: str, message: SdpOffer | SdpAnswer) -> None:
        """Relay the caller's SDP to the agent of the call."""
        call = self._callers_call(caller_id, message.call)
        if call.phase is not LivePhase.CONNECTED or call.agent_id is None:
            raise Refused("not_connected")
        self._send_agent(self._agents[call.agent_id], events.sdp(message.type, call.call_id, message.sdp))

    @_step
    def rating(self, caller_id: str, message: CallRating) -> None:
        """Stars and "was your question answered?", once, for an answered call of this caller that ended."""
        live = self._calls.get(message.call)
        if live is not None and live.caller_id == caller_id:
            raise Refused("call_not_over")
        record = self._log.get(message.call)
        if record is None or record.caller_id != caller_id:
            raise Refused("unknown_call")
        if record.outcome is not Outcome.ANSWERED:
            raise Refused("not_answered")
        if record.rating is not None:
            raise Refused("already_rated")
        self._update_record(record, rating=message.stars, question_answered=message.answered)
        log.info("call %s: rated %d", record.call_id, message.stars)

    # --- agents ----------------------------------------------------------------------------------------

    @_step
    def agent_sign_in(self, agent_id: str, name: str, skills: Iterable[str], channel: AgentChannel) -> None:
        """An agent signs in (state ``away``); a second sign-in replaces the first, which is told."""
        if not AGENT_ID.match(agent_id):
            raise Refused("bad_agent_id")
        try:
            card = Agent(id=agent_id, name=name)
        except ValidationError:
            raise Refused("bad_name") from None
        old = self._agents.get(agent_id)
        if old is not None:
            self._remove_agent(old, farewell=events.signed_out("replaced"))
            log.info("agent %s: signed in again elsewhere; the old console is dropped", agent_id)
        known = frozenset(skill for skill in skills if skill in self._queues)
        agent = SignedInAgent(agent_id=agent_id, card=card, skills=known, channel=channel, since=self._clock())
        self._agents.add(agent)
        self._send_agent(
            agent,
            events.signed_in(
                agent_id,
                name,
                known,
                self._settings.categories,
                self._settings.ring_timeout_s,
                self._settings.wrap_up_s,
            ),
        )
        self._set_state(agent, AgentState.AWAY)

    @_step
    def agent_sign_out(self, agent_id: str) -> None:
        """Sign out; refused during a call (hang up first). A ring in progress goes back to the queue."""
        agent = self._signed_in(agent_id)
        if agent.state is AgentState.ON_CALL:
            raise Refused("on_call")
        self._remove_agent(agent, farewell=events.signed_out("signed_out"))

    @_step
    def agent_lost(self, agent_id: str, channel: AgentChannel | None = None) -> None:
        """The console's socket closed. With ``channel``, nothing happens if a newer sign-in replaced it."""
        agent = self._agents.get(agent_id)
        if agent is None or (channel is not None and channel is not agent.channel):
            return
        log.info("agent %s: console lost in state %s", agent_id, agent.state)
        self._remove_agent(agent, farewell=None)

    @_step
    def agent_presence(self, agent_id: str, available: bool) -> None:
        """The agent sets themselves available or away.

        During a call this says what happens after it; during wrap-up, available ends it early once the
        disposition is in (else at the disposition), and away ends it at once.
        """
        agent = self._signed_in(agent_id)
        state = agent.state
        if state is AgentState.AWAY and available:
            agent.idle_since = self._clock()
            self._set_state(agent, AgentState.AVAILABLE)
        elif state is AgentState.AVAILABLE and not available:
            self._set_state(agent, AgentState.AWAY)
        elif state is AgentState.RINGING and not available:
            self._unring(agent, "declined")
        elif state is AgentState.ON_CALL:
            agent.ready_asked = available
            agent.away_after_call = not available
        elif state is AgentState.WRAP_UP:
            agent.ready_asked = available
            agent.away_after_call = not available
            if not available or agent.wrap_disposed:
                self._leave_wrap_up(agent)

    @_step
    def agent_accept(self, agent_id: str, call_id: str) -> None:
        """The agent takes the call ringing on their console: the caller is sent ``connect``."""
        agent = self._signed_in(agent_id)
        if agent.state is not AgentState.RINGING or agent.call_id != call_id:
            raise Refused("not_ringing")
        call = self._calls[call_id]
        now = self._clock()
        call.phase = LivePhase.CONNECTED
        call.answered_at = now
        del self._ringing[call.skill][call_id]
        agent.ready_asked = agent.away_after_call = False
        self._set_state(agent, AgentState.ON_CALL, call_id=call_id)
        self._send_caller(call, Connect(call=call_id, agent=agent.card, ice_servers=list(self._settings.ice_servers)))
        self._send_agent(agent, events.connected(self._details(call, now)))
        log.info("call %s: answered by %s after %.1f s", call_id, agent_id, now - call.arrived_at)

    @_step
    def agent_decline(self, agent_id: str, call_id: str) -> None:
        """The agent turns the ring down: the call goes back to the head of its queue, the agent away."""
        agent = self._signed_in(agent_id)
        if agent.state is not AgentState.RINGING or agent.call_id != call_id:
            raise Refused("not_ringing")
        self._unring(agent, "declined")

    @_step
    def agent_sdp(self, agent_id: str, call_id: str, kind: Literal["offer", "answer"], sdp: str) -> None:
        """Relay the agent's SDP to the caller of their call."""
        agent = self._signed_in(agent_id)
        if agent.state is not AgentState.ON_CALL or agent.call_id != call_id:
            raise Refused("not_your_call")
        message: SdpOffer | SdpAnswer
        try:
            if kind == "offer":
                message = SdpOffer(call=call_id, sdp=sdp)
            elif kind == "answer":
                message = SdpAnswer(call=call_id, sdp=sdp)
            else:
                raise Refused("bad_kind")
        except ValidationError:
            raise Refused("bad_sdp") from None
        self._send_caller(self._calls[call_id], message)

    @_step
    def agent_hangup(self, agent_id: str, call_id: str) -> None:
        """The agent ends their call; a ring is declined instead."""
        agent = self._signed_in(agent_id)
        if agent.call_id is None or agent.call_id != call_id:
            raise Refused("not_your_call")
        if agent.state is AgentState.RINGING:
            self._unring(agent, "declined")
            return
        self._end_connected(self._calls[call_id], "agent", tell_caller=True)

    @_step
    def agent_disposition(self, agent_id: str, call_id: str, resolved: bool, category: str, note: str) -> None:
        """Resolved at first contact or not, a category from settings, a note: once per answered call.

        Accepted during the call (kept until it ends) and at any time after it.
        """
        agent = self._signed_in(agent_id)
        if category not in self._categories:
            raise Refused("unknown_category")
        if len(note) > MAX_NOTE_CHARS:
            raise Refused("note_too_long")
        if agent.state is AgentState.ON_CALL and agent.call_id == call_id:
            call = self._calls[call_id]
            if call.disposition is not None:
                raise Refused("already_recorded")
            call.disposition = _Disposition(resolved, category, note)
        else:
            record = self._log.get(call_id)
            if record is None or record.agent_id != agent_id or record.outcome is not Outcome.ANSWERED:
                raise Refused("not_your_call")
            if record.category is not None:
                raise Refused("already_recorded")
            self._update_record(record, resolved_first_contact=resolved, category=category, note=note)
        self._send_agent(agent, events.disposition_saved(call_id))
        log.info("call %s: disposition %s, resolved %s", call_id, category, resolved)
        if agent.state is AgentState.WRAP_UP and agent.wrap_call_id == call_id:
            agent.wrap_disposed = True
            if agent.ready_asked:
                self._leave_wrap_up(agent)

    # --- time ------------------------------------------------------------------------------------------

    @_step
    def tick(self) -> None:
        """Ring timeouts and wrap-up ends due at ``clock()``; waiting callers' expected waits move on."""
        now = self._clock()
        while (agent_id := self._deadlines.pop_due(now)) is not None:
            agent = self._agents.get(agent_id)
            if agent is None:
                continue
            if agent.state is AgentState.RINGING:
                log.info("agent %s: no answer to call %s within %g s", agent_id, agent.call_id, self._ring_timeout)
                self._unring(agent, "timeout")
            elif agent.state is AgentState.WRAP_UP:
                self._leave_wrap_up(agent)
        self._dirty.update(skill for skill, queue in self._queues.items() if queue)
        self._log.roll(now)

    def next_deadline(self) -> float | None:
        """When :meth:`tick` has something to do next (epoch seconds), or None."""
        return self._deadlines.next()

    # --- views -----------------------------------------------------------------------------------------

    def expected_wait_s(self, skill: str) -> float | None:
        """The expected wait of a passenger who calls now for ``skill``; None when nobody is staffed for it."""
        if skill not in self._queues:
            return None
        now = self._clock()
        return before_call_eta_s(
            staffed=self._agents.staffed(skill),
            available=len(self._agents.idle(skill)),
            arrivals_per_s=self._arrivals[skill].per_s(now),
            aht_s=self._handle_times[skill].mean_s(),
            waiting=len(self._queues[skill]),
        )

    def queue_summary(self) -> QueueSummary:
        """For the retained ``{root}/queue``. ``waiting`` counts calls not yet answered (queued or ringing)."""
        now = self._clock()
        skills = {
            skill: SkillQueue(
                waiting=len(self._queues[skill]) + len(self._ringing[skill]),
                agents_staffed=self._agents.staffed(skill),
                longest_wait_s=round(self._longest_wait_s(skill, now), 1),
                agents_available=len(self._agents.idle(skill)),
                expected_wait_s=self._rounded(self.expected_wait_s(skill)),
            )
            for skill in self._skills
        }
        # Overall: the longest of the language queues (sign-language callers read their own entry).
        language_waits = [
            wait for lang in self._settings.languages if (wait := skills[lang].expected_wait_s) is not None
        ]
        return QueueSummary(
            ts=datetime.fromtimestamp(now, UTC),
            skills=skills,
            agents_available=self._agents.count(AgentState.AVAILABLE),
            agents_staffed=self._agents.staffed_total(),
            expected_wait_s=max(language_waits) if language_waits else None,
            service_level_today=self.kpis_today().service_level,
            service_hours=self._settings.service_hours,
        )

    def caller_queue_state(self, caller_id: str) -> DeviceQueue:
        """The caller's call as the device's retained ``queue`` topic shows it."""
        now = self._clock()
        ts = datetime.fromtimestamp(now, UTC)
        call_id = self._caller_calls.get(caller_id)
        if call_id is None:
            return DeviceQueue(ts=ts)
        call = self._calls[call_id]
        if call.phase is LivePhase.WAITING:
            return DeviceQueue(
                ts=ts,
                call=CallPhase.WAITING,
                call_id=call_id,
                position=call.position,
                eta_s=call.sent_eta_s,  # what the caller was last told, which their screen shows
            )
        phase = CallPhase.RINGING if call.phase is LivePhase.RINGING else CallPhase.IN_CALL
        return DeviceQueue(ts=ts, call=phase, call_id=call_id)

    def kpis_today(self) -> Kpis:
        """Today's figures (the site's local day)."""
        return self._log.kpis(self._clock())

    def live_calls(self) -> list[LiveCall]:
        """Every call that has not ended."""
        return [
            LiveCall(
                call.call_id, call.caller_id, call.skill, call.phase, call.agent_id, call.arrived_at, call.position
            )
            for call in self._calls.values()
        ]

    def agents(self) -> list[AgentView]:
        """Every signed-in agent."""
        return [
            AgentView(a.agent_id, a.card.name, tuple(sorted(a.skills)), a.state, a.since, a.call_id or a.wrap_call_id)
            for a in self._agents
        ]

    def agent_state(self, agent_id: str) -> AgentState:
        agent = self._agents.get(agent_id)
        return agent.state if agent is not None else AgentState.OFFLINE

    def wallboard(self) -> dict[str, Any]:
        """The supervisors' view, JSON-able: queues, agents by state, today's figures."""
        now = self._clock()
        summary = self.queue_summary()
        by_state: dict[str, list[dict[str, Any]]] = {
            state.value: [] for state in AgentState if state is not AgentState.OFFLINE
        }
        for view in sorted(self.agents(), key=lambda v: (v.since, v.agent_id)):
            by_state[view.state.value].append(
                {
                    "id": view.agent_id,
                    "name": view.name,
                    "skills": list(view.skills),
                    "in_state_s": round(now - view.since, 1),
                    "call": view.call_id,
                }
            )
        return {
            "ts": summary.ts.isoformat(),
            "service_hours": self._settings.service_hours,
            "service_level_s": self._settings.service_level_s,
            "skills": {
                skill: {
                    **entry.model_dump(exclude={"v"}),
                    "aht_s": round(self._handle_times[skill].mean_s(), 1),
                }
                for skill, entry in summary.skills.items()
            },
            "agents_available": summary.agents_available,
            "agents_staffed": summary.agents_staffed,
            "expected_wait_s": summary.expected_wait_s,
            "agents": by_state,
            "today": self.kpis_today().as_dict(),
        }

    # --- calls: internals ------------------------------------------------------------------------------

    def _unsupported(self, language: str, skills: list[str]) -> str | None:
        if language not in self._settings.languages:
            return "unsupported_language"
        if any(skill not in self._queues for skill in skills):
            return "unsupported_skill"
        return None

    def _refuse_unsupported(self, channel: CallerChannel, request: CallRequest, language: str, now: float) -> None:
        record = CallRecord(
            call_id=request.call,
            caller_id=channel.caller_id,
            caller_kind=channel.kind,
            skill=SIGN_SKILL if SIGN_SKILL in request.skills else language,
            language=request.language,
            location=request.context.location,
            arrived_at=now,
            ended_at=now,
            outcome=Outcome.UNSUPPORTED,
            end_reason="unsupported",
            wait_s=0.0,
        )
        self._log.add(record, self._clock())
        self._outbox.append((channel.send, Ended(call=request.call, reason="unsupported"), channel.caller_id))
        self._changed = True
        log.info(
            "call %s from %s: unsupported (%s, %s)", request.call, channel.caller_id, request.language, request.skills
        )

    def _callers_call(self, caller_id: str, call_id: str) -> _Call:
        live_id = self._caller_calls.get(caller_id)
        if live_id != call_id:
            raise Refused("unknown_call")
        return self._calls[call_id]

    def _ring(self, call: _Call, agent: SignedInAgent) -> None:
        now = self._clock()
        call.phase = LivePhase.RINGING
        call.agent_id = agent.agent_id
        call.position = None
        self._ringing[call.skill][call.call_id] = call.arrived_at
        self._dirty.add(call.skill)  # everyone behind moved up
        self._set_state(agent, AgentState.RINGING, call_id=call.call_id)
        self._deadlines.set(agent.agent_id, now + self._ring_timeout)
        self._send_agent(agent, events.ring(self._details(call, now), self._ring_timeout))
        log.info("call %s: ringing %s", call.call_id, agent.agent_id)

    def _unring(self, agent: SignedInAgent, reason: str, *, tell: bool = True) -> None:
        """The ring is over unanswered (timeout, declined, console lost): call to the head, agent away."""
        assert agent.call_id is not None
        call = self._calls[agent.call_id]
        self._put_back(call)
        if tell:
            self._send_agent(agent, events.ring_cancelled(call.call_id, reason))
        self._set_state(agent, AgentState.AWAY, tell=tell)

    def _put_back(self, call: _Call) -> None:
        del self._ringing[call.skill][call.call_id]
        call.phase = LivePhase.WAITING
        call.agent_id = None
        self._queues[call.skill].put_back(call.call_id, call.arrived_at)
        self._dirty.add(call.skill)
        log.info("call %s: back at the head of the %s queue", call.call_id, call.skill)

    def _end_unanswered(self, call: _Call, outcome: Outcome, reason: str, *, tell_caller: bool) -> None:
        """A waiting or ringing call ends before an agent took it."""
        now = self._clock()
        if call.phase is LivePhase.WAITING:
            self._queues[call.skill].remove(call.call_id)
            self._dirty.add(call.skill)
        elif call.agent_id is not None:
            # The agent did nothing wrong: back to available, in their old place in the idle order.
            agent = self._agents[call.agent_id]
            del self._ringing[call.skill][call.call_id]
            self._send_agent(agent, events.ring_cancelled(call.call_id, "caller_left"))
            self._set_state(agent, AgentState.AVAILABLE)
        record = self._record(call, now, outcome=outcome, end_reason=reason, wait_s=now - call.arrived_at)
        self._finish(call, record, tell_caller=tell_caller)

    def _end_connected(self, call: _Call, reason: str, *, tell_caller: bool, agent_lost: bool = False) -> None:
        """A call an agent took ends: the caller is told, the agent goes to wrap-up (unless they are gone)."""
        now = self._clock()
        assert call.answered_at is not None and call.agent_id is not None
        agent = self._agents[call.agent_id]
        disposition = call.disposition
        record = self._record(
            call,
            now,
            outcome=Outcome.ANSWERED,
            end_reason=reason,
            wait_s=call.answered_at - call.arrived_at,
            answered_at=call.answered_at,
            agent_id=agent.agent_id,
            talk_s=now - call.answered_at,
            wrap_s=0.0 if agent_lost else None,
            resolved_first_contact=disposition.resolved if disposition else None,
            category=disposition.category if disposition else None,
            note=disposition.note if disposition else "",
        )
        self._finish(call, record, tell_caller=tell_caller, requeue_offered=agent_lost)
        log.info("call %s: ended (%s) after %.1f s", call.call_id, reason, now - call.answered_at)
        agent.call_id = None
        if agent_lost:
            self._add_handle_time(record)
            return
        self._send_agent(agent, events.ended(call.call_id, reason))
        agent.wrap_call_id = call.call_id
        agent.wrap_disposed = disposition is not None
        until = now + self._settings.wrap_up_s
        self._set_state(agent, AgentState.WRAP_UP)
        self._send_agent(
            agent, events.wrap_up(call.call_id, until, self._settings.wrap_up_s, self._settings.categories)
        )
        if self._settings.wrap_up_s <= 0 or (agent.wrap_disposed and agent.ready_asked):
            self._leave_wrap_up(agent)
        else:
            self._deadlines.set(agent.agent_id, until)

    def _record(self, call: _Call, now: float, **fields: Any) -> CallRecord:
        return CallRecord(
            call_id=call.call_id,
            caller_id=call.caller_id,
            caller_kind=call.caller_kind,
            skill=call.skill,
            language=call.language,
            location=call.context.location,
            arrived_at=call.arrived_at,
            ended_at=now,
            **fields,
        )

    def _finish(self, call: _Call, record: CallRecord, *, tell_caller: bool, requeue_offered: bool = False) -> None:
        call.position = None
        del self._calls[call.call_id]
        del self._caller_calls[call.caller_id]
        self._log.add(record, self._clock())
        if tell_caller:
            self._send_caller(call, Ended(call=call.call_id, reason=record.end_reason, requeue_offered=requeue_offered))
        self._changed = True
        if record.outcome is not Outcome.ANSWERED:
            log.info("call %s: %s (%s) after %.1f s", call.call_id, record.outcome, record.end_reason, record.wait_s)

    # --- agents: internals -----------------------------------------------------------------------------

    def _signed_in(self, agent_id: str) -> SignedInAgent:
        agent = self._agents.get(agent_id)
        if agent is None:
            raise Refused("not_signed_in")
        return agent

    def _set_state(
        self, agent: SignedInAgent, new: AgentState, *, call_id: str | None = None, tell: bool = True
    ) -> None:
        """The one place an agent's state changes: idle orders, staffed counts and timers follow it."""
        old = agent.state
        if old is new:
            return
        if self._agents.move(agent, new, self._clock()):
            self._dirty.update(agent.skills)  # N changed: every waiting caller's estimate did
        agent.call_id = call_id
        if new is not AgentState.WRAP_UP:
            agent.wrap_call_id = None
        self._deadlines.cancel(agent.agent_id)
        self._changed = True
        if tell:
            self._send_agent(agent, events.state(new))
        log.info("agent %s: %s -> %s", agent.agent_id, old, new)

    def _leave_wrap_up(self, agent: SignedInAgent, to: AgentState | None = None) -> None:
        """Wrap-up is over: its length goes into the record and the handle time; then available or away."""
        now = self._clock()
        call_id = agent.wrap_call_id
        if call_id is not None:
            record = self._log.get(call_id)
            if record is not None and record.wrap_s is None:
                updated = self._update_record(record, wrap_s=max(0.0, now - record.ended_at))
                self._add_handle_time(updated)
        if to is None:
            to = AgentState.AWAY if agent.away_after_call else AgentState.AVAILABLE
        agent.ready_asked = agent.away_after_call = agent.wrap_disposed = False
        if to is AgentState.AVAILABLE:
            agent.idle_since = now
        # A console being dropped hears nothing more; ``signed_out`` was its last word.
        self._set_state(agent, to, tell=to is not AgentState.OFFLINE)

    def _remove_agent(self, agent: SignedInAgent, farewell: AgentEvent | None) -> None:
        """Sign-out or a lost console: a ring goes back to the queue, a call ends for its caller.

        The console hears nothing of these last changes, only ``farewell`` (if it is still there to hear).
        """
        if agent.state is AgentState.RINGING:
            self._unring(agent, "declined", tell=False)
        elif agent.state is AgentState.ON_CALL and agent.call_id is not None:
            self._end_connected(self._calls[agent.call_id], "agent_lost", tell_caller=True, agent_lost=True)
        elif agent.state is AgentState.WRAP_UP:
            self._leave_wrap_up(agent, AgentState.OFFLINE)
        self._set_state(agent, AgentState.OFFLINE, tell=False)
        self._agents.remove(agent)
        if farewell is not None:
            self._send_agent(agent, farewell)

    def _add_handle_time(self, record: CallRecord) -> None:
        if record.handle_s is not None:
            self._handle_times[record.skill].add(record.handle_s)
            self._dirty.add(record.skill)

    # --- routing and waiting callers -------------------------------------------------------------------

    def _route(self) -> None:
        """Offer the head of the longest-waiting queue to the longest-idle available agent who can take it.

        Looks at each skill once per offer (a handful), never at every caller or agent.
        """
        while True:
            best_skill: str | None = None
            best_arrival = 0.0
            for skill, queue in self._queues.items():
                if not queue or not self._agents.idle(skill):
                    continue
                oldest = queue.oldest_arrival()
                if oldest is not None and (best_skill is None or oldest < best_arrival):
                    best_skill, best_arrival = skill, oldest
            if best_skill is None:
                return
            agent_id = self._agents.idle(best_skill).first()
            assert agent_id is not None
            call_id = self._queues[best_skill].pop_head()
            self._ring(self._calls[call_id], self._agents[agent_id])

    def _refresh_waiting(self) -> None:
        """Tell every waiting caller of a changed queue whose position or expected wait moved.

        This runs once per waiting caller of the queue per routing decision, so it is written out flat
        (the estimate is :func:`eta.waiting_eta_s` inlined), and it only notes who is to be told: the
        ``queued`` messages are built as they are delivered, so that hundreds of them are not all alive at
        once (which would push them into the garbage collector's old generations and make its full
        collections, tens of milliseconds each, far more frequent).
        """
        if not self._dirty:
            return
        now = self._clock()
        calls = self._calls
        updates = self._position_updates
        for skill in self._dirty:
            queue = self._queues[skill]
            if not queue:
                continue
            staffed = self._agents.staffed(skill)
            per_position_s = self._handle_times[skill].mean_s() / staffed if staffed > 0 else None
            head_waited_s = now - calls[next(iter(queue))].arrived_at
            for position, call_id in enumerate(queue, start=1):
                call = calls[call_id]
                call.position = position
                if per_position_s is None:
                    eta_s = None
                else:
                    eta_s = position * per_position_s - head_waited_s
                    eta_s = float(round(eta_s)) if eta_s > 0.0 else 0.0
                if position == call.sent_position and not _eta_moved(call.sent_eta_s, eta_s):
                    continue
                call.sent_position = position
                call.sent_eta_s = eta_s
                if not call.update_pending:
                    call.update_pending = True
                    updates.append(call)
        self._dirty.clear()

    def _deliver_position_updates(self) -> None:
        updates, self._position_updates = self._position_updates, []
        for call in updates:
            call.update_pending = False
            # Rung, answered or gone since it moved: its position no longer means anything to the caller.
            if call.position is None:
                continue
            try:
                call.channel.send(Queued(call=call.call_id, position=call.sent_position, eta_s=call.sent_eta_s))
            except Exception:
                log.exception("sending queued to %s failed", call.caller_id)

    def _eta_s(self, skill: str, position: int, now: float) -> float | None:
        if self._agents.idle(skill):
            return 0.0  # a new call with an agent free: it is rung as soon as this step routes
        queue = self._queues[skill]
        head_waited_s = now - self._calls[next(iter(queue))].arrived_at if queue else 0.0
        return waiting_eta_s(position, self._handle_times[skill].mean_s(), self._agents.staffed(skill), head_waited_s)

    def _push_queued(self, call: _Call) -> None:
        """Tell one waiting caller where they stand, whether or not it changed."""
        position = call.position
        assert position is not None
        eta_s = self._eta_s(call.skill, position, self._clock())
        call.sent_position = position
        call.sent_eta_s = None if eta_s is None else float(round(eta_s))
        self._send_caller(call, Queued(call=call.call_id, position=position, eta_s=call.sent_eta_s))

    def _longest_wait_s(self, skill: str, now: float) -> float:
        arrivals = list(self._ringing[skill].values())
        oldest_queued = self._queues[skill].oldest_arrival()
        if oldest_queued is not None:
            arrivals.append(oldest_queued)
        return max(0.0, now - min(arrivals)) if arrivals else 0.0

    @staticmethod
    def _rounded(value: float | None) -> float | None:
        return None if value is None else round(value, 1)

    # --- records and today's figures -------------------------------------------------------------------

    def _update_record(self, record: CallRecord, **changes: Any) -> CallRecord:
        updated = self._log.update(record, self._clock(), **changes)
        self._changed = True
        return updated

    # --- delivery --------------------------------------------------------------------------------------

    @property
    def _ring_timeout(self) -> float:
        return self._settings.ring_timeout_s

    def _details(self, call: _Call, now: float) -> AgentEvent:
        return events.call_details(
            call.call_id,
            caller=call.caller_id,
            caller_kind=call.caller_kind,
            location=call.context.location,
            language=call.language,
            skill=call.skill,
            waited_s=now - call.arrived_at,
            context=call.context.model_dump(exclude={"v"}),
        )

    def _send_caller(self, call: _Call, message: CallerMessage) -> None:
        self._outbox.append((call.channel.send, message, call.caller_id))

    def _send_agent(self, agent: SignedInAgent, event: AgentEvent) -> None:
        self._outbox.append((agent.channel.send, event, agent.agent_id))

    @staticmethod
    def _deliver(outbox: list[_Delivery]) -> None:
        for send, payload, to in outbox:
            # One broken channel must not stop the others hearing of this step.
            try:
                send(payload)
            except Exception:
                kind = payload.get("type") if isinstance(payload, dict) else payload.type
                log.exception("sending %s to %s failed", kind, to)

    def _settle(self) -> None:
        """Route, tell waiting callers, deliver, notify; again while deliveries or listeners cause changes."""
        if self._settling:
            return  # called from inside a delivery or listener: the loop below finishes the job
        self._settling = True
        try:
            while True:
                self._route()
                if self._outbox:
                    # Rings first: the waiting callers' new positions (hundreds, in a long queue) can follow.
                    outbox, self._outbox = self._outbox, []
                    self._deliver(outbox)
                    continue
                self._refresh_waiting()
                if self._position_updates:
                    self._deliver_position_updates()
                    continue
                if self._changed:
                    self._changed = False
                    for listener in list(self._listeners):
                        try:
                            listener()
                        except Exception:
                            log.exception("switchboard listener %r failed", listener)
                    continue
                return
        finally:
            self._settling = False
