"""A follow-up case from a call, through every tier: a real Mosquitto, the real ``central`` process, the real
kiosk app (offscreen, in this process) and headless Chromium for the agent, the passenger's phone (a second
browser context, not signed in), the department's staff and the supervisor.

During the call the agent opens a case from the console in one step (the summary filled in from the call);
the kiosk shows the case's QR (read off the screen with the project's scanner: it is the case's page) and takes a
callback number the passenger chooses to leave; the phone shows the case open; lost-and-found staff take,
resolve and close it on the case desk; the phone rates it; the reports page counts it, on time, rated.
Screenshots of each step are kept in the test's folder."""

from __future__ import annotations

import os
import re
from pathlib import Path

import cv2
import pytest
from playwright.async_api import Page, expect

from hardware.scanner.decoder import decode
from kiosk.ui.case_qr import CallbackState, CaseCard
from tests.e2e.test_video_help_end_to_end import (
    UI_TIMEOUT_MS,
    agent_console,
    answer_the_ring,
    ask_for_help,
    tap,
)
from tests.peers.central import PASSWORD, central_running
from tests.peers.chromium import chromium
from tests.peers.mosquitto import Mosquitto
from tests.peers.running_kiosk import RunningKiosk
from tests.peers.staff import sign_in_browser, written_accounts
from tests.peers.wait import until

pytestmark = pytest.mark.slow

AGENTS = (("chen", "Chen Li", "zh,en,sign"),)
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


