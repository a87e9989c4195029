"""Settings sections every screen device shares, kiosk or signage."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from config.sections import Section

Language = Literal["zh-CN", "en"]


class HealthSection(Section):
    """How often the device reports its health, and when its disk counts as low."""

    interval_s: Annotated[float, Field(ge=1, le=3600)] = Field(
        default=30.0, description="Seconds between health snapshots."
    )
    disk_check_interval_s: Annotated[float, Field(ge=1, le=3600)] = Field(
        default=60.0, description="Seconds between looks at the free space of the state directory's disk."
    )
    disk_low_free_mb: Annotated[float, Field(gt=0, le=1_000_000_000)] = Field(
        default=200.0,
        description="Free MiB under which the disk counts as low: health says disk_low, a disk.low event goes"
        " out, and rotated logs and old events are trimmed (never print jobs or the flight boards).",
    )
    disk_ok_free_mb: Annotated[float, Field(gt=0, le=1_000_000_000)] = Field(
        default=400.0,
        description="Free MiB above which a low disk counts as well again (disk.ok); above disk_low_free_mb,"
        " so a disk hovering at the mark does not flap.",
    )
    disk_low_keep_events: Annotated[int, Field(ge=1, le=10_000)] = Field(
        default=1000, description="Events the outbox keeps at most while the disk is low (the oldest go first)."
    )

    @model_validator(mode="after")
    def _ok_above_low(self) -> HealthSection:
        if self.disk_ok_free_mb <= self.disk_low_free_mb:
            raise ValueError("disk_ok_free_mb must be above disk_low_free_mb")
        return self
