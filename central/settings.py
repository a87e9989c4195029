"""Settings of ``central``: ``[app]``, ``[bus]``, ``[http]``, ``[store]``, ``[fleet]``, ``[calls]`` (env prefix
``CENTRAL_``)."""

from __future__ import annotations

import ipaddress
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from central.switchboard.settings import SwitchboardSettings
from config.sections import AppSection, BusSection, Section

ENV_PREFIX = "CENTRAL_"


class HttpSection(Section):
    """Where the browser pages (facilities, agent console, wallboard, QR points) are served."""

    host: str = Field(default="127.0.0.1", description="Address to listen on; 0.0.0.0 for all interfaces.")
    port: Annotated[int, Field(ge=0, le=65535)] = Field(default=8080, description="TCP port; 0 picks a free one.")
    public_url: Annotated[str, Field(pattern=r"^(https?://[^/\s?#]+(/[^\s?#]*)?)?$")] = Field(
        default="",
        description="The address people use, e.g. https://central.hak.example (behind a TLS proxy): "
        "https makes the session cookie Secure and adds HSTS; its host is allowed.",
    )
    allowed_hosts: Annotated[list[str], Field(max_length=64)] = Field(
        default_factory=list,
        description="Host names the pages answer to, besides localhost, 127.0.0.1, ::1, [http] host and the "
        "public_url's; any other Host header is refused (DNS rebinding).",
    )
    trusted_proxies: Annotated[list[str], Field(max_length=64)] = Field(
        default_factory=list,
        description="Addresses or networks (CIDR) of reverse proxies whose X-Forwarded-For names the client; "
        "from anyone else the header is ignored.",
    )
    max_event_streams: Annotated[int, Field(ge=1, le=100_000)] = Field(
        default=500, description="Live event streams (facilities page, wallboard) open at once, in all."
    )
    max_event_streams_per_address: Annotated[int, Field(ge=1, le=10_000)] = Field(
        default=8, description="Live event streams one client address may hold open at once."
    )

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for entry in value:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(f"{entry!r} is not an IP address or network (e.g. 10.0.0.5 or 10.0.0.0/24)") from None
        return value


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
