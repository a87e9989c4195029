"""The supervisors' wallboard view: the queues, the agents by state, today's figures.

``GET /api/wallboard`` and every ``snapshot`` of ``/api/wallboard/events`` are this view as JSON, plus the
site and the server's time (:class:`WallboardSnapshot`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, PlainSerializer

from bus.messages.central import SkillQueue
from central.switchboard.kpi import Kpis

IsoTime = Annotated[datetime, PlainSerializer(datetime.isoformat, return_type=str)]
"""ISO 8601 with its offset (``+00:00``), as the bus messages write times."""


class _View(BaseModel):
    model_config = ConfigDict(frozen=True)


class WallboardSkill(SkillQueue):
    """One skill's queue as ``{root}/queue`` shows it, and its average handle time."""

    aht_s: float
    """The mean handle time the expected waits are computed with (rounded to 0.1 s)."""


class WallboardAgent(_View):
    id: str
    name: str
    skills: list[str]
    in_state_s: float
    """Seconds since the agent entered their state (rounded to 0.1 s)."""
    call: str | None
    """The call they are ringing for, on, or wrapping up."""
    caller_kind: str | None = None
    """``device`` or ``phone`` while the call rings or is on; None otherwise."""
    location: str = ""
    """Where that caller is (a kiosk's location, a phone's info point); "" when not ringing or on a call."""


class Wallboard(_View):
    ts: IsoTime
    service_hours: str
    service_level_s: float
    """The service level's target: answered within this many seconds."""
    skills: dict[str, WallboardSkill]
    agents_available: int
    agents_staffed: int
    expected_wait_s: float | None
    phones_waiting: int = 0
    """Callers on a phone among those waiting (queued or ringing), every skill together."""
    agents: dict[str, list[WallboardAgent]]
    """Signed-in agents by state (every state but ``offline`` is a key), longest in their state first."""
    today: Kpis


class WallboardSnapshot(Wallboard):
    """The view as the pages get it: with the site's code and the server's time."""

    site: str
    now: IsoTime
