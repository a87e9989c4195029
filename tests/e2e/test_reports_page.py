"""The reports page in headless Chromium, against the real central with a seeded month of call records:
the figures it shows are the records' (counted again here), its charts are drawn, it reads in Chinese,
and a reversed range says what to change."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from central.reports.sample import sample_records, write_records
from central.service import CALL_STORE_FILE
from tests.peers.central import central_running
from tests.peers.chromium import headless_chromium
from tests.peers.staff import sign_in_browser_sync

pytestmark = pytest.mark.slow

ZONE = ZoneInfo("Asia/Shanghai")  # central's default time zone
PER_DAY = 50


def offered_by(records, key) -> Counter[str]:
    counted: Counter[str] = Counter()
    for r in records:
        if r.outcome in ("answered", "failed") or (r.outcome == "abandoned" and r.wait_s >= 5.0):
            counted[key(r)] += 1
    return counted


def test_the_reports_page_shows_a_month_of_records_in_charts_and_a_table(mosquitto, tmp_path, chromium_executable):
    state_dir = tmp_path / "central"
    state_dir.mkdir()
    records = list(sample_records(date(2026, 11, 1), 30, PER_DAY, ZONE, seed=3))
    write_records(state_dir / CALL_STORE_FILE, records)
    per_day = offered_by(records, lambda r: datetime.fromtimestamp(r.arrived_at, ZONE).date().isoformat())
    per_agent = offered_by(records, lambda r: r.agent_id or "")
    with central_running(mosquitto, state_dir) as central, headless_chromium(chromium_executable) as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        sign_in_browser_sync(page, central.base_url)
        page.goto(f"{central.base_url}/reports?from=2026-11-01&to=2026-11-30&by=day&lang=en")
        expect(page.locator("#state")).to_have_attribute("data-state", "shown", timeout=15_000)
        rows = page.locator("#rows tr")
        expect(rows).to_have_count(30)
        shown = {
            row.get_attribute("data-label"): int(row.locator('[data-field="offered"]').get_attribute("data-value"))
            for row in rows.all()
        }
        assert shown == dict(per_day)
        total = page.locator('#total [data-field="offered"]')
        expect(total).to_have_attribute("data-value", str(sum(per_day.values())))
        assert page.locator("#chart-volume rect").count() >= 30  # a bar per day at least
        assert page.locator("#chart-level circle").count() == 30
        expect(page.locator("#csv")).to_have_attribute("href", "/api/reports.csv?from=2026-11-01&to=2026-11-30&by=day")
        page.screenshot(path=str(tmp_path / "reports-by-day.png"), full_page=True)

        page.select_option("#by", "agent")
        page.locator("button.show").click()
        expect(page.locator("#label-head")).to_have_text("Agent")
        expect(rows).to_have_count(len(per_agent))
        none_row = page.locator('#rows tr[data-label=""]')
        expect(none_row.locator("th")).to_have_text("(none)")  # the calls nobody answered
        expect(none_row.locator('[data-field="offered"]')).to_have_attribute("data-value", str(per_agent[""]))
        page.locator("#lang-switch").click()
        expect(page.locator("#label-head")).to_have_text("坐席")
        expect(none_row.locator("th")).to_have_text("（无）")
        page.screenshot(path=str(tmp_path / "reports-by-agent-zh.png"), full_page=True)

        page.fill("#from", "2026-11-20")
        page.fill("#to", "2026-11-10")
        page.locator("button.show").click()
        expect(page.locator("#state")).to_have_attribute("data-state", "reversed")
        expect(page.locator("#state")).to_have_text("开始日期晚于结束日期，请调换。")
        expect(rows).to_have_count(0)  # no figures left over from the range before
        # what only central can judge still comes back as its message (here: a day in the future)
        page.fill("#from", "2026-11-10")
        page.fill("#to", "2099-11-10")
        page.locator("button.show").click()
        expect(page.locator("#state")).to_have_attribute("data-state", "failed")
        expect(page.locator("#state")).to_contain_text("2099-11-10 is in the future")
        page.set_viewport_size({"width": 900, "height": 800})  # a laptop: the table scrolls, the page does not
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        page.screenshot(path=str(tmp_path / "reports-bad-range-narrow.png"), full_page=True)
