"""The kiosk hears of every change of its camera's state, so health goes out at once when a camera is lost."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bus.link import BusLink
from bus.messages.device import CameraState
from bus.topics import Topics
from config.sections import BusSection
from kiosk.calls import VideoHelpDesk

# prepare() loads this in a thread; imported at collection instead, as the call tests do, so that the test
# takes milliseconds and not the seconds of loading the WebRTC stack
from video import session as _loaded_early  # noqa: F401
from video.settings import VideoSection


async def test_a_listener_added_before_the_camera_opens_hears_it_fail(tmp_path: Path) -> None:
    link = BusLink(BusSection(url="mqtt://127.0.0.1:9"), "kiosk-a")  # never started: no broker needed
    missing = tmp_path / "no-such-video.mp4"  # a camera whose every read fails, as an unplugged one
    desk = VideoHelpDesk(link, Topics("airport/HAK"), "kiosk-a", VideoSection(camera=str(missing)))
    heard: asyncio.Queue[CameraState] = asyncio.Queue()
    desk.add_camera_listener(heard.put_nowait)
    await desk.prepare()
    assert desk.camera is not None
    subscription = desk.camera.subscribe("call")
    try:
        assert await asyncio.wait_for(heard.get(), 10) is CameraState.ABSENT
        assert desk.camera_health().state is CameraState.ABSENT
    finally:
        desk.camera.unsubscribe(subscription)
        await desk.stop()
