"""The real kiosk app (offscreen) run as a task on the test's Qt + asyncio loop, for end-to-end tests:
``async with RunningKiosk(...)`` waits until it is online and video help is ready, and quits it after."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from kiosk.settings import KioskSettings
from kiosk.ui.app import KioskApp
from tests.peers.wait import until

QUIT_TIMEOUT_S = 20


class RunningKiosk:
    """The kiosk program's own controller. ``location`` defaults to one naming the device; with
    ``central_url`` its pages and phone links point at that central."""

    def __init__(
        self,
        broker_url: str,
        device_id: str,
        state_dir: Path,
        *,
        location: str | None = None,
        language: str = "zh-CN",
        central_url: str | None = None,
        bus: dict[str, str] | None = None,
    ) -> None:
        values: dict[str, object] = {
            "app": {"state_dir": str(state_dir)},
            "bus": {
                "url": broker_url,
                "device_id": device_id,
                "location": location or f"T1 Hall B ({device_id})",
                **(bus or {}),  # more [bus] settings: a user name and password for a broker that wants them
            },
            "ui": {"fullscreen": False, "width": 1080, "height": 1920, "language": language},
            "video": {"width": 320, "height": 240, "fps": 15},
        }
        if central_url is not None:
            values["info"] = {"central_url": central_url}
        self.app = KioskApp(KioskSettings.model_validate(values), time.monotonic())
        self.window = self.app.window
        self.task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> RunningKiosk:
        self.task = asyncio.ensure_future(self.app.run())
        await until(lambda: self.window.top_bar.connection.state == "online", "the kiosk online")
        await until(lambda: self.app.flow is not None, "video help ready")
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.app.request_quit()
        assert self.task is not None
        await asyncio.wait_for(self.task, QUIT_TIMEOUT_S)
