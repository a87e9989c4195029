"""Video help from a phone through every tier: a real Mosquitto, the real ``central`` process, headless
Chromium as the passenger's phone (a mobile viewport, fake camera and microphone) and, in a second browser
context, as the agent.

The phone calls from an info point, the console rings with "on a phone" and the point, both decode video,
the agent's note and link arrive on the phone (the link as a link), the agent hangs up, the phone rates,
and the wallboard counts the answered call and its rating. Continue on your phone: the real kiosk program
waiting at position 2 shows the QR; the phone that opens its link is at position 2 (still after a reload
of the page) and the kiosk goes home; the used link gets a friendly page. The first in line is another
phone, at an info point.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page, expect

from tests.e2e.test_video_help_end_to_end import agent_console, answer_the_ring, hang_up_with_disposition
from tests.peers.central import central_running
from tests.peers.chromium import chromium
from tests.peers.mosquitto import Mosquitto
from tests.peers.running_kiosk import RunningKiosk
from tests.peers.staff import sign_in_browser
from tests.peers.wait import until

pytestmark = pytest.mark.slow

UI_TIMEOUT_MS = 20_000
AGENTS = (("chen", "Chen Li", "zh,en"),)
PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "permissions": ["camera", "microphone"],
}
POSITIVE = re.compile(r"^[1-9][0-9]*$")


async def phone_page(browser: Browser) -> Page:
    context = await browser.new_context(**PHONE)
    return await context.new_page()


def test_a_phone_calls_from_an_info_point_talks_gets_pushes_rates_and_the_wallboard_counts_it(
    qt_loop, mosquitto: Mosquitto, tmp_path: Path, chromium_executable: str
):
    with central_running(mosquitto, tmp_path / "central", agents=AGENTS) as central:

        async def scenario() -> None:
            async with chromium(chromium_executable) as browser:
                agent = await agent_console(browser, central.base_url)
                phone = await phone_page(browser)
                await phone.goto(f"{central.base_url}/p/T1-B12/call?lang=en")
                await expect(phone.locator("#where")).to_have_text("Info point T1-B12")
                await phone.screenshot(path=str(tmp_path / "phone-start-en.png"))
                await phone.locator("#lang-switch").click()
                await phone.screenshot(path=str(tmp_path / "phone-start-zh.png"))
                await phone.locator("#lang-switch").click()
                await phone.locator('[data-call="en"]').click()
                await expect(agent.locator("#ring-location")).to_have_text(
                    "On a phone · Info point T1-B12", timeout=UI_TIMEOUT_MS
                )
                await expect(phone.locator("body")).to_have_attribute("data-state", "waiting")
                await answer_the_ring(agent)

                await expect(phone.locator("body")).to_have_attribute("data-state", "call", timeout=UI_TIMEOUT_MS)
                await expect(phone.locator("body")).to_have_attribute("data-frames", POSITIVE, timeout=UI_TIMEOUT_MS)
                await expect(agent.locator("#remote-video")).to_have_attribute(
                    "data-frames", POSITIVE, timeout=UI_TIMEOUT_MS
                )  # framesDecoded from getStats, on both sides
                assert await phone.evaluate("document.getElementById('remote').videoWidth") > 0
                assert await agent.evaluate("document.getElementById('remote-video').videoWidth") > 0

                await expect(agent.locator("#pushes")).to_have_attribute("data-channel", "open", timeout=UI_TIMEOUT_MS)
                await agent.locator("#push-text-body").fill("Gate 12 <b>is</b> upstairs")
                await agent.locator("#push-text button[type=submit]").click()
                await agent.locator('.tab[data-tab="qr"]').click()
                await agent.locator("#push-qr-url").fill("https://hak.example/map/gate-12")
                await agent.locator("#push-qr-text").fill("Map to gate 12")
                await agent.locator("#push-qr button[type=submit]").click()
                await expect(phone.locator("#pushes li")).to_have_count(2, timeout=UI_TIMEOUT_MS)
                await expect(phone.locator("#pushes li.push-text p")).to_have_text("Gate 12 <b>is</b> upstairs")
                link = phone.locator("#pushes a.push-link")
                await expect(link).to_have_attribute("href", "https://hak.example/map/gate-12")
                await expect(link).to_have_attribute("rel", "noopener noreferrer nofollow")
                await phone.screenshot(path=str(tmp_path / "phone-in-call-en.png"))
                await expect(agent.locator('#context [data-field="device"]')).to_have_text("On a phone")
                await expect(agent.locator('#context [data-field="location"]')).to_have_text("Info point T1-B12")
                wall = await browser.new_page(viewport={"width": 1600, "height": 900})
                await sign_in_browser(wall, central.base_url)
                await wall.goto(f"{central.base_url}/wallboard?lang=en")
                await expect(
                    wall.locator('[data-column="on_call"] li[data-caller-kind="phone"] .agent-caller')
                ).to_have_text("Phone · Info point T1-B12", timeout=UI_TIMEOUT_MS)
                await wall.screenshot(path=str(tmp_path / "wallboard-phone-call-en.png"))
                await phone.locator("#lang-switch").click()
                await expect(phone.locator("#hangup")).to_have_text("挂断")
                await phone.screenshot(path=str(tmp_path / "phone-in-call-zh.png"))

                await hang_up_with_disposition(agent)
                await expect(phone.locator("body")).to_have_attribute("data-state", "rating", timeout=UI_TIMEOUT_MS)
                await expect(phone.locator("#rate")).to_be_disabled()
                await phone.locator('.star[data-stars="4"]').click()
                await phone.locator('[data-answered="yes"]').click()
                await phone.screenshot(path=str(tmp_path / "phone-rating-zh.png"))
                await phone.locator("#rate").click()
                await expect(phone.locator("body")).to_have_attribute("data-state", "over", timeout=UI_TIMEOUT_MS)
                await expect(phone.locator("#over-title")).to_have_text("谢谢")

                await expect(wall.locator('[data-kpi="answered"]')).to_have_text("1", timeout=UI_TIMEOUT_MS)
                await expect(wall.locator('[data-kpi="rating"]')).to_have_text("4.0 ★", timeout=UI_TIMEOUT_MS)
                snapshot = await central.wallboard()
                assert (snapshot["today"]["answered"], snapshot["today"]["ratings"]) == (1, 1)
                assert snapshot["today"]["question_answered"] == 1.0
                await phone.context.close()

        qt_loop.run_until_complete(scenario())


def test_a_kiosk_waiting_second_hands_its_call_to_a_phone_which_keeps_the_place(
    qt_loop, mosquitto: Mosquitto, tmp_path: Path, chromium_executable: str
):
    with central_running(mosquitto, tmp_path / "central", agents=AGENTS) as central:

        async def scenario() -> None:
            async with (
                RunningKiosk(
                    mosquitto.url,
                    "kiosk-t1-b-02",
                    tmp_path / "kiosk",
                    location="T1 Hall B, gate 14",
                    language="en",
                    central_url=central.base_url,
                ) as kiosk,
                chromium(chromium_executable) as browser,
            ):
                first = await phone_page(browser)  # first in line: a passenger at an info point
                await first.goto(f"{central.base_url}/p/T2-A3/call?lang=en")
                await first.locator('[data-call="en"]').click()
                await expect(first.locator("#position")).to_have_text("You are next", timeout=UI_TIMEOUT_MS)
                window = kiosk.window
                flow = kiosk.app.flow
                assert flow is not None
                # Nobody is staffed, so the choice screen offers no language to tap (tested on its own):
                # the flow is started as the tile would start it.
                window.show_screen(window.call_choice)
                flow.start("en", [])
                await until(lambda: window.waiting.position.text() == "You are number 2 in the queue", "place 2")
                await until(lambda: window.waiting.handover_url is not None, "the phone QR")
                url = window.waiting.handover_url
                assert url is not None and url.startswith(f"{central.base_url}/h/")
                assert window.waiting.phone_box.isVisible()
                window.grab().save(str(tmp_path / "kiosk-waiting-continue-on-phone-en.png"))

                phone = await phone_page(browser)
                await phone.goto(f"{url}?lang=zh-CN")
                await expect(phone.locator("body")).to_have_attribute("data-state", "waiting", timeout=UI_TIMEOUT_MS)
                place = phone.locator("#position")
                await expect(place).to_have_text("您在队列中的位置：第 2 位", timeout=UI_TIMEOUT_MS)
                await phone.screenshot(path=str(tmp_path / "phone-waiting-zh.png"))
                await phone.reload()  # the socket goes away and a new one comes back to the same call
                await expect(phone.locator("body")).to_have_attribute("data-socket", "open", timeout=UI_TIMEOUT_MS)
                await expect(place).to_have_text("您在队列中的位置：第 2 位", timeout=UI_TIMEOUT_MS)
                await until(lambda: window.current_screen is window.home, "the kiosk back home")
                assert not window.call_active
                wall = await central.wallboard()
                # both in line are on phones now
                assert wall["phones_waiting"] == 2 and wall["skills"]["en"]["waiting"] == 2

                again = await phone_page(browser)
                await again.goto(url)
                await expect(again.locator("#start-note")).to_have_text(
                    "This link has been used or has expired. You can call from here instead.", timeout=UI_TIMEOUT_MS
                )
                await again.screenshot(path=str(tmp_path / "phone-link-used-en.png"))
                await again.context.close()
                await phone.context.close()
                await expect(first.locator("#position")).to_have_text("You are next")
                await first.context.close()

        qt_loop.run_until_complete(scenario())
