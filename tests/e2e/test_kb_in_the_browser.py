"""The knowledge base end to end: a supervisor writes an article on /kb in headless Chromium (a bad web
address is refused first, markup in a title stays text); an agent in a real call (Mosquitto, ``central``,
an aiortc peer as the kiosk) finds it by typing pinyin and sends it in one tap as a note and as a QR code;
the kiosk's side receives both pushes and central counts them. Screenshots of the page and the panel in
both languages land in ``$KB_SCREENSHOTS`` (or the test's tmp dir)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from bus.codec import decode
from bus.messages.call import Push, SdpOffer
from bus.topics import TopicKind
from tests.peers.agent_console import chromium, sign_in_on_the_page
from tests.peers.bus_device import BusDevice
from tests.peers.central import central_running
from tests.peers.help_peer import HelpPeer
from tests.peers.mosquitto import Mosquitto
from tests.peers.staff import sign_in_browser

pytestmark = pytest.mark.slow

UI_TIMEOUT_MS = 15_000
VIEWPORT = {"width": 1600, "height": 900}
HOSTILE = '<img src=x onerror="document.title=1">Prayer room'


async def both_languages(page: Page, directory: Path, name: str) -> list[Path]:
    paths = [directory / f"{name}-en.png", directory / f"{name}-zh.png"]
    await page.screenshot(path=str(paths[0]))
    await page.locator("#lang-switch").click()
    await expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    await page.screenshot(path=str(paths[1]))
    await page.locator("#lang-switch").click()
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    return paths


async def write_article(page: Page, fields: dict[str, str]) -> None:
    await page.locator("#kb-new").click()
    form = page.locator("#kb-form")
    for name, value in fields.items():
        await form.locator(f'[name="{name}"]').fill(value)
    await page.locator("#kb-save").click()


async def test_a_supervisor_writes_an_article_and_an_agent_in_a_call_finds_it_by_pinyin_and_sends_it(
    mosquitto: Mosquitto, tmp_path: Path, chromium_executable: str
) -> None:
    shots = Path(os.environ.get("KB_SCREENSHOTS") or tmp_path / "screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    with central_running(mosquitto, tmp_path / "central", wrap_up_s=300) as central:
        async with chromium(chromium_executable) as browser, BusDevice(mosquitto.url, "kiosk-t1-01") as kiosk:
            supervisor = await (await browser.new_context(viewport=VIEWPORT)).new_page()
            errors: list[str] = []
            supervisor.on("pageerror", lambda exc: errors.append(str(exc)))
            await sign_in_browser(supervisor, central.base_url)
            await supervisor.goto(f"{central.base_url}/kb")
            await expect(supervisor.locator("body")).to_have_attribute("data-loaded", "true")

            await write_article(
                supervisor,
                {
                    "title_zh": "北京航班的行李寄存",
                    "title_en": "Left luggage for Beijing flights",
                    "body_zh": "行李寄存在一号航站楼到达层，三号门旁。",
                    "body_en": "Left luggage is on the T1 arrivals level, beside door 3.",
                    "tags": "luggage, 行李",
                    "url": "javascript:alert(1)",
                    "map_text": "T1 arrivals, door 3",
                    "flight": "hu 7181",
                },
            )
            error = supervisor.locator("#kb-error")
            await expect(error).to_have_attribute("data-field", "url")
            await expect(error).to_be_visible()
            await expect(supervisor.locator("#kb-articles li")).to_have_count(0)  # nothing kept
            await supervisor.locator('#kb-form [name="url"]').fill("https://hak.example/luggage")
            await supervisor.locator("#kb-save").click()
            await expect(supervisor.locator("#kb-articles li")).to_have_count(1)
            article_id = await supervisor.locator("#kb-form").get_attribute("data-id")
            assert article_id

            await write_article(supervisor, {"title_en": HOSTILE, "body_en": "<b>Level 2</b>", "tags": "prayer"})
            await expect(supervisor.locator("#kb-articles li")).to_have_count(2)
            await expect(supervisor.locator(".kb-article-title").first).to_have_text(HOSTILE)
            assert await supervisor.locator("#kb-articles img").count() == 0
            await supervisor.locator("#kb-search").fill("xingli")
            await expect(supervisor.locator("#kb-articles li")).to_have_count(1)
            await supervisor.locator("#kb-search").fill("")
            await expect(supervisor.locator("#kb-articles li")).to_have_count(2)
            await supervisor.locator(f'#kb-articles li[data-id="{article_id}"] button').click()
            taken = await both_languages(supervisor, shots, "kb-page")

            agent = await (await browser.new_context(viewport=VIEWPORT)).new_page()
            agent.on("pageerror", lambda exc: errors.append(str(exc)))
            await agent.goto(f"{central.base_url}/agent")
            await sign_in_on_the_page(agent)
            await expect(agent.locator("body")).to_have_attribute("data-state", "away", timeout=UI_TIMEOUT_MS)
            await agent.locator("#presence").click()
            await expect(agent.locator("body")).to_have_attribute("data-state", "available")
            kiosk.request("call-1", location="T1 Hall B")
            await expect(agent.locator("#ring")).to_have_attribute("data-call", "call-1", timeout=UI_TIMEOUT_MS)
            await agent.locator("#accept").click()
            await kiosk.expect("connect", call="call-1")
            peer = HelpPeer()
            try:
                kiosk.send(SdpOffer(call="call-1", sdp=await peer.offer()))
                await peer.take_answer((await kiosk.expect("answer", call="call-1"))["sdp"])
                await expect(agent.locator("#pushes")).to_have_attribute("data-channel", "open", timeout=UI_TIMEOUT_MS)

                search = agent.locator("#kb-panel-search")
                await search.press_sequentially("bj")  # pinyin initials, one keystroke at a time
                result = agent.locator(f'#kb-results li[data-id="{article_id}"]')
                await expect(result).to_be_visible()
                await expect(agent.locator("#kb-results li")).to_have_count(1)
                await search.fill("")
                await search.press_sequentially("beijing lugg")
                await expect(result).to_be_visible()
                # the caller's screen is in Chinese: the article is offered and sent in Chinese
                await expect(result.locator(".kb-result-title")).to_have_text("北京航班的行李寄存")
                taken += await both_languages(agent, shots, "kb-panel")

                await result.locator('[data-send="note"]').click()
                await result.locator('[data-send="qr"]').click()
                await result.locator('[data-send="flight"]').click()
                await peer.until(lambda: len(peer.pushes) >= 3, "the note, the QR and the flight push")
                note, qr, flight = (decode(TopicKind.CALL_IN, raw.encode()) for raw in peer.pushes[:3])
                assert isinstance(flight, Push) and (flight.kind, flight.data) == ("flight", {"number": "HU7181"})
                assert isinstance(note, Push) and isinstance(qr, Push)
                assert note.kind == "text" and note.text.startswith("北京航班的行李寄存\n\n")
                assert "三号门旁" in note.text and note.text.endswith("T1 arrivals, door 3")
                assert (qr.kind, qr.url, qr.text) == ("qr", "https://hak.example/luggage", note.text.split("\n")[0])
                await expect(agent.locator("#kb-panel")).to_have_attribute("data-sent", "3")
                await expect(agent.locator("#pushes")).to_have_attribute("data-sent", "3")
                await agent.locator("#hangup").click()
                await kiosk.expect("ended", call="call-1")
            finally:
                await peer.close()

            async def counted() -> int:
                answer = await supervisor.request.get(f"{central.base_url}/api/kb/articles")
                listed = {str(article["id"]): article for article in (await answer.json())["articles"]}
                return int(listed[article_id]["kb_pushes"])

            # the count is posted after each push: wait for the last one to land
            await supervisor.wait_for_function(
                """async (id) => {
                    const answer = await fetch("/api/kb/articles");
                    const listed = (await answer.json()).articles;
                    return listed.some((article) => String(article.id) === id && article.kb_pushes === 3);
                }""",
                arg=article_id,
                timeout=UI_TIMEOUT_MS,
            )
            assert await counted() == 3
            assert errors == []
            assert all(path.stat().st_size > 10_000 for path in taken)
