"""The switchboard: queues per skill, agent states, routing, ring and wrap-up timers, call records.

Pure logic (docs/calls.md): no I/O of its own, no asyncio, a clock passed in. The adapters in ``central.calls`` turn
bus messages and console sockets into method calls here, call :meth:`tick` at :meth:`next_deadline`, and publish the
views when a listener says something changed.

Every public method runs as one step: it changes the state; routing offers waiting calls to idle agents;
then the step's messages are delivered; last the listeners are called. A channel that answers from inside
``send`` (an in-memory peer) finds the calls and agents settled, and what it sets off runs in the same step.
Waiting callers who moved hear it from a later :meth:`tick`, at most once a second (:mod:`.telling`).

This class is the facade; each concern has its module (which also says what the switchboard does where docs/calls.md
leaves a choice open): :mod:`.caller_commands`, :mod:`.agent_commands`, :mod:`.transitions`, :mod:`.routing`,
:mod:`.telling`, :mod:`.views`, :mod:`.keeping` (over a restart), :mod:`.device_grace`, over :mod:`.state`.
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Callable, Iterable
from typing import Any, Concatenate, Literal, ParamSpec, TypeVar

from bus.messages.call import (
    CallCancel,
    CallHangup,
    CallRating,
    CallRequest,
    HandoverRequest,
    SdpAnswer,
    SdpOffer,
)
from bus.messages.central import QueueSummary
from bus.messages.device import DeviceQueue
from central.switchboard import (
    agent_commands,
    caller_commands,
    consults,
    device_grace,
    handover,
    keeping,
    routing,
    settling,
    telling,
    transfers,
    views,
)
from central.switchboard.console.wallboard import Wallboard
from central.switchboard.console.wire import as_json
from central.switchboard.kpi import Kpis
from central.switchboard.model import AgentChannel, AgentState, AgentView, CallerChannel, LiveCall, Refused
from central.switchboard.settings import SwitchboardSettings
from central.switchboard.state import Clock, Listener, SwitchboardState
from central.switchboard.store import CallStore

P = ParamSpec("P")
R = TypeVar("R")


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

    def __init__(
        self,
        settings: SwitchboardSettings,
        clock: Clock,
        store: CallStore,
        new_token: Callable[[], str] = lambda: secrets.token_urlsafe(24),
    ) -> None:
        self._state = SwitchboardState(settings, clock, store)
        self._new_token = new_token
        """Makes the "continue on your phone" tokens: unguessable (192 random bits by default)."""
        self._listeners: list[Listener] = []

    @property
    def settings(self) -> SwitchboardSettings:
        return self._state.settings

    def add_listener(self, listener: Listener) -> None:
        """Called after every step that changed something (publish the queue summary, the wallboard)."""
        self._listeners.append(listener)

    @_step
    def keep_live_calls(self, live: keeping.LiveCallStore, channel_for: keeping.ChannelFor) -> int:
        """Keep live calls in ``live`` over restarts; first, those it kept come back (:mod:`.keeping`); how many."""
        return keeping.start(self._state, live, channel_for)

    # --- callers ---------------------------------------------------------------------------------------

    @_step
    def request(self, channel: CallerChannel, request: CallRequest) -> None:
        """A caller asks for help: queue the call, or refuse it (one live call per caller)."""
        caller_commands.request(self._state, channel, request)

    @_step
    def cancel(self, caller_id: str, message: CallCancel) -> None:
        """The caller gives up; after an agent accepted it counts as a hang-up."""
        caller_commands.cancel(self._state, caller_id, message)

    @_step
    def caller_hangup(self, caller_id: str, message: CallHangup) -> None:
        """The caller ends the call (reason ``failed`` when its media or SDP failed)."""
        caller_commands.hangup(self._state, caller_id, message)

    @_step
    def caller_lost(self, caller_id: str, *, may_return: bool = False) -> None:
        """The caller's device vanished (a Last Will ``may_return``: :mod:`.device_grace`) or its socket closed."""
        device_grace.lost(self._state, caller_id, may_return)

    @_step
    def caller_back(self, caller_id: str) -> None:
        """The caller's device is online again: a call kept for it goes on (:mod:`.device_grace`)."""
        device_grace.back(self._state, caller_id)

    @_step
    def caller_sdp(self, caller_id: str, message: SdpOffer | SdpAnswer) -> None:
        """Relay the caller's SDP to the agent of the call."""
        caller_commands.sdp(self._state, caller_id, message)

    @_step
    def rating(self, caller_id: str, message: CallRating) -> None:
        """Stars and "was your question answered?", once, for an answered call of this caller that ended."""
        caller_commands.rating(self._state, caller_id, message)

    @_step
    def handover_request(self, caller_id: str, message: HandoverRequest) -> None:
        """The device asks for a token a phone can take its waiting call over with; sent as ``handover``."""
        handover.mint(self._state, caller_id, message, self._new_token)

    @_step
    def take_over(self, token: str, channel: CallerChannel) -> str:
        """The phone on ``channel`` takes over the token's waiting call, in the same place; the call id.

        :class:`Refused` ``unknown_token``, ``expired_token``, ``call_gone``, ``call_answered`` or
        ``call_in_progress`` (the phone has a call of its own), and nothing changes.
        """
        return handover.take_over(self._state, token, channel)

    @_step
    def rebind(self, channel: CallerChannel) -> str:
        """The caller of ``channel`` is back on a new connection; its waiting call's id (same place)."""
        return handover.rebind(self._state, channel)

    def handover_open(self, token: str) -> bool:
        """Whether ``token`` would take a call over now (for the page a phone opens first)."""
        try:
            handover.usable_call(self._state, token)
        except Refused:
            return False
        return True

    # --- agents ----------------------------------------------------------------------------------------

    @_step
    def agent_sign_in(self, agent_id: str, name: str, skills: Iterable[str], channel: AgentChannel) -> None:
        """An agent signs in (state ``away``); a second sign-in replaces the first, which is told."""
        agent_commands.sign_in(self._state, agent_id, name, skills, channel)

    @_step
    def agent_sign_out(self, agent_id: str) -> None:
        """Sign out; refused during a call (hang up first). A ring in progress goes back to the queue."""
        agent_commands.sign_out(self._state, agent_id)

    @_step
    def agent_lost(self, agent_id: str, channel: AgentChannel | None = None) -> None:
        """The console's socket closed. With ``channel``, nothing happens if a newer sign-in replaced it."""
        agent_commands.lost(self._state, agent_id, channel)

    @_step
    def agent_presence(self, agent_id: str, available: bool) -> None:
        """Available or away; during a call, for after it; in wrap-up, available ends it once disposed, away at once."""
        agent_commands.presence(self._state, agent_id, available)

    @_step
    def agent_accept(self, agent_id: str, call_id: str) -> None:
        """The agent takes the call ringing on their console: the caller is sent ``connect``."""
        agent_commands.accept(self._state, agent_id, call_id)

    @_step
    def agent_decline(self, agent_id: str, call_id: str) -> None:
        """The agent turns the ring down: the call goes back to the head of its queue, the agent away."""
        agent_commands.decline(self._state, agent_id, call_id)

    @_step
    def agent_sdp(self, agent_id: str, call_id: str, kind: Literal["offer", "answer"], sdp: str) -> None:
        """Relay the agent's SDP to the caller of their call."""
        agent_commands.sdp(self._state, agent_id, call_id, kind, sdp)

    @_step
    def agent_hangup(self, agent_id: str, call_id: str) -> None:
        """The agent ends their call; a ring is declined instead."""
        agent_commands.hangup(self._state, agent_id, call_id)

    @_step
    def agent_disposition(self, agent_id: str, call_id: str, resolved: bool, category: str, note: str) -> None:
        """Resolved at first contact or not, a category, a note: once per answered call, during or after it."""
        agent_commands.disposition(self._state, agent_id, call_id, resolved, category, note)

    @_step
    def agent_transfer(self, agent_id: str, call_id: str, *, skill: str | None = None, to: str | None = None) -> None:
        """Pass the call on, blind, to the head of ``skill``'s queue or to the available agent ``to``."""
        transfers.transfer(self._state, agent_id, call_id, skill, to)

    @_step
    def agent_consult(self, agent_id: str, call_id: str, to: str) -> None:
        """Talk to the available colleague ``to`` about the call; the caller is held (:mod:`.consults`)."""
        consults.consult(self._state, agent_id, call_id, to)

    @_step
    def agent_consult_signal(self, agent_id: str, call_id: str, kind: Literal["offer", "answer"], sdp: str) -> None:
        consults.signal(self._state, agent_id, call_id, kind, sdp)

    @_step
    def agent_hand_over(self, agent_id: str, call_id: str) -> None:
        consults.hand_over(self._state, agent_id, call_id)

    @_step
    def agent_take_back(self, agent_id: str, call_id: str) -> None:
        consults.take_back(self._state, agent_id, call_id)

    @_step
    def agent_consult_leave(self, agent_id: str, call_id: str) -> None:
        consults.leave(self._state, agent_id, call_id)

    # --- time ------------------------------------------------------------------------------------------

    @_step
    def tick(self) -> None:
        """Ring timeouts and wrap-up ends due at ``clock()``; then, if due, waiting callers hear who moved."""
        state = self._state
        now = state.clock()
        agent_commands.due(state, now)
        device_grace.due(state, now)
        telling.on_tick(state, now)
        state.log.roll(now)

    def next_deadline(self) -> float | None:
        """When :meth:`tick` has something to do next (epoch seconds), or None."""
        state = self._state
        due = (state.deadlines.next(), state.away_deadlines.next(), state.tell_at, routing.next_escalation(state))
        return min((at for at in due if at is not None), default=None)

    def next_telling(self) -> float | None:
        """When waiting callers are next told where they stand; None when nobody moved since the last time."""
        return self._state.tell_at

    # --- views -----------------------------------------------------------------------------------------

    def expected_wait_s(self, skill: str) -> float | None:
        """The expected wait of a passenger who calls now for ``skill``; None when nobody is staffed for it."""
        return views.expected_wait_s(self._state, skill)

    def queue_summary(self) -> QueueSummary:
        """For the retained ``{root}/queue``. ``waiting`` counts calls not yet answered (queued or ringing)."""
        return views.queue_summary(self._state)

    def caller_queue_state(self, caller_id: str) -> DeviceQueue:
        """The caller's call as the device's retained ``queue`` topic shows it."""
        return views.caller_queue_state(self._state, caller_id)

    def kpis_today(self) -> Kpis:
        """Today's figures (the site's local day)."""
        return self._state.log.kpis(self._state.clock())

    def live_calls(self) -> list[LiveCall]:
        """Every call that has not ended."""
        return views.live_calls(self._state)

    def agents(self) -> list[AgentView]:
        """Every signed-in agent."""
        return views.agents(self._state)

    def agent_state(self, agent_id: str) -> AgentState:
        agent = self._state.agents.get(agent_id)
        return agent.state if agent is not None else AgentState.OFFLINE

    def wallboard_view(self) -> Wallboard:
        """The supervisors' view: queues, agents by state, today's figures."""
        return views.wallboard(self._state)

    def wallboard(self) -> dict[str, Any]:
        """:meth:`wallboard_view` as JSON."""
        return as_json(self.wallboard_view())

    def _settle(self) -> None:
        settling.settle(self._state, self._listeners)
