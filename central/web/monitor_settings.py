"""Central's ``[monitor]`` section: whether supervisors may monitor live calls, and whether agents see it."""

from __future__ import annotations

from pydantic import Field

from config.sections import Section


class MonitorSection(Section):
    """Supervisors watching and listening to live calls from the wallboard (silent monitor and whisper)."""

    enabled: bool = Field(
        default=True,
        description="Whether supervisors may monitor live calls from the wallboard (silent or whisper to the agent).",
    )
    show_agent_indicator: bool = Field(
        default=False,
        description="Show the agent a small 'monitored' mark while a supervisor watches their call. Off by "
        "default, as in many contact centres (coaching sees the call as it is); whisper is always heard, "
        "so the agent knows then.",
    )
