"""Settings of the ``signage`` program: ``[app]``, ``[bus]``, ``[display]``, ``[schedule]``, ``[health]``
(prefix ``SIGNAGE_``)."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from config.sections import DEVICE_ID_PATTERN, AppSection, DeviceBusSection, Section
from device.settings import HealthSection, Language

ENV_PREFIX = "SIGNAGE_"
DEFAULT_LANGUAGES: tuple[Language, ...] = ("zh-CN", "en")
DisplayMode = Literal["board", "gate", "belt"]
BoardName = Literal["dep", "arr"]
_CLOCK_TIME = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")


def _both_boards() -> list[BoardName]:
    return ["dep", "arr"]


class Notice(Section):
    """One line of the notice ticker, in both languages."""

    zh: Annotated[str, Field(min_length=1, max_length=200)]
    en: Annotated[str, Field(min_length=1, max_length=200)]


class DisplaySection(Section):
    """How the display shows things to people passing by."""

    mode: DisplayMode = Field(
        default="board", description="board: the departures and arrivals; gate: one gate; belt: one baggage belt."
    )
    gate: Annotated[str, Field(max_length=8)] = Field(default="", description="The gate shown in gate mode.")
    belt: Annotated[str, Field(max_length=8)] = Field(default="", description="The belt shown in belt mode.")
    boards: Annotated[list[BoardName], Field(min_length=1, max_length=2)] = Field(
        default_factory=lambda: _both_boards(),
        description="Boards shown in board mode, in turn after each has shown all its pages: dep, arr.",
    )
    rows: Annotated[int, Field(ge=3, le=40)] = Field(default=12, description="Flights on one page of a board.")
    page_s: Annotated[float, Field(ge=3, le=600)] = Field(
        default=10.0, description="Seconds one page of a board stays on screen before the next."
    )
    languages: Annotated[list[Language], Field(min_length=1)] = Field(
        default_factory=lambda: list(DEFAULT_LANGUAGES),
        description="Languages shown in turn, as catalogue codes (zh-CN, en).",
    )
    language_period_s: Annotated[float, Field(ge=2, le=600)] = Field(
        default=5.0, description="Seconds each language stays on screen before the next."
    )
    notices: Annotated[list[Notice], Field(max_length=50)] = Field(
        default_factory=list, description="Lines of the notice ticker ({zh = …, en = …}), one at a time."
    )
    fullscreen: bool = Field(default=True, description="Fill the screen (off for a window on a desktop).")
    width: Annotated[int, Field(ge=320, le=7680)] = Field(
        default=1920, description="Window width in pixels when not fullscreen."
    )
    height: Annotated[int, Field(ge=240, le=4320)] = Field(
        default=1080, description="Window height in pixels when not fullscreen."
    )

    @model_validator(mode="after")
    def _mode_has_its_place(self) -> DisplaySection:
        if self.mode == "gate" and not self.gate:
            raise ValueError('mode "gate" needs the gate it shows: gate = "12"')
        if self.mode == "belt" and not self.belt:
            raise ValueError('mode "belt" needs the belt it shows: belt = "3"')
        return self


class ScheduleSection(Section):
    """When the screen is dark (at night, when the terminal is closed); leave both empty for always on."""

    off_at: str = Field(default="", description='Local time the screen goes dark, "HH:MM" (e.g. "00:30").')
    on_at: str = Field(default="", description='Local time the screen comes back, "HH:MM" (e.g. "05:30").')

    @field_validator("off_at", "on_at")
    @classmethod
    def _clock_time(cls, value: str) -> str:
        if value and not _CLOCK_TIME.fullmatch(value):
            raise ValueError(f'{value!r} is not a time of day as "HH:MM" (00:00 to 23:59)')
        return value

    @model_validator(mode="after")
    def _both_or_neither(self) -> ScheduleSection:
        if bool(self.off_at) != bool(self.on_at):
            raise ValueError("give both off_at and on_at, or neither (always on)")
        if self.off_at and self.off_at == self.on_at:
            raise ValueError("off_at and on_at are the same time")
        return self


class SignageBusSection(DeviceBusSection):
    """The bus section of a signage display."""

    device_id: Annotated[str, Field(pattern=DEVICE_ID_PATTERN)] = Field(
        default="signage-demo-1", description="This display's id: lower-case letters, digits and '-', 1-64."
    )


class SignageSettings(BaseModel):
    """Everything a signage display reads from its TOML file and ``SIGNAGE_*`` variables."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    app: AppSection = Field(default_factory=AppSection)
    bus: SignageBusSection = Field(default_factory=SignageBusSection)
    display: DisplaySection = Field(default_factory=DisplaySection)
    schedule: ScheduleSection = Field(default_factory=ScheduleSection)
    health: HealthSection = Field(default_factory=HealthSection)
