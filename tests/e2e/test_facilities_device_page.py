"""The facilities console in Chromium against the real ``central`` and a real kiosk: the fleet table
filters and links to the device's page, which shows its health, a history chart, a command's reply as it
comes, and the screenshot the kiosk uploaded."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.peers.central import central_env, kiosk_env
from tests.peers.chromium import headless_chromium
from tests.peers.printer import printer_emulator
from tests.peers.programs import running
from tests.peers.staff import add_staff, sign_in_browser_sync

pytestmark = pytest.mark.slow

KIOSK = "kiosk-t2-a-11"
SCREENSHOTS = "facilities-device"


def test_the_device_page_shows_a_reply_a_history_chart_and_the_screenshot(mosquitto, tmp_path, chromium_executable):
    add_staff(tmp_path / "central")
    other = kiosk_env(mosquitto, tmp_path / "other", "kiosk-t1-b-02", KIOSK_BUS__LOCATION="T1 Hall B")
    with (
        printer_emulator(tmp_path / "emulator") as emulator,
        running("central", central_env(mosquitto, tmp_path / "central")) as central,
        running("kiosk", kiosk_settings(mosquitto, tmp_path, emulator)),
        running("kiosk", other),
    ):
        url = central.wait_for_line("facilities page at").split(" at ", 1)[1].strip()
        base_url = url.removesuffix("/facilities")
        with headless_chromium(chromium_executable) as browser:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            sign_in_browser_sync(page, base_url)
            page.goto(url)
            row = page.locator(f'tr[data-device="{KIOSK}"]')
            other_row = page.locator('tr[data-device="kiosk-t1-b-02"]')
            expect(row).to_have_attribute("data-online", "true", timeout=20_000)
            expect(other_row).to_have_attribute("data-online", "true", timeout=20_000)
            page.select_option("#filter-terminal", "T2")
            expect(other_row).to_be_hidden()
            expect(row).to_be_visible()
            page.select_option("#filter-terminal", "")
            page.fill("#filter-search", "hall b")
            expect(row).to_be_hidden()
            expect(other_row).to_be_visible()
            page.fill("#filter-search", "")
            page.screenshot(path=str(tmp_path / f"{SCREENSHOTS}-fleet.png"))

            row.locator("th a").click()
            expect(page).to_have_url(f"{base_url}/facilities/device?id={KIOSK}&lang=en")
            expect(page.locator("#top")).to_have_attribute("data-live", "live", timeout=10_000)
            expect(page.locator("#figures")).to_contain_text("T2 Hall A, gate 31")

            page.click('#command-buttons button[data-command="screenshot"]')
            reply = page.locator('#command-list li[data-name="screenshot"]').first
            expect(reply).to_have_attribute("data-state", "done", timeout=20_000)
            expect(reply).to_contain_text("screenshot 600x900 uploaded")
            expect(page.locator("#screenshot")).to_be_visible(timeout=10_000)
            page.wait_for_function("document.getElementById('screenshot').naturalWidth === 600")

            page.click('#command-buttons button[data-command="print_test"]')
            printed = page.locator('#command-list li[data-name="print_test"]').first
            expect(printed).to_have_attribute("data-state", "done", timeout=30_000)
            expect(printed).to_contain_text("test page printed")
            expect(page.locator("#event-list li").first).to_contain_text("print.done", timeout=10_000)

            page.fill("#notice-form input[name=zh]", "三十一号登机口改至三十五号")
            page.fill("#notice-form input[name=en]", "Gate 31 moved to gate 35")
            page.fill("#notice-form input[name=minutes]", "10")
            page.click('#notice-form button[type="submit"]')
            notice = page.locator('#command-list li[data-name="show_notice"]').first
            expect(notice).to_have_attribute("data-state", "done", timeout=20_000)
            expect(notice).to_contain_text("notice shown for 10 min")

            # a history point exists as soon as the first health report of this minute came in (two when the
            # test has run across a minute's turn)
            page.reload()
            chart = page.locator('[data-chart="cpu_percent"] svg')
            expect(chart).to_have_attribute("data-points", re.compile(r"^[12]$"), timeout=10_000)
            expect(chart.locator("circle, path.line")).not_to_have_count(0)
            page.click('#command-buttons button[data-command="screenshot"]')
            shots = page.locator('#command-list li[data-name="screenshot"]')
            expect(shots).to_have_count(2)  # the new one on top, then the first
            expect(shots.first).to_have_attribute("data-state", "done", timeout=20_000)
            newest = shots.first.get_attribute("data-command")
            assert newest
            # the upload event brings the new picture: its file name carries the command's id
            expect(page.locator("#screenshot")).to_have_attribute("src", re.compile(re.escape(newest)))
            page.screenshot(path=str(tmp_path / f"{SCREENSHOTS}-en.png"), full_page=True)
            page.click("#lang-switch")
            expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
            expect(page.locator("#commands-panel h2")).to_have_text("指令")
            page.screenshot(path=str(tmp_path / f"{SCREENSHOTS}-zh.png"), full_page=True)
    print(f"screenshots in {tmp_path}")


def kiosk_settings(mosquitto, tmp_path, emulator) -> dict[str, str]:
    return kiosk_env(
        mosquitto,
        tmp_path / "kiosk",
        KIOSK,
        KIOSK_BUS__LOCATION="T2 Hall A, gate 31",
        KIOSK_HEALTH__INTERVAL_S="1",
        KIOSK_UI__WIDTH="600",
        KIOSK_UI__HEIGHT="900",
        KIOSK_PRINTER__ENABLED="true",
        KIOSK_PRINTER__PORT=str(emulator.link),
        KIOSK_PRINTER__BAUD=str(emulator.baud),
    )
