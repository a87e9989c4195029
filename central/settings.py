"""Settings of ``central``: ``[app]``, ``[bus]``, ``[http]``, ``[store]``, ``[fleet]``, ``[calls]`` (env prefix
``CENTRAL_``)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from central.switchboard.settings import SwitchboardSettings
from config.sections import AppSection, BusSection, Section

ENV_PREFIX = "CENTRAL_"


class HttpSection(Section):
    """Where the browser pages (facilities, agent console, wallboard, QR points) are served."""

    host: str = Field(default="127.0.0.1", description="Address to listen on; 0.0.0.0 for all interfaces.")
    port: Annotated[int, Field(ge=0, le=65535)] = Field(default=8080, description="TCP port; 0 picks a free one.")


class StoreSection(Section):
    """Where central keeps its records."""

    url: str = Field(
        default="", description="Database URL; empty means a SQLite file central.sqlite3 in [app] state_dir."
    )


class FleetSection(Section):
    """How the fleet view judges devices."""

    stale_after_s: Annotated[float, Field(gt=0, le=86400)] = Field(
        default=120.0, description="Seconds without health after which an online device is shown as silent."
    )


class CentralSettings(BaseModel):
    """Everything ``central`` reads from its TOML file and ``CENTRAL_*`` variables."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    app: AppSection = Field(default_factory=AppSection)
    bus: BusSection = Field(default_factory=BusSection)
    http: HttpSection = Field(default_factory=HttpSection)
    store: StoreSection = Field(default_factory=StoreSection)
    fleet: FleetSection = Field(default_factory=FleetSection)
    calls: SwitchboardSettings = Field(default_factory=SwitchboardSettings)
