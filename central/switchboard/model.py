"""What the switchboard works with: call records, agent states, the channels it talks through, refusals."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from bus.messages.call import Connect, Ended, Handover, Hold, Queued, Resume, SdpAnswer, SdpOffer, Transfer

# The state is what the console's ``state`` event carries, so it is defined with the console's contract.
from central.switchboard.console.events import AgentState as AgentState
from central.switchboard.console.events import ConsoleEvent

CallerMessage = Queued | Connect | SdpOffer | SdpAnswer | Ended | Handover | Transfer | Hold | Resume
"""What the switchboard sends a caller (the ``call/in`` messages that come from it; pushes go peer to peer)."""

AgentEvent = ConsoleEvent
"""An event for the agent console (:mod:`central.switchboard.console.events`)."""


PHONE_KIND = "phone"
"""The ``kind`` of a caller on a phone (the phone pages' socket); devices on the bus are ``device``."""


class Refused(Exception):
    """A request the switchboard will not carry out; ``reason`` is short and safe to send back.

    Nothing has changed when this is raised, with one exception: a request for an unsupported language
    or skill is recorded and its caller already told (``ended`` reason ``unsupported``). For caller
    methods, whatever the caller must hear has been sent already, so the adapter only logs the reason;
    for agent methods it sends a ``ConsoleError`` with the reason back on the console's socket.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


STAFFED_STATES = frozenset(
    {AgentState.AVAILABLE, AgentState.RINGING, AgentState.ON_CALL, AgentState.WRAP_UP, AgentState.CONSULTING}
)
"""The states in which an agent counts as staffed for the expected wait (signed in and not away)."""


class LivePhase(StrEnum):
    """Where a call that has not ended is."""

    WAITING = "waiting"
    RINGING = "ringing"
    CONNECTED = "connected"


class Outcome(StrEnum):
    """How a call ended, for the record and the service level."""

    ANSWERED = "answered"  # an agent accepted it, however it ended afterwards
    ABANDONED = "abandoned"  # the caller left (cancel, hang-up or device lost) before an agent accepted
    FAILED = "failed"  # the caller's side failed (hang-up reason "failed") before an agent accepted
    UNSUPPORTED = "unsupported"  # a language or skill this site does not serve; never queued


class LegEnd(StrEnum):
    """How one agent's part of a call ended."""

    TRANSFERRED = "transferred"  # blind: the call went to another queue or agent
    HANDED_OVER = "handed_over"  # after a consultation: the consulted agent took the caller
    CLOSED = "closed"  # the call ended with this agent (any end reason)


@dataclass(frozen=True, slots=True, kw_only=True)
class CallLeg:
    """One agent's part of an answered call: who, from when to when, and how it ended."""

    agent_id: str
    skill: str
    """The queue the call was in when this agent took it."""
    answered_at: float
    ended_at: float
    end: LegEnd

    @property
    def talk_s(self) -> float:
        return self.ended_at - self.answered_at


@dataclass(frozen=True, slots=True, kw_only=True)
class CallRecord:
    """One call, as stored when it ends; disposition, rating and wrap-up time are filled in afterwards.

    Times are epoch seconds from the switchboard's clock; durations are seconds.
    """

    call_id: str
    caller_id: str
    caller_kind: str
    skill: str
    language: str
    location: str
    arrived_at: float
    answered_at: float | None = None
    ended_at: float
    agent_id: str | None = None
    outcome: Outcome
    end_reason: str
    wait_s: float
    """Until the answer for answered calls, until the end for the others."""
    talk_s: float | None = None
    """From the answer to the end; None when the call was not answered."""
    wrap_s: float | None = None
    """The agent's wrap-up after the call; None until the wrap-up is over."""
    resolved_first_contact: bool | None = None
    category: str | None = None
    note: str = ""
    rating: int | None = None
    question_answered: bool | None = None
    transfers: int = 0
    """How often the call was passed on to another queue or agent (blind or after a consultation)."""
    legs: tuple[CallLeg, ...] = ()
    """Every agent's part, in order; ``agent_id`` and the disposition are the last leg's (who closed it)."""

    @property
    def handle_s(self) -> float | None:
        """Talk plus wrap-up, once both are known."""
        if self.talk_s is None or self.wrap_s is None:
            return None
        return self.talk_s + self.wrap_s


@dataclass(frozen=True, slots=True)
class LiveCall:
    """A call that has not ended, as seen from outside the switchboard."""

    call_id: str
    caller_id: str
    skill: str
    phase: LivePhase
    agent_id: str | None
    arrived_at: float
    position: int | None
    """1 = next to be offered, while waiting; None otherwise."""


@dataclass(frozen=True, slots=True)
class AgentView:
    """A signed-in agent, as seen from outside the switchboard."""

    agent_id: str
    name: str
    skills: tuple[str, ...]
    state: AgentState
    since: float
    """When the agent entered this state (epoch seconds)."""
    call_id: str | None


class CallerChannel(Protocol):
    """Where a caller is reached: a device over the bus, later a phone over a WebSocket."""

    @property
    def caller_id(self) -> str:
        """A device id, or a phone session id."""
        ...

    @property
    def kind(self) -> str:
        """``device`` or ``phone``."""
        ...

    def send(self, message: CallerMessage) -> None:
        """Deliver one message; must not block (queue it) and should not raise."""
        ...


class AgentChannel(Protocol):
    """An agent console's socket."""

    def send(self, event: AgentEvent) -> None:
        """Deliver one event; must not block and should not raise."""
        ...
