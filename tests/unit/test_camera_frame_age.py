"""The age of the camera's last frame: measured by the camera owner, carried in health (an additive field of
v1), and judged by the "camera without frames" rule, which catches a read stuck in the driver."""

from __future__ import annotations

import asyncio
import threading

import numpy as np
import pytest
from pydantic import ValidationError

from bus.codec import decode, encode
from bus.messages.device import CameraHealth, CameraState, DeviceHealth
from bus.topics import TopicKind
from central.alerts.rules import DeviceFacts, Rule, device_findings
from central.alerts.settings import AlertsSection
from hardware.camera import CameraOwner


class StuckAfterOneFrame:
    """Gives one frame, then hangs in read() (as a wedged USB camera does) until released."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.reads = 0

    def read(self) -> np.ndarray | None:
        self.reads += 1
        if self.reads > 1:
            self.release.wait()
        return np.zeros((4, 4, 3), dtype=np.uint8)

    def close(self) -> None:
        pass


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_a_stuck_read_keeps_running_but_the_frame_age_grows():
    clock = Clock()
    source = StuckAfterOneFrame()
    owner = CameraOwner(source, fps=50, clock=clock)
    assert owner.health().last_frame_age_s is None  # nothing read yet
    running = asyncio.Event()
    owner.add_state_listener(lambda state: running.set() if state is CameraState.RUNNING else None)
    subscription = owner.subscribe()
    try:
        async with asyncio.timeout(5):
            await subscription.next_frame()
            await running.wait()  # told after the frame was handed out, before the next read
        clock.now += 0.5
        assert owner.health().last_frame_age_s == 0.5
        clock.now += 29.5  # the reader is still in its second read
        health = owner.health()
        assert health.state is CameraState.RUNNING
        assert health.last_frame_age_s == 30.0
        assert health.last_frame_age_s > AlertsSection().camera_frame_age_s
    finally:
        source.release.set()
        await owner.stop()


def facts(camera: CameraHealth) -> DeviceFacts:
    health = DeviceHealth(cpu_percent=10, memory_percent=20, app_rss_mb=100, uptime_s=60, camera=camera)
    return DeviceFacts("kiosk-t1-01", "kiosk", "online", None, "T1 Hall B", "1.0.0", health)


def findings(camera: CameraHealth) -> dict[Rule, str]:
    return device_findings(facts(camera), AlertsSection(), {}, lambda _rule: False, now=0.0)


@pytest.mark.parametrize(
    ("camera", "no_frames"),
    [
        (CameraHealth(state=CameraState.RUNNING, fps=15.0, last_frame_age_s=0.1), False),
        (CameraHealth(state=CameraState.RUNNING, fps=15.0, last_frame_age_s=10.0), False),  # at the limit
        (CameraHealth(state=CameraState.RUNNING, fps=15.0, last_frame_age_s=10.5), True),  # stuck, fps stale
        (CameraHealth(state=CameraState.RUNNING, fps=15.0), False),  # an older device: judged by fps
        (CameraHealth(state=CameraState.RUNNING, fps=0.0), True),
        (CameraHealth(state=CameraState.RUNNING, fps=0.0, last_frame_age_s=0.5), True),
        (CameraHealth(state=CameraState.STOPPED, last_frame_age_s=3600.0), False),  # nobody watching: fine
        (CameraHealth(state=CameraState.FAILED, last_frame_age_s=0.5), True),
    ],
)
def test_the_rule_judges_a_running_camera_by_the_age_of_its_last_frame(camera, no_frames):
    assert (Rule.CAMERA_NO_FRAMES in findings(camera)) is no_frames


def test_the_alert_says_how_old_the_last_frame_is():
    text = findings(CameraHealth(state=CameraState.RUNNING, fps=15.0, last_frame_age_s=42.0))[Rule.CAMERA_NO_FRAMES]
    assert "42 s" in text
    assert "T1 Hall B" in text


def test_the_field_is_additive_and_checked():
    old = b'{"v":1,"cpu_percent":1,"memory_percent":2,"app_rss_mb":3,"uptime_s":4,'
    old += b'"camera":{"state":"running","fps":15}}'  # as a device without the field sends it
    assert decode(TopicKind.DEVICE_HEALTH, old).camera == CameraHealth(state=CameraState.RUNNING, fps=15.0)
    camera = CameraHealth(state=CameraState.RUNNING, last_frame_age_s=2.5)
    health = DeviceHealth(cpu_percent=1, memory_percent=2, app_rss_mb=3, uptime_s=4, camera=camera)
    assert decode(TopicKind.DEVICE_HEALTH, encode(health)).camera.last_frame_age_s == 2.5
    with pytest.raises(ValidationError):
        CameraHealth(state=CameraState.RUNNING, last_frame_age_s=-1.0)
