"""A passenger's phone opens an info point's page from its QR in Chromium with a phone's viewport: the page
speaks the phone's language, switches to the other, finds a flight on the live boards and follows it to
its live page. Screenshots of each step are kept in the test's folder."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest

from tests.peers.central import central_running
from tests.peers.chromium import headless_chromium
from tests.peers.mosquitto import Mosquitto

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
UI_TIMEOUT_MS = 15_000


def first_departure(base_url: str) -> dict[str, str]:
    with urllib.request.urlopen(f"{base_url}/api/flights?direction=dep", timeout=10) as response:
        board = json.load(response)
    assert board["flights"], "the simulated day has departures"
    return board["flights"][0]


@pytest.mark.slow
def test_a_phone_reads_its_point_switches_language_and_follows_a_flight(
    mosquitto: Mosquitto, tmp_path: Path, chromium_executable: str
) -> None:
    with central_running(mosquitto, tmp_path / "central") as central, headless_chromium(chromium_executable) as browser:
        flight = first_departure(central.base_url)
        context = browser.new_context(locale="zh-CN", **PHONE)
        page = context.new_page()
        page.set_default_timeout(UI_TIMEOUT_MS)
        page.goto(f"{central.base_url}/p/T1-GATE-1?s=q")
        page.wait_for_selector("#sheet[data-state='shown']")
        assert page.locator("h1").text_content() == "1号登机口"
        assert page.locator("#help").text_content() == "☎视频咨询"
        assert page.locator("#help").get_attribute("href") == "/p/T1-GATE-1/call?lang=zh-CN"
        assert "s=q" not in page.url  # a reload is a view, not a second scan
        page.screenshot(path=str(tmp_path / "point-zh.png"), full_page=True)

        page.click("#lang-switch")
        page.wait_for_selector("html[lang='en']")
        assert page.locator("h1").text_content() == "Gate 1"
        assert page.locator("#where").text_content() == "Terminal T1 · Gates 1–6 · Floor 2"
        assert page.locator("#services li").all_text_contents() == ["Baby care room", "Phone charging", "Coffee"]

        page.fill("#query", flight["number"])
        page.click("#search-button")
        result = page.locator(f"#flights a[href^='/flight/{flight['id']}']")
        result.wait_for()
        assert flight["number"] in (result.text_content() or "")
        page.screenshot(path=str(tmp_path / "point-en-search.png"), full_page=True)

        result.click()
        page.wait_for_url(f"**/flight/{flight['id']}?lang=en")
        page.wait_for_selector("#card[data-state='shown']")
        assert page.locator("#number").text_content() == flight["number"]
        page.screenshot(path=str(tmp_path / "flight-en.png"), full_page=True)

        # the smallest phones in use: nothing wider than the screen in either language
        small = browser.new_context(locale="en-GB", **{**PHONE, "viewport": {"width": 320, "height": 640}})
        narrow = small.new_page()
        for language in ("en", "zh-CN"):
            narrow.goto(f"{central.base_url}/p/T2-TRANSFER?lang={language}")
            narrow.wait_for_selector("#sheet[data-state='shown']")
            assert narrow.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), language
            narrow.screenshot(path=str(tmp_path / f"point-320-{language}.png"), full_page=True)
        small.close()

        page.goto(f"{central.base_url}/p/no-such-point")
        assert "Info point not found" in page.content()
        page.screenshot(path=str(tmp_path / "point-missing.png"), full_page=True)
        context.close()
