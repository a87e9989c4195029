"""A call passed on through every tier: a real Mosquitto, the real ``central``, the real kiosk app (offscreen,
in this process) and two headless Chromium consoles, agent A and agent B.

A answers, saves a note and passes the call on to B, chosen by name; the kiosk says "connecting you to a specialist",
B's console rings with A's name and note, B answers, and the kiosk decodes B's video on a new peer
connection of the same call. Then B hangs up and records the outcome; the call is answered once, with two
legs, resolved by B.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from tests.e2e.test_video_help_end_to_end import (
    UI_TIMEOUT_MS,
    answer_the_ring,
    ask_for_help,
    hang_up_with_disposition,
)
from tests.peers.central import central_running
from tests.peers.chromium import chromium
from tests.peers.console import sign_in_on_the_page
from tests.peers.mosquitto import Mosquitto
from tests.peers.running_kiosk import RunningKiosk
from tests.peers.wait import until

pytestmark = pytest.mark.slow

AGENTS = (("chen", "Chen Li", "zh,en"), ("wang", "Wang Fang", "zh,lost_property"))


async def console_of(browser, base_url: str, agent_id: str) -> Page:
    page = await browser.new_page(viewport={"width": 1600, "height": 900})  # a context of its own
    await page.goto(f"{base_url}/agent?lang=en")
    await sign_in_on_the_page(page, agent_id=agent_id)
    await page.locator("#presence").click()
    await expect(page.locator("body")).to_have_attribute("data-state", "available", timeout=UI_TIMEOUT_MS)
    return page


async def agent_a_answers(qtbot, kiosk: RunningKiosk, browser, base_url: str) -> Page:
    """Agent A (chen) signs in and answers the passenger's call; A's console, once A's video is on the kiosk."""
    a = await console_of(browser, base_url, "chen")
    await ask_for_help(qtbot, kiosk)
    await answer_the_ring(a)
    await until(lambda: kiosk.window.in_call.agent_video.frames_shown >= 3, "agent A's video on the kiosk")
    return a


def test_agent_a_passes_the_call_to_agent_b_and_the_kiosk_gets_bs_video_without_hanging_up(
    qtbot, qt_loop, mosquitto: Mosquitto, tmp_path: Path, chromium_executable: str
):
    with central_running(mosquitto, tmp_path / "central", agents=AGENTS, wrap_up_s=5) as central:

        async def scenario() -> None:
            async with (
                RunningKiosk(mosquitto.url, "kiosk-t1-b-01", tmp_path / "kiosk") as kiosk,
                chromium(chromium_executable) as browser,
            ):
                window = kiosk.window
                a = await agent_a_answers(qtbot, kiosk, browser, central.base_url)
                flow = kiosk.app.flow
                assert flow is not None and flow.session is not None
                call_id = flow.session.call_id
                b = await console_of(browser, central.base_url, "wang")

                # A refuses nothing silently: a queue nobody is signed in for gets words and the call goes on
                await a.locator("#transfer-skill").select_option("sign")
                await a.locator("#transfer-submit").click()
                await expect(a.locator("#transfer")).to_have_attribute("data-reason", "nobody_signed_in")
                assert window.current_screen is window.in_call

                await a.locator("#transfer-agent").select_option("wang", timeout=UI_TIMEOUT_MS)
                await a.locator("#transfer-submit").click()
                await expect(a.locator("body")).to_have_attribute("data-state", "wrap_up", timeout=UI_TIMEOUT_MS)
                await expect(b.locator("body")).to_have_attribute("data-state", "ringing", timeout=UI_TIMEOUT_MS)
                await until(lambda: window.waiting.passed_on, "connecting you to a specialist")
                window.grab().save(str(tmp_path / "kiosk-passed-on.png"))
                shown_before = window.in_call.agent_video.frames_shown

                await answer_the_ring(b)
                await expect(b.locator("#transfer-from")).to_have_text("Passed on by Chen Li")
                await until(lambda: window.current_screen is window.in_call, "the call screen with agent B")
                await until(
                    lambda: window.in_call.agent_video.frames_shown >= shown_before + 5, "agent B's video on the kiosk"
                )
                assert "Wang Fang" in window.in_call.agent_label.text()
                assert flow.session is not None and flow.session.call_id == call_id  # the same call
                await expect(b.locator("#remote-video")).to_have_attribute(
                    "data-frames", re.compile(r"^[1-9][0-9]*$"), timeout=UI_TIMEOUT_MS
                )  # B decodes the kiosk too
                await b.screenshot(path=str(tmp_path / "console-b.png"))
                await a.locator("#ready").click()
                await expect(a.locator("body")).to_have_attribute("data-state", "available", timeout=UI_TIMEOUT_MS)

                await hang_up_with_disposition(b)
                await until(lambda: window.current_screen is window.rating, "the rating screen")

        qt_loop.run_until_complete(scenario())


def test_agent_a_consults_b_browser_to_browser_while_the_passenger_waits_then_hands_over(
    qtbot, qt_loop, mosquitto: Mosquitto, tmp_path: Path, chromium_executable: str
):
    with central_running(mosquitto, tmp_path / "central", agents=AGENTS, wrap_up_s=5) as central:

        async def scenario() -> None:
            async with (
                RunningKiosk(mosquitto.url, "kiosk-t1-b-02", tmp_path / "kiosk") as kiosk,
                chromium(chromium_executable) as browser,
            ):
                window = kiosk.window
                a = await agent_a_answers(qtbot, kiosk, browser, central.base_url)
                b = await console_of(browser, central.base_url, "wang")

                await a.locator("#transfer-agent").select_option("wang", timeout=UI_TIMEOUT_MS)
                await a.locator("#consult-start").click()
                await expect(b.locator("body")).to_have_attribute("data-state", "consulting", timeout=UI_TIMEOUT_MS)
                await until(lambda: window.waiting.held, "the passenger's hold message")
                assert window.call_active
                window.grab().save(str(tmp_path / "kiosk-held.png"))
                await expect(b.locator("#consult-title")).to_have_text("Chen Li asks you about their call")
                frames = re.compile(r"^[1-9][0-9]*$")
                await expect(a.locator("#consult-video")).to_have_attribute(
                    "data-frames", frames, timeout=UI_TIMEOUT_MS
                )
                await expect(b.locator("#consult-video")).to_have_attribute(
                    "data-frames", frames, timeout=UI_TIMEOUT_MS
                )
                await a.screenshot(path=str(tmp_path / "console-a-consulting.png"))

                shown_before = window.in_call.agent_video.frames_shown
                await a.locator("#consult-hand-over").click()
                await expect(b.locator("body")).to_have_attribute("data-state", "on_call", timeout=UI_TIMEOUT_MS)
                await expect(a.locator("body")).to_have_attribute("data-state", "wrap_up", timeout=UI_TIMEOUT_MS)
                await until(lambda: window.current_screen is window.in_call, "the call screen with agent B")
                await until(
                    lambda: window.in_call.agent_video.frames_shown >= shown_before + 5, "agent B's video on the kiosk"
                )
                assert "Wang Fang" in window.in_call.agent_label.text()
                await expect(b.locator("#transfer-from")).to_have_text("Passed on by Chen Li")
                await hang_up_with_disposition(b)
                await until(lambda: window.current_screen is window.rating, "the rating screen")

        qt_loop.run_until_complete(scenario())
