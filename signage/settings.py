"""Settings of the ``signage`` program: ``[app]``, ``[bus]``, ``[display]``, ``[health]`` (prefix ``SIGNAGE_``)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from config.sections import DEVICE_ID_PATTERN, AppSection, DeviceBusSection, Section
from device.settings import HealthSection, Language

ENV_PREFIX = "SIGNAGE_"
DEFAULT_LANGUAGES: tuple[Language, ...] = ("zh-CN", "en")


class DisplaySection(Section):
    """How the display shows things to people passing by."""

    languages: Annotated[list[Language], Field(min_length=1)] = Field(
        default_factory=lambda: list(DEFAULT_LANGUAGES),
        description="Languages shown in turn, as catalogue codes (zh-CN, en).",
    )
    language_period_s: Annotated[float, Field(ge=2, le=600)] = Field(
        default=10.0, description="Seconds each language stays on screen before the next."
    )
    fullscreen: bool = Field(default=True, description="Fill the screen (off for a window on a desktop).")
    width: Annotated[int, Field(ge=320, le=7680)] = Field(
        default=1920, description="Window width in pixels when not fullscreen."
    )
    height: Annotated[int, Field(ge=240, le=4320)] = Field(
        default=1080, description="Window height in pixels when not fullscreen."
    )


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
    health: HealthSection = Field(default_factory=HealthSection)
