"""Settings sections every screen device shares, kiosk or signage."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from config.sections import Section

Language = Literal["zh-CN", "en"]


class HealthSection(Section):
    """How often the device reports its health."""

    interval_s: Annotated[float, Field(ge=1, le=3600)] = Field(
        default=30.0, description="Seconds between health snapshots."
    )
