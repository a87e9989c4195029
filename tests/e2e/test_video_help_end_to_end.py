"""Video help through every tier: a real Mosquitto, the real ``central`` process, the real kiosk app
(offscreen, in this process, tapped as a passenger with pytest-qt) and headless Chromium signed in as an
agent with fake camera and microphone.

The passenger taps Video help, the console rings, the agent accepts; both sides decode video; the agent
pushes a QR code and the kiosk shows it; the agent hangs up and records the disposition; the passenger
rates; the wallboard shows one answered call with that rating. With two kiosks and one agent, the second
waits at position 1 and is connected when the first call ends.
"""

from __future__ import annotations

import re
from contextlib import AsyncExitStack
from pathlib import Path

import pytest
from playwright.async_api import Page, expect
from PySide6.QtCore import Qt

from tests.peers.central import central_running
from tests.peers.chromium import chromium
from tests.peers.console import sign_in_on_the_page
from tests.peers.mosquitto import Mosquitto
from tests.peers.running_kiosk import RunningKiosk
from tests.peers.staff import sign_in_browser
from tests.peers.wait import until

pytestmark = pytest.mark.slow

UI_TIMEOUT_MS = 20_000
AGENTS = (("chen", "Chen Li", "zh,en,sign"),)


def tap(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


async def ask_for_help(qtbot, kiosk: RunningKiosk) -> None:
    window = kiosk.window
    tap(qtbot, window.home.video_tile)
    assert window.current_screen is window.call_choice
    await until(lambda: window.call_choice.tiles["lang_zh"].isVisible(), "the Mandarin choice")
    tap(qtbot, window.call_choice.tiles["lang_zh"])


async def agent_console(browser, base_url: str) -> Page:
    page = await browser.new_page(viewport={"width": 1600, "height": 900})
    await page.goto(f"{base_url}/agent?lang=en")
    await sign_in_on_the_page(page)
    await page.locator("#presence").click()
    await expect(page.locator("body")).to_have_attribute("data-state", "available", timeout=UI_TIMEOUT_MS)
    return page


async def answer_the_ring(page: Page) -> None:
    await expect(page.locator("body")).to_have_attribute("data-state", "ringing", timeout=UI_TIMEOUT_MS)
    await page.locator("#accept").click()
    await expect(page.locator("body")).to_have_attribute("data-state", "on_call", timeout=UI_TIMEOUT_MS)


async def hang_up_with_disposition(page: Page) -> None:
    await page.locator("#hangup").click()
    await expect(page.locator("body")).to_have_attribute("data-state", "wrap_up", timeout=UI_TIMEOUT_MS)
    await page.locator('#disposition-form input[name="resolved"][value="yes"]').check()
    await page.locator("#category").select_option("flight_info")
    await page.locator("#disposition-submit").click()
    await expect(page.locator("#wrapup")).to_have_attribute("data-saved", "true", timeout=UI_TIMEOUT_MS)
    await page.locator("#ready").click()


def test_a_passenger_calls_talks_gets_a_qr_code_rates_and_the_wallboard_counts_it(
    qtbot, qt_loop, mosquitto: Mosquitto, tmp_path: Path, chromium_executable: str
):
    with central_running(mosquitto, tmp_path / "central", agents=AGENTS) as central:

        async def scenario() -> None:
            async with (
                RunningKiosk(mosquitto.url, "kiosk-t1-b-01", tmp_path / "kiosk") as kiosk,
                chromium(chromium_executable) as browser,
            ):
                window = kiosk.window
                page = await agent_console(browser, central.base_url)
                await ask_for_help(qtbot, kiosk)
                await expect(page.locator("#ring-location")).to_have_text("T1 Hall B (kiosk-t1-b-01)")
                await answer_the_ring(page)

                await until(lambda: window.current_screen is window.in_call, "the kiosk's call screen")
                await until(lambda: window.in_call.agent_video.frames_shown >= 5, "the agent's video on the kiosk")
                await expect(page.locator("#remote-video")).to_have_attribute(
                    "data-frames", re.compile(r"^[1-9][0-9]*$"), timeout=UI_TIMEOUT_MS
                )  # framesDecoded from getStats
                assert "Chen Li" in window.in_call.agent_label.text()

                await expect(page.locator("#pushes")).to_have_attribute("data-channel", "open", timeout=UI_TIMEOUT_MS)
                await page.locator('.tab[data-tab="qr"]').click()
                await page.locator("#push-qr-url").fill("https://hak.example/map/gate-12")
                await page.locator("#push-qr-text").fill("Map to gate 12")
                await page.locator("#push-qr button[type=submit]").click()
                await until(lambda: len(window.in_call.push_cards) == 1, "the QR code on the kiosk")
                card = window.in_call.push_cards[0]
                assert not card.image.pixmap().isNull()
                assert "https://hak.example/map/gate-12" in card.body.text()
                window.grab().save(str(tmp_path / "kiosk-in-call.png"))

                await hang_up_with_disposition(page)
                await until(lambda: window.current_screen is window.rating, "the rating screen")
                tap(qtbot, window.rating.star_buttons[3])
                tap(qtbot, window.rating.no)
                tap(qtbot, window.rating.done)
                assert window.current_screen is window.thanks
                flow = kiosk.app.flow
                assert flow is not None
                assert flow.session is None, "the rated call is still held: the next tap would not start a new one"

                wall = await browser.new_page(viewport={"width": 1600, "height": 900})
                await sign_in_browser(wall, central.base_url)
                await wall.goto(f"{central.base_url}/wallboard?lang=en")
                await expect(wall.locator('[data-kpi="answered"]')).to_have_text("1", timeout=UI_TIMEOUT_MS)
                await expect(wall.locator('[data-kpi="rating"]')).to_have_text("4.0 ★", timeout=UI_TIMEOUT_MS)
                await expect(wall.locator('[data-kpi="fcr"]')).to_have_text("100 %")
                await wall.screenshot(path=str(tmp_path / "wallboard.png"))

        qt_loop.run_until_complete(scenario())


def test_two_kiosks_one_agent_the_second_waits_first_in_line_and_is_answered_next(
    qtbot, qt_loop, mosquitto: Mosquitto, tmp_path: Path, chromium_executable: str
):
    with central_running(mosquitto, tmp_path / "central", agents=AGENTS, wrap_up_s=1) as central:

        async def scenario() -> None:
            async with AsyncExitStack() as stack:
                first = await stack.enter_async_context(RunningKiosk(mosquitto.url, "kiosk-a", tmp_path / "a"))
                second = await stack.enter_async_context(RunningKiosk(mosquitto.url, "kiosk-b", tmp_path / "b"))
                browser = await stack.enter_async_context(chromium(chromium_executable))
                page = await agent_console(browser, central.base_url)

                await ask_for_help(qtbot, first)
                await answer_the_ring(page)
                await until(lambda: first.window.current_screen is first.window.in_call, "the first call")

                await ask_for_help(qtbot, second)
                waiting = second.window.waiting
                await until(lambda: waiting.position.text() == "下一位就是您", "the second kiosk first in line")
                assert second.window.current_screen is waiting

                await until(lambda: first.window.in_call.agent_video.frames_shown >= 1, "the first call's video")
                await hang_up_with_disposition(page)
                await until(lambda: first.window.current_screen is first.window.rating, "the first rating")

                await answer_the_ring(page)
                await until(lambda: second.window.current_screen is second.window.in_call, "the second call")
                await until(lambda: second.window.in_call.agent_video.frames_shown >= 1, "the second call's video")
                await hang_up_with_disposition(page)
                await until(lambda: second.window.current_screen is second.window.rating, "the second rating")

        qt_loop.run_until_complete(scenario())
