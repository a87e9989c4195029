"""The reports page in headless Chromium, against the real central with a seeded month of call records:
the figures it shows are the records' (counted again here), its charts are drawn, it reads in Chinese,
a reversed range says what to change, and the knowledge-base pushes of the month are listed per article
(counted again here, titles shown as text in the page's language)."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from central.kb import KnowledgeBase, SqliteArticleStore
from central.kb.article import draft
from central.reports.sample import sample_records, write_records
from central.service import CALL_STORE_FILE, KB_FILE
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


# (title_zh, title_en, pushes in November by agent, pushes on 1 December)
ARTICLES = (
    ("行李寄存", "Left luggage", {"chen": 5, "li": 2}, 1),
    ("<b>登机口</b>变更", "<b>Gate</b> changes", {"li": 3}, 4),
    ("失物招领", "Lost property", {"wu": 1}, 0),
)


def seed_pushes(path) -> dict[str, int]:
    """Pushes in November (and some in December, outside the range asked); the counts per English title."""
    clock = [datetime(2026, 10, 31, 12, tzinfo=ZONE).timestamp()]
    store = SqliteArticleStore(path)
    kb = KnowledgeBase(store, clock=lambda: clock[0])
    try:
        for n, (zh, en, by_agent, in_december) in enumerate(ARTICLES):
            clock[0] = datetime(2026, 10, 31, 12, tzinfo=ZONE).timestamp()
            article = kb.add(draft(title_zh=zh, title_en=en), "sun").id
            for agent, times in by_agent.items():
                for k in range(times):
                    clock[0] = datetime(2026, 11, 1 + n + k, 9, tzinfo=ZONE).timestamp()
                    kb.pushed(article, agent)
            for _ in range(in_december):
                clock[0] = datetime(2026, 12, 1, 0, 30, tzinfo=ZONE).timestamp()
                kb.pushed(article, "chen")
    finally:
        store.close()
    return {en: sum(by_agent.values()) for _zh, en, by_agent, _december in ARTICLES}


def test_the_reports_page_shows_a_month_of_records_in_charts_and_a_table(mosquitto, tmp_path, chromium_executable):
    state_dir = tmp_path / "central"
    state_dir.mkdir()
    records = list(sample_records(date(2026, 11, 1), 30, PER_DAY, ZONE, seed=3))
    write_records(state_dir / CALL_STORE_FILE, records)
    per_day = offered_by(records, lambda r: datetime.fromtimestamp(r.arrived_at, ZONE).date().isoformat())
    per_agent = offered_by(records, lambda r: r.agent_id or "")
    pushes = seed_pushes(state_dir / KB_FILE)
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

        expect(page.locator("#kb-report")).to_have_attribute("data-state", "shown")
        kb_rows = page.locator("#kb-rows tr")
        expect(kb_rows).to_have_count(len(pushes))
        shown_pushes = {
            row.locator("th").text_content(): int(row.locator('[data-field="pushes"]').get_attribute("data-value"))
            for row in kb_rows.all()
        }
        assert shown_pushes == pushes  # markup in a title stays text
        assert page.locator("#kb-rows b").count() == 0
        expect(kb_rows.first.locator('[data-field="top_agent"]')).to_have_text("chen (5)")
        expect(page.locator('#kb-total [data-field="pushes"]')).to_have_attribute(
            "data-value", str(sum(pushes.values()))
        )
        expect(page.locator("#kb-csv")).to_have_attribute("href", "/api/reports/kb.csv?from=2026-11-01&to=2026-11-30")
        page.locator("#kb-report").screenshot(path=str(tmp_path / "reports-kb-en.png"))

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
        expect(page.locator("#kb-title")).to_have_text("知识库：推送的文章")
        expect(page.locator("#kb-rows th").first).to_have_text("行李寄存")
        expect(page.locator('#kb-rows th:has-text("登机口")')).to_have_text("<b>登机口</b>变更")
        page.locator("#kb-report").screenshot(path=str(tmp_path / "reports-kb-zh.png"))
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
