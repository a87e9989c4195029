"""Supervisors see demand on the wallboard: after a burst of scans of one info point, the wallboard shows
a band naming the point with its count, in the language of the page; the counts API agrees."""

from __future__ import annotations

import urllib.request
from pathlib import Path

import pytest

from tests.peers.central import central_running
from tests.peers.chromium import headless_chromium
from tests.peers.mosquitto import Mosquitto
from tests.peers.staff import fetch_json, sign_in_browser_sync, staff_cookie

POINT = "T1-GATE-7"
UI_TIMEOUT_MS = 15_000


@pytest.mark.slow
def test_a_burst_of_scans_shows_on_the_wallboard_and_in_the_counts(
    mosquitto: Mosquitto, tmp_path: Path, chromium_executable: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in {"WINDOW_S": "120", "BASELINE_S": "600", "MIN_COUNT": "5", "CHECK_S": "0.2"}.items():
        monkeypatch.setenv(f"CENTRAL_DEMAND__{key}", value)
    with central_running(mosquitto, tmp_path / "central") as central, headless_chromium(chromium_executable) as browser:
        for _ in range(8):
            with urllib.request.urlopen(f"{central.base_url}/p/{POINT}?s=q", timeout=10) as response:
                assert response.status == 200
        stats = fetch_json(f"{central.base_url}/api/points/stats", staff_cookie(central.base_url))
        assert stats["points"][POINT] == {"views": 8, "scans": 8}

        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        page.set_default_timeout(UI_TIMEOUT_MS)
        sign_in_browser_sync(page, central.base_url)
        page.goto(f"{central.base_url}/wallboard?lang=en")
        item = page.locator(f"li[data-demand-topic='point:{POINT}']")
        item.wait_for()
        assert page.locator("#demand").is_visible()
        assert (item.text_content() or "").startswith("Info point Gate 78 in 2 min")
        page.screenshot(path=str(tmp_path / "wallboard-demand-en.png"))
        page.click("#lang-switch")
        page.wait_for_function(
            f"document.querySelector(\"li[data-demand-topic='point:{POINT}']\").textContent.startsWith('信息点')"
        )
        assert page.locator("#demand-title").text_content() == "大量旅客正在咨询"
        page.screenshot(path=str(tmp_path / "wallboard-demand-zh.png"))
