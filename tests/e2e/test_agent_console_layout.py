"""What the agent console and the wallboard look like: no stale banner, a tidy header on a narrow screen,
agent names on one line. Headless Chromium against the real web app; screenshots in both languages land
in ``$AGENT_SCREENSHOTS`` (or the test's tmp dir)."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from central.switchboard.console.events import AgentState
from tests.peers.agent_console import ConsoleSite, QuietConsole, chromium, sign_in_on_the_page
from tests.peers.staff import sign_in_browser

pytestmark = pytest.mark.slow

UI_TIMEOUT_MS = 15_000
LONG_NAME = "Maximiliana Featherstonehaugh-Cholmondeley"
LONG_NAME_ZH = "欧阳娜娜·司马相如·诸葛孔明"


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    directory = Path(os.environ.get("AGENT_SCREENSHOTS") or tmp_path / "screenshots")
    directory.mkdir(parents=True, exist_ok=True)
    return directory


async def in_both_languages(page: Page, directory: Path, name: str) -> list[str]:
    """Screenshots in English and Chinese; returns the languages in the order they were shown."""
    shown = []
    for language in ("en", "zh-CN"):
        if await page.locator("html").get_attribute("lang") != language:
            await page.locator("#lang-switch").click()
            await expect(page.locator("html")).to_have_attribute("lang", language)
        await page.screenshot(path=str(directory / f"{name}-{language}.png"))
        shown.append(language)
    return shown


async def visible_texts(page: Page) -> str:
    return str(await page.evaluate("() => document.body.innerText"))


async def test_no_connecting_banner_above_a_saved_wrap_up_once_connected(
    tmp_path: Path, chromium_executable: str, screenshots: Path
) -> None:
    async with ConsoleSite(tmp_path, wrap_up_s=300) as site, chromium(chromium_executable) as browser:
        page = await browser.new_page(viewport={"width": 1600, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        await page.goto(f"{site.base_url}/agent")
        await sign_in_on_the_page(page)
        body = page.locator("body")
        await expect(body).to_have_attribute("data-state", "away", timeout=UI_TIMEOUT_MS)
        await page.locator("#presence").click()
        await expect(body).to_have_attribute("data-state", "available")

        site.call()
        await expect(page.locator("#ring")).to_have_attribute("data-call", "call-1", timeout=UI_TIMEOUT_MS)
        await page.locator("#accept").click()
        await expect(body).to_have_attribute("data-state", "on_call")
        await page.locator("#hangup").click()
        await expect(body).to_have_attribute("data-state", "wrap_up")
        await page.locator('#disposition-form input[name="resolved"][value="yes"]').check()
        await page.locator("#category").select_option("other")
        await page.locator("#disposition-submit").click()
        await expect(page.locator("#wrapup")).to_have_attribute("data-saved", "true")
        await in_both_languages(page, screenshots, "console-wrap-up-saved")

        await expect(body).to_have_attribute("data-socket", "open")
        for language in ("en", "zh-CN"):
            if await page.locator("html").get_attribute("lang") != language:
                await page.locator("#lang-switch").click()
            connecting = await page.evaluate("() => document.getElementById('socket-text').textContent")
            assert connecting  # "Connected" / "已连接" in the chip
            text = await visible_texts(page)
            assert "Connecting to the switchboard" not in text and "正在连接" not in text, text
        await expect(page.locator("#wrapup")).to_be_visible()
        assert errors == []


async def header_is_one_tidy_row(page: Page, screenshots: Path, state: str) -> None:
    """In both languages: nothing scrolls sideways, every part of the header shares one row, none overlaps."""
    for language in await in_both_languages(page, screenshots, f"console-800-{state}"):
        if await page.locator("html").get_attribute("lang") != language:
            await page.locator("#lang-switch").click()
        boxes = await page.evaluate(
            """() => [...document.querySelectorAll('#top > *')]
                .filter((el) => el.offsetParent !== null && el.getBoundingClientRect().width > 0)
                .map((el) => { const r = el.getBoundingClientRect();
                               return {id: el.id || el.className, top: r.top, bottom: r.bottom,
                                       left: r.left, right: r.right}; })"""
        )
        header = await page.locator("#top").bounding_box()
        assert header is not None
        overflow = await page.evaluate("() => document.documentElement.scrollWidth - innerWidth")
        assert overflow <= 0, f"the page scrolls sideways by {overflow} px ({language}, {state})"
        tops, bottoms = [b["top"] for b in boxes], [b["bottom"] for b in boxes]
        assert max(tops) < min(bottoms), f"the header wraps ({language}, {state}): {boxes}"
        assert header["height"] < 120, f"header {header['height']} px tall ({language}, {state})"
        for a, b in itertools.pairwise(boxes):
            assert a["right"] <= b["left"] + 0.5, f"{a['id']} overlaps {b['id']} ({language}, {state})"


async def test_the_console_header_is_one_tidy_row_at_800_px_in_every_state(
    tmp_path: Path, chromium_executable: str, screenshots: Path
) -> None:
    async with ConsoleSite(tmp_path, wrap_up_s=300) as site, chromium(chromium_executable) as browser:
        page = await browser.new_page(viewport={"width": 800, "height": 700})
        body = page.locator("body")
        await page.goto(f"{site.base_url}/agent")
        await header_is_one_tidy_row(page, screenshots, "signed_out")
        await sign_in_on_the_page(page)
        await expect(body).to_have_attribute("data-state", "away", timeout=UI_TIMEOUT_MS)
        await header_is_one_tidy_row(page, screenshots, "away")
        await page.locator("#presence").click()
        await expect(body).to_have_attribute("data-state", "available")
        await header_is_one_tidy_row(page, screenshots, "available")
        site.call()
        await expect(body).to_have_attribute("data-state", "ringing", timeout=UI_TIMEOUT_MS)
        await header_is_one_tidy_row(page, screenshots, "ringing")
        await page.locator("#accept").click()
        await expect(body).to_have_attribute("data-state", "on_call")
        await header_is_one_tidy_row(page, screenshots, "on_call")
        await page.locator("#hangup").click()
        await expect(body).to_have_attribute("data-state", "wrap_up")
        await header_is_one_tidy_row(page, screenshots, "wrap_up")


async def test_long_agent_names_stay_on_one_line_on_the_wallboard_with_the_full_name_in_a_title(
    tmp_path: Path, chromium_executable: str, screenshots: Path
) -> None:
    async with ConsoleSite(tmp_path) as site, chromium(chromium_executable) as browser:
        site.switchboard.agent_sign_in("long", LONG_NAME, ["zh", "en"], QuietConsole())
        site.switchboard.agent_sign_in("long-zh", LONG_NAME_ZH, ["zh"], QuietConsole())
        site.switchboard.agent_sign_in("li", "Li", ["zh"], QuietConsole())
        site.switchboard.agent_presence("long-zh", True)
        assert site.switchboard.agent_state("long-zh") is AgentState.AVAILABLE
        for width in (1600, 800):
            page = await browser.new_page(viewport={"width": width, "height": 900})
            await sign_in_browser(page, site.base_url)
            await page.goto(f"{site.base_url}/wallboard")
            await expect(page.locator("#top")).to_have_attribute("data-live", "live", timeout=UI_TIMEOUT_MS)
            await expect(page.locator('li[data-agent="long"]')).to_be_visible()
            await in_both_languages(page, screenshots, f"wallboard-{width}-long-names")
            short = await page.locator('li[data-agent="li"] .agent-name').bounding_box()
            assert short is not None
            for agent_id, name in (("long", LONG_NAME), ("long-zh", LONG_NAME_ZH)):
                label = page.locator(f'li[data-agent="{agent_id}"] .agent-name')
                box = await label.bounding_box()
                assert box is not None
                assert box["height"] <= short["height"] * 1.2, f"{agent_id} takes {box['height']} px at {width}"
                await expect(label).to_have_attribute("title", name)
                await expect(label).to_have_text(name)  # the whole name is in the page, only clipped
            await page.close()
