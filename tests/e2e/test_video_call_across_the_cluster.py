"""A video call with the kiosk and central on different brokers of one cluster: the kiosk's bus on ejabberd
node A, central on node B (every call message crosses the cluster), beside the same call on one Mosquitto.

The real kiosk app (offscreen, tapped with pytest-qt), the real ``central`` process and headless Chromium as the
agent: the passenger asks for video help, the agent's console rings and accepts, both sides decode video, the
agent hangs up and records the outcome, the kiosk offers the rating, and central has the call answered."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Iterator
from contextlib import AsyncExitStack
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from tests.e2e.test_video_help_end_to_end import (
    AGENTS,
    UI_TIMEOUT_MS,
    agent_console,
    answer_the_ring,
    ask_for_help,
    hang_up_with_disposition,
)
from tests.peers.broker_sides import BrokerSides, central_running_on
from tests.peers.chromium import chromium
from tests.peers.ejabberd import EjabberdCluster
from tests.peers.mosquitto import Mosquitto
from tests.peers.running_kiosk import RunningKiosk
from tests.peers.wait import until

pytestmark = pytest.mark.slow


@pytest.fixture(params=["mosquitto", "cluster"])
def sides(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[BrokerSides]:
    if request.param == "mosquitto":
        broker = Mosquitto(tmp_path / "mosquitto").start()
        try:
            yield BrokerSides.one_mosquitto(broker)
        finally:
            broker.stop()
    else:
        cluster = EjabberdCluster(size=2)
        try:
            cluster.start()
            yield BrokerSides.across(cluster)
        finally:
            cluster.stop()


def test_a_video_call_connects_and_ends_cleanly(
    qtbot, qt_loop, sides: BrokerSides, tmp_path: Path, chromium_executable: str
) -> None:
    started = time.monotonic()
    ready: list[float] = []
    with central_running_on(sides, tmp_path / "central", agents=AGENTS) as central:

        async def scenario() -> None:
            async with AsyncExitStack() as stack:

                async def signed_in_agent() -> Page:
                    browser = await stack.enter_async_context(chromium(chromium_executable))
                    return await agent_console(browser, central.base_url)

                kiosk_up = RunningKiosk(sides.device_url, "kiosk-t1-b-01", tmp_path / "kiosk", bus=sides.device_bus())
                # the kiosk starts while the browser does and the agent signs in: the busy machine's seconds, once
                kiosk, page = await asyncio.gather(stack.enter_async_context(kiosk_up), signed_in_agent())
                window = kiosk.window
                ready.append(time.monotonic())
                await ask_for_help(qtbot, kiosk)
                await expect(page.locator("#ring-location")).to_have_text("T1 Hall B (kiosk-t1-b-01)")
                await answer_the_ring(page)

                await until(lambda: window.current_screen is window.in_call, "the kiosk's call screen")
                await until(lambda: window.in_call.agent_video.frames_shown >= 5, "the agent's video on the kiosk")
                await expect(page.locator("#remote-video")).to_have_attribute(
                    "data-frames", re.compile(r"^[1-9][0-9]*$"), timeout=UI_TIMEOUT_MS
                )  # the kiosk's video decoded in the browser
                window.grab().save(str(tmp_path / "kiosk-in-call.png"))

                await hang_up_with_disposition(page)
                await until(lambda: window.current_screen is window.rating, "the rating screen")
                async with asyncio.timeout(UI_TIMEOUT_MS / 1000):
                    while (board := await central.wallboard())["today"]["answered"] != 1:
                        await asyncio.sleep(0.2)  # central's HTTP view: it pushes nothing to a plain client
                assert board["today"]["offered"] == 1
                ready.append(time.monotonic())

        qt_loop.run_until_complete(scenario())
    print(
        f"video call, kiosk on {sides.device_url}, central on {sides.central_url}: kiosk, central and agent ready in"
        f" {ready[0] - started:.1f} s, the call to its record {ready[1] - ready[0]:.1f} s"
    )