def folder(tmp_path: Path) -> Path:
    shots = Path(os.environ.get("CASE_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    return shots


def decoded_qr(card: CaseCard, path: Path) -> str:
    """The case's QR as the project's scanner reads it off the kiosk's screen."""
    assert card.image.isVisible() and card.image.pixmap().save(str(path))
    codes = decode(cv2.imread(str(path), cv2.IMREAD_GRAYSCALE))
    assert len(codes) == 1, codes
    return codes[0].text


async def sign_in(page: Page, base_url: str, who: str) -> None:
    answer = await page.request.post(f"{base_url}/api/agent/login", data={"agent_id": who, "password": PASSWORD})
    assert answer.ok, await answer.text()


def test_an_agent_opens_a_case_in_a_call_and_it_is_followed_resolved_rated_and_counted(
    qtbot, qt_loop, mosquitto: Mosquitto, tmp_path: Path, chromium_executable: str
):
    shots = folder(tmp_path)
    with written_accounts(tmp_path / "central") as accounts:
        accounts.add("li", "Li Na", ["zh"], PASSWORD, department="lost_found")
    with central_running(mosquitto, tmp_path / "central", agents=AGENTS) as central:
        base_url = central.base_url

        async def scenario() -> None:
            async with (
                RunningKiosk(
                    mosquitto.url, "kiosk-t1-b-01", tmp_path / "kiosk", location="T1 Hall B", central_url=base_url
                ) as kiosk,
                chromium(chromium_executable) as browser,
            ):
                window = kiosk.window
                console = await agent_console(browser, base_url)
                await ask_for_help(qtbot, kiosk)
                await answer_the_ring(console)
                await until(lambda: window.current_screen is window.in_call, "the kiosk's call screen")
                await expect(console.locator("#pushes")).to_have_attribute(
                    "data-channel", "open", timeout=UI_TIMEOUT_MS
                )

                # one step in the console: the category, the summary the call filled in, Open
                panel = console.locator("#case-panel")
                await expect(panel).to_be_visible(timeout=UI_TIMEOUT_MS)
                await expect(console.locator("#case-summary")).to_have_value(
                    re.compile(r"^At T1 Hall B$", re.M), timeout=UI_TIMEOUT_MS
                )
                await console.locator("#case-category").select_option("lost_property")
                await console.locator("#case-summary").press("End")
                await console.locator("#case-summary").type("\nLeft a black umbrella at gate 5")
                await console.locator("#case-open").click()
                await expect(panel).to_have_attribute("data-pushed", "true", timeout=UI_TIMEOUT_MS)
                number = int(await panel.get_attribute("data-number") or 0)
                await console.screenshot(path=str(shots / "console-case-opened.png"))

                # the kiosk: the case's QR, and a callback number the passenger chooses to leave
                await until(lambda: any(isinstance(c, CaseCard) for c in window.in_call.push_cards), "the case card")
                card = window.in_call.push_cards[0]
                assert isinstance(card, CaseCard) and card.number == number
                url = decoded_qr(card, shots / "kiosk-case-qr.png")
                assert url.startswith(f"{base_url}/c/"), url
                window.grab().save(str(shots / "kiosk-case-card.png"))
                tap(qtbot, card.callback_button)
                for digit in "13800138000":
                    tap(qtbot, card.keypad.keys[digit])
                tap(qtbot, card.send_button)
                await until(lambda: card.callback_state is CallbackState.SENT, "the callback number at central")
                window.grab().save(str(shots / "kiosk-case-callback-sent.png"))

                # the passenger's phone: a second browser, not signed in
                phone_context = await browser.new_context(locale="zh-CN", **PHONE)
                phone = await phone_context.new_page()
                await phone.goto(url)
                await expect(phone.locator("#case-status")).to_have_attribute("data-status", "open")
                await expect(phone.locator("#case-category")).to_have_text("遗失物品")
                await expect(phone.locator("body")).not_to_contain_text("13800138000")
                await phone.screenshot(path=str(shots / "phone-case-open-zh.png"), full_page=True)

                # in wrap-up the channel is gone: a case opened then gives its number and address to read out
                await console.locator("#hangup").click()
                await expect(console.locator("body")).to_have_attribute("data-state", "wrap_up", timeout=UI_TIMEOUT_MS)
                await expect(console.locator("#wrapup #case-panel")).to_be_visible()
                await expect(console.locator("#case-summary")).to_have_value("")
                await console.locator("#case-category").select_option("other")
                await console.locator("#case-summary").fill("Wants a call about the parking refund")
                await console.locator("#case-open").click()
                await expect(panel).to_have_attribute("data-state", "opened", timeout=UI_TIMEOUT_MS)
                assert await panel.get_attribute("data-pushed") == "false"
                await expect(console.locator("#case-result")).to_contain_text(f"{base_url}/c/")
                await console.locator("#wrapup").screenshot(path=str(shots / "console-wrap-up-case.png"))
                await console.locator('#disposition-form input[name="resolved"][value="no"]').check()
                await console.locator("#category").select_option("lost_property")
                await console.locator("#disposition-submit").click()
                await expect(console.locator("#wrapup")).to_have_attribute("data-saved", "true", timeout=UI_TIMEOUT_MS)
                await console.locator("#ready").click()
                await until(lambda: window.current_screen is window.rating, "the rating screen")

                # lost and found take it, resolve it and close it on the case desk
                staff_context = await browser.new_context(viewport={"width": 1400, "height": 900})
                desk = await staff_context.new_page()
                await sign_in(desk, base_url, "li")
                await desk.goto(f"{base_url}/cases?lang=en")
                theirs = desk.locator(f'#department article[data-case="{number}"]')
                await expect(theirs).to_contain_text("black umbrella")
                await theirs.locator('[data-action="take"]').click()
                mine = desk.locator(f'#mine article[data-case="{number}"]')
                await expect(mine).to_be_visible()
                await expect(mine).to_contain_text("13800138000")  # staff see the number to call back
                await mine.locator('[data-field="note"]').fill(
                    "Found at gate 5: collect it at the lost-property office"
                )
                await mine.locator('[data-field="public"]').check()
                await mine.locator('[data-action="note"]').click()
                await expect(mine.locator(".case-timeline")).to_contain_text("lost-property office")  # re-drawn live
                await mine.locator('select[data-field="status"]').select_option("resolved")
                await mine.locator('[data-action="status"]').click()
                await expect(mine).to_have_attribute("data-status", "resolved")
                await desk.screenshot(path=str(shots / "desk-resolved-en.png"), full_page=True)
                await mine.locator('select[data-field="status"]').select_option("closed")
                await mine.locator('[data-action="status"]').click()
                await expect(mine).to_have_count(0)

                # the phone sees it closed and rates the outcome
                await phone.reload()
                await expect(phone.locator("#case-status")).to_have_attribute("data-status", "closed")
                await expect(phone.locator("#timeline")).to_contain_text("lost-property office")
                await phone.locator('input[name="resolved"][value="yes"]').check()
                await phone.locator('[data-stars="5"]').click()
                await phone.locator("#rate-send").click()
                await expect(phone.locator("#rated")).to_be_visible()
                await phone.screenshot(path=str(shots / "phone-case-rated-zh.png"), full_page=True)

                # the supervisor's reports count it: one lost-property case, closed on time, rated 5
                boss_context = await browser.new_context(viewport={"width": 1400, "height": 1000})
                reports = await boss_context.new_page()
                await sign_in_browser(reports, base_url)
                await reports.goto(f"{base_url}/reports?lang=zh-CN")
                row = reports.locator('#case-rows tr[data-category="lost_property"][data-department="lost_found"]')
                await expect(row.locator('[data-field="opened"]')).to_have_attribute(
                    "data-value", "1", timeout=UI_TIMEOUT_MS
                )
                await expect(row.locator('[data-field="finished"]')).to_have_attribute("data-value", "1")
                await expect(row.locator('[data-field="on_time_rate"]')).to_have_text("100 %")
                await expect(row.locator('[data-field="mean_rating"]')).to_have_attribute("data-value", "5")
                await expect(reports.locator("#cases-title")).to_have_text("跟进服务单")
                await reports.locator("#cases-report").screenshot(path=str(shots / "reports-cases-zh.png"))
                await reports.locator("#lang-switch").click()
                await expect(reports.locator("#cases-title")).to_have_text("Follow-up cases")
                await reports.locator("#cases-report").screenshot(path=str(shots / "reports-cases-en.png"))
                csv = await reports.request.get(
                    f"{base_url}{await reports.locator('#cases-csv').get_attribute('href')}"
                )
                assert csv.ok and "lost_property,lost_found,1,1,1,0,0,1" in await csv.text()
                for context in (phone_context, staff_context, boss_context):
                    await context.close()

        qt_loop.run_until_complete(scenario())
