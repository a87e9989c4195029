"""What the switchboard holds between steps, and the outbox its steps fill.

The facade (:mod:`central.switchboard.switchboard`) owns one :class:`SwitchboardState`; the modules of each
concern (caller and agent commands, transitions, routing, views) read and change it. Nothing here does I/O:
messages wait in the outbox until the step is settled and the facade delivers them.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bus.messages.call import CallContext
from central.switchboard.agents import AgentRoster, SignedInAgent
from central.switchboard.eta import AHT_WINDOW_CALLS, Arrivals, HandleTimes
from central.switchboard.live_store import LiveCallStore
from central.switchboard.model import AgentEvent, CallerChannel, CallerMessage, CallLeg, LivePhase, Refused
from central.switchboard.queues import CallQueue
from central.switchboard.records import CallLog
from central.switchboard.settings import SwitchboardSettings
from central.switchboard.store import CallStore
from central.switchboard.timers import Deadlines

if TYPE_CHECKING:
    from central.switchboard.device_grace import AwayCaller

Clock = Callable[[], float]
"""Epoch seconds."""
Listener = Callable[[], None]

Delivery = tuple[Callable[[Any], None], "CallerMessage | AgentEvent", str]
"""One message of a step, delivered when the step is settled: the channel's send, the message, and who
it is for (for the log). A plain tuple: a routing decision makes hundreds of them."""


@dataclass(slots=True, eq=False)
class DispositionNote:
    """What the agent recorded during the call, kept until the call's record is written."""

    resolved: bool
    category: str
    note: str


@dataclass(frozen=True, slots=True)
class HandedNote:
    """What the agent who passed a call on left for the next one (shown on their ring and call)."""

    from_agent: str
    """The display name of the agent who passed it on."""
    note: str


@dataclass(frozen=True, slots=True)
class HandoverTicket:
    """A token a device was given to move one of its waiting calls to a phone (:mod:`.handover`)."""

    token: str
    call_id: str
    caller_id: str
    expires_at: float


@dataclass(slots=True, eq=False)
class ActiveCall:
    """A call that has not ended: waiting, ringing an agent, or connected."""

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
    # Its place is not kept here: it changes with every call ahead of it, so the queue says it when asked.
    sent_position: int | None = None  # what the caller was (or is about to be) told
    sent_eta_s: float | None = None
    disposition: DispositionNote | None = None
    # Transfers (central.switchboard.transfers): the record's skill stays the one the call arrived in.
    arrived_skill: str = ""
    leg_answered_at: float | None = None
    """When the agent now on the call took it (``answered_at`` is the first answer, for the wait)."""
    legs: list[CallLeg] = field(default_factory=list)
    transfers: int = 0
    handed_note: HandedNote | None = None

    def __post_init__(self) -> None:
        self.arrived_skill = self.arrived_skill or self.skill


class SwitchboardState:
    """Calls, queues, agents, timers, records and the step's outbox."""

    def __init__(self, settings: SwitchboardSettings, clock: Clock, store: CallStore) -> None:
        self.settings = settings
        self.live: LiveCallStore | None = None
        """Where live calls are kept for a restart (:mod:`.keeping`); None: nowhere."""
        self.touched: set[str] = set()
        """Calls that arrived, moved in or out of their queue, were answered or ended in this step."""
        self.orphans: dict[str, str] = {}
        """Calls in progress restored after a restart whose agent has not signed in again: agent -> call."""
        self.clock = clock
        self.log = CallLog(store, settings, clock())
        self.skills = tuple(settings.skills)
        self.categories = frozenset(settings.categories)
        self.calls: dict[str, ActiveCall] = {}
        self.caller_calls: dict[str, str] = {}
        self.queues = {skill: CallQueue() for skill in self.skills}
        self.ringing: dict[str, dict[str, float]] = {skill: {} for skill in self.skills}
        """Per skill, the calls ringing an agent and when they arrived."""
        self.agents = AgentRoster(self.skills)
        self.deadlines = Deadlines()
        self.arrivals = {skill: Arrivals() for skill in self.skills}
        self.handle_times = {skill: HandleTimes(settings.default_aht_s) for skill in self.skills}
        for skill, times in self.handle_times.items():
            for handle_s in self.log.recent_handle_times(skill, AHT_WINDOW_CALLS):
                times.add(handle_s)
        self.dirty: set[str] = set()
        """Skills whose waiting callers' positions or expected waits may have moved since they were told."""
        # When waiting callers are told where they stand (central.switchboard.telling): at ``tell_at``, by a
        # tick, at most once every ``telling.TELL_EVERY_S``; never inside the step that moved them.
        self.tell_at: float | None = None
        self.told_at = -math.inf
        self.drift_at = clock()
        """When every waiting caller's expected wait was last looked at again because time passed."""
        self.tell_now = False
        self.outbox: list[Delivery] = []
        self.position_updates: list[ActiveCall] = []
        """Waiting callers a telling found moved, to be sent what ``sent_position`` and ``sent_eta_s`` say."""
        self.changed = False
        """Something a listener shows has changed in this step."""
        self.settling = False
        """A step is being settled (:mod:`.settling`); a step started from inside it is settled with it."""
        # Continue on your phone (central.switchboard.handover): live tokens, and each call's token.
        self.handovers: dict[str, HandoverTicket] = {}
        # Consultations (central.switchboard.consults): per call, the agent on it and the colleague asked.
        self.consults: dict[str, tuple[str, str]] = {}
        self.handover_of_call: dict[str, str] = {}
        # Devices gone from the bus mid-call whose calls are kept (central.switchboard.device_grace).
        self.away: dict[str, AwayCaller] = {}
        self.away_deadlines = Deadlines()

    def send_caller(self, call: ActiveCall, message: CallerMessage) -> None:
        self.outbox.append((call.channel.send, message, call.caller_id))

    def send_agent(self, agent: SignedInAgent, event: AgentEvent) -> None:
        self.outbox.append((agent.channel.send, event, agent.agent_id))

    def signed_in(self, agent_id: str) -> SignedInAgent:
        """The agent, or :class:`Refused` ``not_signed_in``."""
        agent = self.agents.get(agent_id)
        if agent is None:
            raise Refused("not_signed_in")
        return agent
