"""What ``central`` says to everyone: its status, the queue as a whole, and alerts."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field

from bus.messages.base import DeviceId, LongText, Message, Part, ShortText, Timestamp, utc_now
from bus.messages.device import OfflineReason


class CentralStatus(Message):
    """Retained on ``central/status``: birth, Last Will (``lost``) or ``shutdown``."""

    online: bool
    version: ShortText = ""
    reason: OfflineReason | None = None
    ts: Timestamp = Field(default_factory=utc_now)


class SkillQueue(Part):
    waiting: Annotated[int, Field(ge=0)] = 0
    agents_staffed: Annotated[int, Field(ge=0)] = 0
    longest_wait_s: Annotated[float, Field(ge=0)] = 0.0
    agents_available: Annotated[int, Field(ge=0)] = 0
    expected_wait_s: Annotated[float, Field(ge=0)] | None = None


class QueueSummary(Message):
    """Retained on ``queue``: waiting per skill, agents available, expected wait, today's service level."""

    ts: Timestamp = Field(default_factory=utc_now)
    skills: dict[Annotated[str, Field(pattern=r"^[a-z0-9_-]{1,32}$")], SkillQueue] = Field(default_factory=dict)
    agents_available: Annotated[int, Field(ge=0)] = 0
    agents_staffed: Annotated[int, Field(ge=0)] = 0
    expected_wait_s: Annotated[float, Field(ge=0)] | None = None
    service_level_today: Annotated[float, Field(ge=0, le=1)] | None = Field(
        default=None, description="share of today's calls answered within the target (0..1)"
    )
    service_hours: ShortText = Field(default="", description="when video help is staffed, as shown to passengers")


class AlertState(StrEnum):
    RAISED = "raised"
    CLEARED = "cleared"


class AlertSeverity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


class Alert(Message):
    """On ``alert``: e.g. device offline, paper out, demand surge; raised, then cleared."""

    id: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.:-]{1,128}$")]
    state: AlertState
    kind: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
    severity: AlertSeverity = AlertSeverity.WARNING
    device: DeviceId | None = None
    message: LongText = ""
    ts: Timestamp = Field(default_factory=utc_now)
