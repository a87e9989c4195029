"""Health figures that look like a real device's: each one wanders from its last value instead of jumping,
within the range a kiosk or a display really shows, with the odd spike and the odd printer running low.

Pure: a seeded ``random.Random`` and the elapsed time come in, a :class:`DeviceHealth` goes out.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from bus.messages.device import (
    CameraHealth,
    CameraState,
    DeviceHealth,
    DeviceKind,
    PrinterHealth,
    PrinterState,
)


def _wander(rng: random.Random, value: float, step: float, low: float, high: float) -> float:
    return min(high, max(low, value + rng.uniform(-step, step)))


@dataclass
class HealthFigures:
    """One device's figures, moved a little at every snapshot."""

    kind: DeviceKind
    rng: random.Random
    cpu: float = 0.0
    memory: float = 0.0
    disk: float = 0.0
    rss_mb: float = 0.0
    machine_up_s: float = 0.0
    printer: PrinterState = PrinterState.READY

    def __post_init__(self) -> None:
        rng = self.rng
        self.cpu = rng.uniform(5, 25)
        self.memory = rng.uniform(30, 55)
        self.disk = rng.uniform(12, 40)
        self.rss_mb = rng.uniform(180, 260) if self.kind is DeviceKind.KIOSK else rng.uniform(90, 130)
        self.machine_up_s = rng.uniform(600, 30 * 86400)

    def snapshot(self, version: str, uptime_s: float, since_last_s: float, rtt_ms: float | None) -> DeviceHealth:
        rng = self.rng
        self.cpu = _wander(rng, self.cpu, 6, 2, 70)
        cpu = min(100.0, self.cpu + (rng.uniform(20, 40) if rng.random() < 0.03 else 0))  # the odd busy moment
        self.memory = _wander(rng, self.memory, 1.5, 20, 90)
        self.disk = min(95.0, self.disk + rng.uniform(0, 0.002))
        self.rss_mb = _wander(rng, self.rss_mb, 2, 80, 600)
        self.machine_up_s += since_last_s
        printer = camera = None
        if self.kind is DeviceKind.KIOSK:
            self.printer = self._next_printer_state()
            printer = PrinterHealth(state=self.printer)
            camera = CameraHealth(state=CameraState.RUNNING, fps=round(rng.uniform(14.5, 15.2), 1))
        return DeviceHealth(
            version=version,
            cpu_percent=round(cpu, 1),
            memory_percent=round(self.memory, 1),
            disk_percent=round(self.disk, 2),
            temperature_c=round(42 + cpu * 0.35 + rng.uniform(-1.5, 1.5), 1),
            throttled=rng.random() < 0.002,
            app_rss_mb=round(self.rss_mb, 1),
            uptime_s=round(uptime_s, 1),
            system_uptime_s=round(self.machine_up_s),
            broker_rtt_ms=None if rtt_ms is None else round(rtt_ms, 2),
            printer=printer,
            camera=camera,
        )

    def _next_printer_state(self) -> PrinterState:
        roll = self.rng.random()
        if self.printer is PrinterState.READY:
            return PrinterState.PAPER_LOW if roll < 0.002 else PrinterState.READY
        if self.printer is PrinterState.PAPER_LOW:
            return PrinterState.READY if roll < 0.02 else PrinterState.PAPER_LOW  # someone refilled it
        return PrinterState.READY
