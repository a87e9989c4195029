"""Settings of ``central``: ``[app]``, ``[bus]``, ``[http]``, ``[store]``, ``[fleet]``, ``[calls]``, ``[feeds]``,
``[points]``, ``[demand]``, ``[alerts]``, ``[metrics]``, ``[cases]``, ``[monitor]`` (env prefix ``CENTRAL_``)."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationInfo, field_validator

from bus.messages.flights import FlightStatus
from central.alerts.settings import AlertsSection
from central.cases.settings import CasesSection
from central.metrics import MetricsSection
from central.switchboard.settings import SwitchboardSettings
from central.web.monitor_settings import MonitorSection
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


CLIENT_ID_PATTERN = r"^([A-Za-z0-9_-]{1,23})?$"
"""What every MQTT 3.1.1 broker must accept as a client id (at most 23 of these characters, spec 3.1.3.1)."""


class CentralBusSection(BusSection):
    """Central's ``[bus]``: the shared keys, plus who central is to the broker and whether the broker keeps
    central's session while it is away."""

    client_id: Annotated[str, Field(pattern=CLIENT_ID_PATTERN)] = Field(
        default="",
        description="Central's MQTT client id; empty: central-{site in lower case}. It stays the same across "
        "restarts, so that the broker finds central's session again; two centrals on one broker need two ids.",
    )
    persistent_session: bool = Field(
        default=True,
        description="Ask the broker to keep central's session (clean_session false): device events sent while "
        "central is away (restarting, or cut off) are queued by the broker and delivered when it returns. Off: "
        "a clean session, and central never hears those events.",
    )

    @property
    def central_client_id(self) -> str:
        return self.client_id or f"central-{self.site.lower()}"


class StoreSection(Section):
    """Where central keeps its records."""

    url: str = Field(
        default="",
        description="Database URL: postgresql://user:password@host:port/db keeps the calls, accounts, sessions, "
        "cases, device registry, fleet history, waiting queue and live calls, knowledge base and info point counts "
        "in PostgreSQL; sqlite:///PATH a SQLite file; empty means central.sqlite3 in [app] state_dir.",
    )


class FleetSection(Section):
    """How the fleet view judges devices."""

    stale_after_s: Annotated[float, Field(gt=0, le=86400)] = Field(
        default=120.0, description="Seconds without health after which an online device is shown as silent."
    )
    max_devices: Annotated[int, Field(ge=1, le=1_000_000)] = Field(
        default=10_000,
        description="Most devices the fleet view holds; messages from further new ids are dropped (a flood of "
        "made-up ids from a broker without the generated ACL). The device registry, once filled, admits "
        "only its own devices anyway.",
    )
    command_timeout_s: Annotated[float, Field(gt=0, le=3600)] = Field(
        default=90.0,
        description="Seconds a command waits for its device's reply before it is shown as timed out (print_test "
        "waits up to 60 s for the page); a screenshot's or log's upload token lives as long.",
    )
    upload_max_bytes: Annotated[int, Field(ge=1024, le=256 * 1024 * 1024)] = Field(
        default=16 * 1024 * 1024, description="Largest screenshot or log file a device may upload, in bytes."
    )
    keep_uploads: Annotated[int, Field(ge=1, le=100)] = Field(
        default=5, description="Screenshots, and log files, kept per device in [app] state_dir (the latest)."
    )
    upload_base_url: Annotated[str, Field(pattern=r"^(https?://[^/\s?#]+(/[^\s?#]*)?)?$")] = Field(
        default="",
        description="The address devices reach central's pages at, for screenshot and log uploads; empty: "
        "[http] public_url, else the address central listens on.",
    )


