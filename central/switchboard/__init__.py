"""The call switchboard: queues per skill, agent states, routing, timers, call records and KPIs.

Pure logic with an injected clock (docs/calls.md); the adapters in ``central.calls`` do the I/O.
"""

from __future__ import annotations

from central.switchboard.kpi import DayTally, Kpis, kpis_of, local_day
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
from central.switchboard.settings import SIGN_SKILL, SwitchboardSettings
from central.switchboard.store import CallStore, MemoryCallStore
from central.switchboard.switchboard import Switchboard

__all__ = [
    "SIGN_SKILL",
    "AgentChannel",
    "AgentEvent",
    "AgentState",
    "AgentView",
    "CallRecord",
    "CallStore",
    "CallerChannel",
    "CallerMessage",
    "DayTally",
    "Kpis",
    "LiveCall",
    "LivePhase",
    "MemoryCallStore",
    "Outcome",
    "Refused",
    "Switchboard",
    "SwitchboardSettings",
    "kpis_of",
    "local_day",
]
