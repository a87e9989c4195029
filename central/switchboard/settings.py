"""The switchboard's settings: central's ``[calls]`` section."""

from __future__ import annotations

from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bus.messages.call import IceServer
from config.json_text import json_setting
from config.sections import Section

SIGN_SKILL = "sign"
"""The skill a request asks for with ``skills: ["sign"]``: an agent who signs."""

PrimaryLanguage = Annotated[str, Field(pattern=r"^[a-z]{2,3}$")]
SkillName = Annotated[str, Field(pattern=r"^[a-z0-9_-]{1,32}$")]
CategoryName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")]

SERVICE_HOURS_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9][–-](([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$"


def _from_text(value: Any) -> Any:
    """Environment variables arrive as text: ``zh,en`` for a list of names."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class EscalationTier(BaseModel):
    """A queue's second tier: the agents of another skill, offered its calls that have waited long enough."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    skill: SkillName = Field(description="The skill whose agents form the second tier.")
    after_s: Annotated[float, Field(ge=0, le=3600)] = Field(
        description="Seconds a call waits before the second tier is offered it too."
    )


class SwitchboardSettings(Section):
    """Video-help calls: the queues' skills, ring and wrap-up timers, the service-level target, dispositions."""

    ring_timeout_s: Annotated[float, Field(gt=0, le=300)] = Field(
        default=15.0,
        description="Seconds an agent's console rings before the call goes back to the head of its queue "
        "and the agent is set away.",
    )
    wrap_up_s: Annotated[float, Field(ge=0, le=3600)] = Field(
        default=30.0,
        description="Seconds of wrap-up after a call before the agent is available again (earlier once the "
        "disposition is in and the agent sets themselves available).",
    )
    device_grace_s: Annotated[float, Field(ge=0, le=600)] = Field(
        default=30.0,
        description="Seconds a connected call is kept when its device drops off the bus (its Last Will: a "
        "network blip, a broker failing over; the media is peer to peer and may go on); it ends as caller_lost "
        "if the device is not back by then. 0 ends it at once.",
    )
    service_level_s: Annotated[float, Field(gt=0, le=3600)] = Field(
        default=15.0, description="Target answer time in seconds: the service level counts calls answered within it."
    )
    short_abandon_s: Annotated[float, Field(ge=0, le=600)] = Field(
        default=5.0,
        description="Seconds: callers who give up sooner are not counted as offered in the service level.",
    )
    default_aht_s: Annotated[float, Field(gt=0, le=7200)] = Field(
        default=180.0, description="Average handle time in seconds assumed for a skill until it has calls."
    )
    languages: list[PrimaryLanguage] = Field(
        default_factory=lambda: ["zh", "en"],
        min_length=1,
        description="Languages served, as primary subtags (a request for zh-CN goes to the zh queue).",
    )
    skills: list[SkillName] = Field(
        default_factory=lambda: [SIGN_SKILL, "zh", "en"],
        min_length=1,
        description="Queues and agent skills: every language, plus 'sign' for sign-language agents.",
    )
    categories: list[CategoryName] = Field(
        default_factory=lambda: [
            "flight_info",
            "baggage",
            "transfer",
            "lost_property",
            "special_assistance",
            "complaint",
            "other",
        ],
        min_length=1,
        description="Disposition categories an agent chooses from after a call.",
    )
    ice_servers: list[IceServer] = Field(
        default_factory=list,
        max_length=8,
        description="STUN/TURN servers sent to the caller in 'connect' (RTCIceServer shape); none needed on "
        "one network. From the environment: a JSON array.",
    )
    tiers: dict[SkillName, EscalationTier] = Field(
        default_factory=dict,
        description="Escalation per queue (FreeSWITCH mod_callcenter's tier levels): a call of the queue that has "
        "waited after_s seconds while no agent of its own skill is free is offered to a free agent of the "
        'tier\'s skill, e.g. [calls.tiers.sign] skill = "zh", after_s = 60. From the environment: a JSON object.',
    )
    handover_ttl_s: Annotated[float, Field(gt=0, le=24 * 3600)] = Field(
        default=1800.0,
        description="Seconds a 'continue on your phone' token stays valid at most; it lapses sooner when its "
        "call stops waiting.",
    )
    service_hours: Annotated[str, Field(pattern=SERVICE_HOURS_PATTERN)] = Field(
        default="06:00–24:00", description="When agents answer, local time, as shown to supervisors ('06:00–24:00')."
    )
    tz: str = Field(
        default="Asia/Shanghai",
        description="The site's time zone (IANA name): today's figures run midnight to midnight.",
    )

    @field_validator("languages", "skills", "categories", mode="before")
    @classmethod
    def _names_from_text(cls, value: Any) -> Any:
        return _from_text(value)

    @field_validator("ice_servers", mode="before")
    @classmethod
    def _ice_servers_from_text(cls, value: Any) -> Any:
        if isinstance(value, str):
            return json_setting(value, "a JSON array of ICE servers")
        return value

    @field_validator("tiers", mode="before")
    @classmethod
    def _tiers_from_text(cls, value: Any) -> Any:
        if isinstance(value, str):
            return json_setting(value, "a JSON object of skill to {skill, after_s}")
        return value

    @field_validator("tz")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError):  # a folder ("America"), a name too long: OSError
            raise ValueError(f"unknown time zone {value!r}; use an IANA name like Asia/Shanghai") from None
        return value

    @model_validator(mode="after")
    def _every_language_is_a_skill(self) -> SwitchboardSettings:
        # A call in a language is queued under that language as a skill; without it nobody could take it.
        missing = [language for language in self.languages if language not in self.skills]
        if missing:
            raise ValueError(f"every language must also be a skill; add {', '.join(missing)} to skills")
        for name, values in (("languages", self.languages), ("skills", self.skills), ("categories", self.categories)):
            if len(set(values)) != len(values):
                raise ValueError(f"{name} lists a name twice")
        for skill, tier in self.tiers.items():
            if skill not in self.skills or tier.skill not in self.skills:
                raise ValueError(f"tiers: {skill} -> {tier.skill} names a skill that is not in skills")
            if tier.skill == skill:
                raise ValueError(f"tiers: {skill} cannot be its own second tier")
        return self

    @property
    def zone(self) -> ZoneInfo:
        """The site's time zone."""
        return ZoneInfo(self.tz)