class FeedsSection(Section):
    """Where the flight boards come from (see docs/flights.md). With no feed configured, the simulator runs."""

    simulator: bool | None = Field(
        default=None, description="Run the simulated day at the site; unset: only when no other feed is configured."
    )
    simulator_speed: Annotated[float, Field(gt=0, le=3600)] = Field(
        default=1.0, description="Simulated seconds per real second (60: an hour a minute)."
    )
    simulator_seed: int = Field(default=1, description="Seed of the simulated day: the same seed, the same flights.")
    simulator_tick_s: Annotated[float, Field(gt=0, le=600)] = Field(
        default=1.0, description="Real seconds between two looks at the simulated clock."
    )
    aidx_token: SecretStr | None = Field(
        default=None, description="Bearer token for POST /api/feeds/aidx; unset: the endpoint refuses everything."
    )
    aidx_dir: Path | None = Field(
        default=None, description="Drop folder of AIDX documents (*.xml), read and moved to done/ or rejected/."
    )
    aidx_max_bytes: Annotated[int, Field(ge=1024, le=64 * 1024 * 1024)] = Field(
        default=1024 * 1024, description="Largest AIDX document accepted, in bytes."
    )
    aidx_status_codes: dict[str, str] = Field(
        default_factory=dict,
        description="OperationalStatus codes to board statuses, added to the built-in table, e.g. {BDG = 'boarding'}.",
    )
    json_url: str = Field(default="", description="URL of a JSON flight list to poll; empty: no JSON feed.")
    json_interval_s: Annotated[float, Field(ge=1, le=3600)] = Field(
        default=30.0, description="Seconds between two polls (with If-None-Match / If-Modified-Since)."
    )
    json_records: str = Field(default="", description="Dotted path to the list of flights; empty: the whole document.")
    json_fields: dict[str, str] = Field(
        default_factory=dict, description="Our record fields to the source's dotted keys, e.g. {std = 'times.std'}."
    )
    csv_file: Path | None = Field(default=None, description="CSV file of flights to watch; unset: no CSV feed.")
    csv_interval_s: Annotated[float, Field(ge=0.1, le=3600)] = Field(
        default=2.0, description="Seconds between two looks at the CSV file's size and time."
    )
    stale_after_s: Annotated[float, Field(gt=0, le=86400)] = Field(
        default=300.0, description="A feed silent this long is shown as stale."
    )
    keep_past_h: Annotated[float, Field(gt=0, le=72)] = Field(
        default=6.0, description="Hours a flight stays on the boards after its time (actual, else estimated)."
    )

    @field_validator("aidx_status_codes")
    @classmethod
    def _statuses_are_board_statuses(cls, value: dict[str, str]) -> dict[str, str]:
        known = {status.value for status in FlightStatus}
        for code, status in value.items():
            if status and status not in known:
                raise ValueError(f"{code} = {status!r}: must be empty or one of {', '.join(sorted(known))}")
        return {code.strip().upper(): status for code, status in value.items()}

    @property
    def simulator_runs(self) -> bool:
        if self.simulator is not None:
            return self.simulator
        return not (self.aidx_token or self.aidx_dir or self.json_url or self.csv_file)


class PointsSection(Section):
    """The posted QR info points (see docs/points.md)."""

    file: Path | None = Field(
        default=None,
        description="TOML registry of the info points ([[point]] tables); unset: the sample registry for HAK.",
    )


class DemandSection(Section):
    """When many passengers suddenly ask about one thing (a flight, a place, a call category): demand alerts."""

    window_s: Annotated[float, Field(gt=0, le=86400)] = Field(
        default=600.0, description="Seconds of recent demand compared with the baseline."
    )
    baseline_s: Annotated[float, Field(gt=0, le=7 * 86400)] = Field(
        default=7200.0, description="Seconds before the window whose demand is the usual level."
    )
    factor: Annotated[float, Field(gt=1, le=1000)] = Field(
        default=3.0, description="An alert is raised when the window holds this many times the usual count."
    )
    clear_factor: Annotated[float, Field(gt=0, le=1000)] = Field(
        default=1.5, description="It is cleared when the window falls below this many times the usual count."
    )
    min_count: Annotated[int, Field(ge=1, le=1_000_000)] = Field(
        default=10, description="Fewer than this many in the window never raise an alert (small numbers)."
    )
    check_s: Annotated[float, Field(gt=0, le=3600)] = Field(default=5.0, description="Seconds between two looks.")

    @field_validator("clear_factor")
    @classmethod
    def _below_factor(cls, value: float, info: ValidationInfo) -> float:
        factor = info.data.get("factor")
        if factor is not None and value >= factor:
            raise ValueError(f"must be below factor ({factor}), or an alert would flap")
        return value


class CentralSettings(BaseModel):
    """Everything ``central`` reads from its TOML file and ``CENTRAL_*`` variables."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    app: AppSection = Field(default_factory=AppSection)
    bus: CentralBusSection = Field(default_factory=CentralBusSection)
    http: HttpSection = Field(default_factory=HttpSection)
    store: StoreSection = Field(default_factory=StoreSection)
    fleet: FleetSection = Field(default_factory=FleetSection)
    calls: SwitchboardSettings = Field(default_factory=SwitchboardSettings)
    feeds: FeedsSection = Field(default_factory=FeedsSection)
    points: PointsSection = Field(default_factory=PointsSection)
    demand: DemandSection = Field(default_factory=DemandSection)
    alerts: AlertsSection = Field(default_factory=AlertsSection)
    metrics: MetricsSection = Field(default_factory=MetricsSection)
    cases: CasesSection = Field(default_factory=CasesSection)
    monitor: MonitorSection = Field(default_factory=MonitorSection)
