"""A passenger leaves a complaint on an info point's phone page in Chromium: the form shows in Chinese and
English, hostile text is kept as text, the answer gives the case's number and links to its page, and that
page never shows the phone number. Screenshots of each step are kept in the test's folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.peers.central import central_running
from tests.peers.chromium import headless_chromium
from tests.peers.mosquitto import Mosquitto

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
UI_TIMEOUT_MS = 15_000
HOSTILE = "<img src=x onerror=\"document.title='owned'\">排队太久"


@pytest.mark.slow
def test_a_phone_leaves_a_complaint_and_follows_its_case(
    mosquitto: Mosquitto, tmp_path: Path, chromium_executable: str
) -> None:
    with central_running(mosquitto, tmp_path / "central") as central, headless_chromium(chromium_executable) as browser:
        context = browser.new_context(locale="zh-CN", **PHONE)
        page = context.new_page()
        page.set_default_timeout(UI_TIMEOUT_MS)
        page.goto(f"{central.base_url}/p/T1-GATE-1")
        page.wait_for_selector("#feedback-category option[value='complaint']", state="attached")
        assert page.locator("#feedback-title").text_content() == "建议或投诉"
        page.select_option("#feedback-category", "complaint")
        page.fill("#feedback-text", HOSTILE)
        page.fill("#feedback-contact", "12")
        page.click("#feedback-send")
        page.wait_for_selector("#feedback[data-state='refused']")
        assert "6 到 15 位" in (page.locator("#feedback-result").text_content() or "")
        page.locator("#feedback").screenshot(path=str(tmp_path / "feedback-refused-zh.png"))

        page.fill("#feedback-contact", "138 0013 8000")
        page.click("#feedback-send")
        page.wait_for_selector("#feedback[data-state='sent']")
        assert "服务单号" in (page.locator("#feedback-result").text_content() or "")
        page.screenshot(path=str(tmp_path / "feedback-sent-zh.png"), full_page=True)

        page.click("#lang-switch")
        page.wait_for_selector("#feedback-title:text('Suggestion or complaint')")
        assert page.locator("#feedback-result a").text_content() == "Follow your case"
        page.screenshot(path=str(tmp_path / "feedback-sent-en.png"), full_page=True)

        page.click("#feedback-result a")
        page.wait_for_url("**/c/**")
        page.wait_for_load_state("networkidle")
        content = page.content()
        assert "13800138000" not in content and "138 0013 8000" not in content
        assert page.title() != "owned"
        page.screenshot(path=str(tmp_path / "case-page-en.png"), full_page=True)
        context.close()
