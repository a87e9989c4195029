"""``[alerts]``: when the fleet's conditions become alerts, and where alerts are posted besides the bus."""

from __future__ import annotations

from typing import Annotated, Self
from urllib.parse import urlsplit

from pydantic import ConfigDict, Field, SecretStr, field_validator, model_validator

from config.sections import Section


class AlertsSection(Section):
    """Rules on devices' health and status, and on the flight feeds (see docs/fleet-alerts.md)."""

    # an error must not repeat a refused webhook URL: it may hold a password
    model_config = ConfigDict(hide_input_in_errors=True)

    enabled: bool = Field(default=True, description="Judge the fleet and raise alerts at all.")
    check_interval_s: Annotated[float, Field(gt=0, le=60)] = Field(
        default=2.0, description="Seconds between two looks at the fleet; an alert can be this much late."
    )
    raise_after_s: Annotated[float, Field(ge=0, le=86400)] = Field(
        default=10.0, description="Seconds a condition must hold before its alert is raised (offline has its own)."
    )
    clear_after_s: Annotated[float, Field(ge=0, le=86400)] = Field(
        default=30.0, description="Seconds a condition must be gone before its alert is cleared."
    )
    offline_after_s: Annotated[float, Field(ge=0, le=86400)] = Field(
        default=60.0,
        description="Seconds a device must be offline (or online but silent, see [fleet] stale_after_s) before "
        "device_offline is raised.",
    )
    temperature_c: float = Field(default=80.0, description="Raise temperature_high above this SoC temperature, °C.")
    temperature_clear_c: float = Field(
        default=75.0, description="Clear temperature_high only below this temperature, °C (lower than temperature_c)."
    )
    disk_percent: Annotated[float, Field(gt=0, le=100)] = Field(
        default=90.0, description="Raise disk_full above this use of the state directory's disk, %."
    )
    disk_clear_percent: Annotated[float, Field(ge=0, le=100)] = Field(
        default=85.0, description="Clear disk_full only below this use, % (lower than disk_percent)."
    )
    camera_frame_age_s: Annotated[float, Field(gt=0, le=86400)] = Field(
        default=10.0,
        description="A running camera whose last frame is older than this, s, has no frames (for devices that "
        "report the age of their last frame; others are judged by their frame rate).",
    )
    version_min_devices: Annotated[int, Field(ge=2, le=100_000)] = Field(
        default=3,
        description="Fewest online devices of a kind before a version that differs from their majority is an "
        "alert (with fewer there is no telling which is the odd one).",
    )
    events_missing_hold_s: Annotated[float, Field(gt=0, le=7 * 86400)] = Field(
        default=900.0,
        description="A device's events_missing alert stays raised this long after its last gap in event numbers.",
    )
    keep_cleared: Annotated[int, Field(ge=0, le=10_000)] = Field(
        default=200, description="Cleared alerts kept for the facilities page, newest first."
    )
    webhook_url: SecretStr | None = Field(
        default=None,
        description="http(s) URL each raise and clear is POSTed to as JSON; unset: none. It may carry credentials "
        "(user:password@ or a secret path): only its scheme and host are ever logged.",
    )
    webhook_timeout_s: Annotated[float, Field(gt=0, le=120)] = Field(
        default=5.0, description="Seconds one webhook POST may take."
    )
    webhook_retries: Annotated[int, Field(ge=0, le=10)] = Field(
        default=3, description="Tries after the first for a POST that fails (timeout, 5xx), each after twice the wait."
    )
    webhook_queue: Annotated[int, Field(ge=1, le=100_000)] = Field(
        default=1000, description="Posts waiting at most; when full the oldest waiting one is dropped (and counted)."
    )

    @field_validator("webhook_url")
    @classmethod
    def _http_only(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        parts = urlsplit(value.get_secret_value())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            # the URL itself is not repeated: it may hold a password
            raise ValueError("must be an http:// or https:// URL with a host")
        return value

    @model_validator(mode="after")
    def _clear_below_raise(self) -> Self:
        if self.temperature_clear_c >= self.temperature_c:
            raise ValueError("temperature_clear_c must be below temperature_c")
        if self.disk_clear_percent >= self.disk_percent:
            raise ValueError("disk_clear_percent must be below disk_percent")
        return self
