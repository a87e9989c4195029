"""Simulated health looks like a device's: every snapshot is a valid ``DeviceHealth``, the figures wander
rather than jump, uptime only grows, and only kiosks report a printer and a camera."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from bus.messages.device import DeviceKind
from demo.fleet.figures import HealthFigures


@settings(max_examples=30, deadline=None)
@given(st.integers(min_value=0, max_value=2**32), st.sampled_from(list(DeviceKind)))
def test_figures_wander_within_a_device_s_range(seed: int, kind: DeviceKind) -> None:
    figures = HealthFigures(kind, random.Random(seed))
    previous = None
    for step in range(200):
        health = figures.snapshot("0.1.0-sim", uptime_s=5.0 * step, since_last_s=5.0, rtt_ms=1.5)
        assert 0 <= health.cpu_percent <= 100 and 20 <= health.memory_percent <= 90
        assert health.temperature_c is not None and 35 < health.temperature_c < 85
        assert (health.printer is not None) == (kind is DeviceKind.KIOSK) == (health.camera is not None)
        if previous is not None:
            assert abs(health.memory_percent - previous.memory_percent) <= 1.6  # drifts, never jumps
            assert health.system_uptime_s is not None and previous.system_uptime_s is not None
            assert health.system_uptime_s >= previous.system_uptime_s
        previous = health
