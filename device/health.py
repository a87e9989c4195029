"""Health figures of the machine and the app: CPU, memory, disk, temperature, throttling, RSS, uptime.

Paths under /sys are module constants so tests can point them at a fake tree.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

log = logging.getLogger(__name__)

THERMAL_ZONE = Path("/sys/class/thermal/thermal_zone0/temp")
PI_THROTTLED = Path("/sys/devices/platform/soc/soc:firmware/get_throttled")

# get_throttled bits that mean "now" (the upper bits mean "has happened since boot")
UNDER_VOLTAGE_NOW = 0x1
FREQUENCY_CAPPED_NOW = 0x2
THROTTLED_NOW = 0x4
SOFT_TEMP_LIMIT_NOW = 0x8
_NOW_MASK = UNDER_VOLTAGE_NOW | FREQUENCY_CAPPED_NOW | THROTTLED_NOW | SOFT_TEMP_LIMIT_NOW


@dataclass(frozen=True)
class HealthSample:
    cpu_percent: float
    memory_percent: float
    disk_percent: float | None
    temperature_c: float | None
    throttled: bool | None
    app_rss_mb: float
    uptime_s: float
    system_uptime_s: float


class HealthProbe:
    """Samples health figures; cheap (reads /proc and /sys), but callers still run it off the UI loop."""

    def __init__(
        self,
        disk_path: Path,
        thermal_zone: Path = THERMAL_ZONE,
        throttled_path: Path = PI_THROTTLED,
    ) -> None:
        self._disk_path = disk_path
        self._thermal_zone = thermal_zone
        self._throttled_path = throttled_path
        self._process = psutil.Process()
        self._started = time.monotonic()
        self._process.cpu_percent(None)
        psutil.cpu_percent(None)  # primes the counter so the first sample is meaningful

    def sample(self) -> HealthSample:
        return HealthSample(
            cpu_percent=min(100.0, psutil.cpu_percent(None)),
            memory_percent=psutil.virtual_memory().percent,
            disk_percent=self._disk_percent(),
            temperature_c=read_temperature_c(self._thermal_zone),
            throttled=read_throttled(self._throttled_path),
            app_rss_mb=self._process.memory_info().rss / (1024 * 1024),
            uptime_s=time.monotonic() - self._started,
            system_uptime_s=max(0.0, time.time() - psutil.boot_time()),
        )

    def _disk_percent(self) -> float | None:
        try:
            return psutil.disk_usage(str(self._disk_path)).percent
        except OSError:
            return None


def read_temperature_c(path: Path) -> float | None:
    """Millidegrees in a sysfs thermal zone, as degrees Celsius; None where there is none."""
    try:
        return int(path.read_text().strip()) / 1000.0
    except (OSError, ValueError):
        return None


def read_throttled(path: Path) -> bool | None:
    """Raspberry Pi firmware's throttled flags (hex, e.g. ``0x50005``): True if any "now" bit is set."""
    try:
        raw = path.read_text().strip()
        return bool(int(raw, 16) & _NOW_MASK)
    except (OSError, ValueError):
        return None
