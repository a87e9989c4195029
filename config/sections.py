"""Sections that every program's settings share: ``[app]`` and ``[bus]``."""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from config.json_text import json_setting

DEVICE_ID_PATTERN = r"^[a-z0-9-]{1,64}$"
IATA_PATTERN = r"^[A-Z]{3}$"
BUS_URL_PATTERN = r"^mqtts?://[^:/\s]+(:[0-9]{1,5})?/?$"


LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


class BusRisk(StrEnum):
    """Why a broker connection could be read or joined by others on the network."""

    ANONYMOUS = "anonymous"  # no user name: the broker cannot keep others off this program's topics
    PLAINTEXT = "plaintext"  # mqtt://: anyone on the path reads passwords and passengers' calls


class Section(BaseModel):
    """Base for settings sections: typed, documented, and strict about types."""

    model_config = ConfigDict(extra="ignore", frozen=True, validate_default=True)


class AppSection(Section):
    """Where a program keeps its files and how it logs."""

    state_dir: Path = Field(
        default=Path("state"),
        description="Directory for the program's SQLite files and caches; created if missing.",
    )
    log_level: Annotated[str, Field(pattern=r"^(DEBUG|INFO|WARNING|ERROR)$")] = Field(
        default="INFO", description="Logging threshold: DEBUG, INFO, WARNING or ERROR."
    )

    def prepare_state_dir(self) -> Path:
        """Create the state directory if needed, readable by this program's user only (0700): it holds
        password hashes, sessions, print jobs and call records."""
        self.state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.state_dir.chmod(0o700)
        return self.state_dir


class BusSection(Section):
    """How to reach the MQTT broker, and who this program is on it."""

    url: Annotated[str, Field(pattern=BUS_URL_PATTERN)] = Field(
        default="mqtt://127.0.0.1:1883",
        description="Broker address, mqtt://host:port or mqtts://host:port (TLS).",
    )
    brokers: Annotated[list[Annotated[str, Field(pattern=BUS_URL_PATTERN)]], Field(max_length=16)] = Field(
        default_factory=list,
        description="Further brokers of the same cluster or bridge (mqtt://host:port, same scheme as url): when "
        "the one in use cannot be reached or is lost, the next is tried, in turn after url, with the same "
        "reconnect delays. Empty for one broker. From the environment: the URLs separated by commas.",
    )
    site: Annotated[str, Field(pattern=IATA_PATTERN)] = Field(
        default="HAK", description="IATA code of the airport, upper case (e.g. HAK)."
    )
    root: str = Field(
        default="airport/{site}",
        description="Topic root; {site} is replaced by the site code.",
    )
    username: str | None = Field(default=None, description="Broker user name; none for anonymous.")
    password: SecretStr | None = Field(default=None, description="Broker password; never logged.")
    ca_file: Path | None = Field(
        default=None, description="CA certificate (PEM) to verify an mqtts:// broker; system CAs if unset."
    )
    keepalive_s: Annotated[int, Field(ge=5, le=600)] = Field(
        default=15, description="MQTT keepalive in seconds; the broker declares us lost after 1.5x this."
    )
    reconnect_min_s: Annotated[int, Field(ge=1, le=60)] = Field(
        default=1, description="First reconnect delay in seconds; doubles after each failure."
    )
    reconnect_max_s: Annotated[int, Field(ge=1, le=3600)] = Field(
        default=30, description="Cap of the reconnect delay in seconds."
    )
    max_payload_bytes: Annotated[int, Field(ge=1024, le=64 * 1024 * 1024)] = Field(
        default=8 * 1024 * 1024,
        description="Largest message taken from the broker, in bytes (the contract's largest, a flight board, "
        "is 8 MiB); larger ones are dropped before they are handed on. central broker-config sets the "
        "broker's max_packet_size to match.",
    )

    @field_validator("root")
    @classmethod
    def _root_is_a_topic_prefix(cls, value: str) -> str:
        if not value or value.startswith("/") or value.endswith("/") or re.search(r"[#+\s]", value):
            raise ValueError("must be a topic prefix like 'airport/{site}' (no wildcards, no edge slashes)")
        return value

    @field_validator("brokers", mode="before")
    @classmethod
    def _brokers_from_text(cls, value: object) -> object:
        """From an environment variable the list comes as text: URLs split by commas or spaces, or a JSON list."""
        if not isinstance(value, str):
            return value
        if value.lstrip().startswith("["):
            return json_setting(value, "a JSON list of broker URLs, or URLs split by commas")
        return [url for url in re.split(r"[\s,]+", value) if url]

    @model_validator(mode="after")
    def _brokers_share_the_scheme(self) -> BusSection:
        # one TLS setting (tls_set, ca_file) serves every connection the link makes
        mixed = [url for url in self.brokers if url.startswith("mqtts://") != self.tls]
        if mixed:
            raise ValueError(f"brokers must all use the scheme of url ({self.url.split(':', 1)[0]}://): {mixed[0]}")
        return self

    @property
    def topic_root(self) -> str:
        """The root with the site filled in."""
        return self.root.replace("{site}", self.site)

    @property
    def host(self) -> str:
        return self.endpoints[0][0]

    @property
    def port(self) -> int:
        return self.endpoints[0][1]

    @property
    def endpoints(self) -> list[tuple[str, int]]:
        """(host, port) of url and then of each of brokers, in the order they are tried."""
        return [self._endpoint(url) for url in (self.url, *self.brokers)]

    @property
    def tls(self) -> bool:
        return self.url.startswith("mqtts://")

    @property
    def risks(self) -> list[BusRisk]:
        """What makes this connection unsafe; nothing for a broker on this machine (the demo's)."""
        if all(host.lower() in LOOPBACK_HOSTS or host.startswith("127.") for host, _port in self.endpoints):
            return []
        risks = [] if self.username else [BusRisk.ANONYMOUS]
        return risks if self.tls else [*risks, BusRisk.PLAINTEXT]

    def _endpoint(self, url: str) -> tuple[str, int]:
        authority = url.split("://", 1)[1].rstrip("/")
        if ":" in authority:
            host, port = authority.rsplit(":", 1)
            return host, int(port)
        return authority, 8883 if self.tls else 1883


class DeviceBusSection(BusSection):
    """The bus section of a device (kiosk or signage): adds who and where the device is."""

    device_id: Annotated[str, Field(pattern=DEVICE_ID_PATTERN)] = Field(
        default="kiosk-demo-1", description="This device's id: lower-case letters, digits and '-', 1-64."
    )
    location: str = Field(
        default="", max_length=120, description="Where the device stands, as staff say it (e.g. 'T1 Hall B')."
    )
