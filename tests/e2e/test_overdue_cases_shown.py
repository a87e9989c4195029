"""An overdue case against the real central, seen in headless Chromium: the case desk marks it and counts
it, the wallboard shows its band, the alert book holds one ``case_overdue`` alert; resolving the case
clears that alert once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.peers.central import PASSWORD, central_env
from tests.peers.chromium import headless_chromium
from tests.peers.programs import running
from tests.peers.staff import add_staff, sign_in_browser_sync, written_accounts

pytestmark = pytest.mark.slow

QUICK_CATEGORY = """
[[cases.categories]]
id = "quick"
department = "baggage"
limit_h = 0.0005
en = "Quick check"
zh = "快速核查"
"""


def test_an_overdue_case_is_shown_and_its_alert_raised_and_cleared_once(mosquitto, tmp_path, chromium_executable):
    state_dir = tmp_path / "central"
    env = {**central_env(mosquitto, state_dir), "CENTRAL_CASES__CHECK_S": "0.2"}
    config = tmp_path / "central.toml"
    config.write_text(QUICK_CATEGORY, encoding="utf-8")
    add_staff(state_dir)
    with written_accounts(state_dir) as accounts:
        accounts.add("chen", "Chen Li", ["zh"], PASSWORD, department="baggage")
    folder = Path(os.environ.get("CASE_SCREENSHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    with (
        running("central", env, ["--config", str(config)]) as program,
        headless_chromium(chromium_executable) as browser,
    ):
        line = program.wait_for_line("central: agent console at ")
        base_url = line.split(" at ", 1)[1].strip().removesuffix("/agent")
        agent = browser.new_context()
        answer = agent.request.post(f"{base_url}/api/agent/login", data={"agent_id": "chen", "password": PASSWORD})
        assert answer.ok
        opened = agent.request.post(f"{base_url}/api/cases", data={"category": "quick", "summary": "Gate pass"})
        assert opened.status == 201, opened.text()
        number = opened.json()["number"]

        page = browser.new_page(viewport={"width": 1400, "height": 900})
        sign_in_browser_sync(page, base_url)
        page.goto(f"{base_url}/cases?lang=zh-CN")
        card = page.locator(f'article[data-case="{number}"]')
        expect(card).to_have_attribute("data-overdue", "true", timeout=15_000)
        expect(page.locator("#overdue-banner")).to_have_text("1 单超时")
        page.screenshot(path=str(folder / "desk-overdue-zh.png"))

        page.goto(f"{base_url}/wallboard")
        band = page.locator("#cases-overdue")
        expect(band).to_be_visible()
        expect(band).to_have_attribute("data-count", "1")
        page.screenshot(path=str(folder / "wallboard-overdue-en.png"))

        alert_id = f"case_overdue:{number}"
        listing = page.request.get(f"{base_url}/api/alerts").json()
        assert [alert["id"] for alert in listing["active"]] == [alert_id]
        assert listing["active"][0]["kind"] == "case_overdue"

        resolved = agent.request.post(f"{base_url}/api/cases/{number}/status", data={"status": "resolved"})
        assert resolved.ok, resolved.text()
        listing = page.request.get(f"{base_url}/api/alerts").json()
        assert listing["active"] == []
        assert [alert["id"] for alert in listing["cleared"]] == [alert_id]
        page.goto(f"{base_url}/cases")
        expect(page.locator(f'article[data-case="{number}"]')).to_have_attribute("data-overdue", "false")
        expect(page.locator("#overdue-banner")).to_be_hidden()
        # the watch keeps looking: nothing is raised or cleared again
        assert "case_overdue" not in str(page.request.get(f"{base_url}/api/alerts").json()["active"])
        log = program.all_stderr
        assert log.count(f"alert {alert_id} raised") == 1 and log.count(f"alert {alert_id} cleared") == 1
