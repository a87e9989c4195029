"""The agent console against the real ``central`` process: sign-in, the socket's refusals and errors, and
the page in headless Chromium ringing, declining and timing out."""

from __future__ import annotations

import json
from pathlib import Path

import aiohttp
import pytest
from playwright.async_api import expect

from tests.peers.agent_console import chromium, sign_in_on_the_page
from tests.peers.bus_device import BusDevice
from tests.peers.central import PASSWORD, central_running
from tests.peers.console import console, sign_in
from tests.peers.mosquitto import Mosquitto

UI_TIMEOUT_MS = 15_000


def http_session() -> aiohttp.ClientSession:
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


# --- over HTTP and a plain WebSocket ---------------------------------------------------------------------


async def test_sign_in_is_one_answer_for_any_failure_and_is_rate_limited(mosquitto: Mosquitto, tmp_path: Path):
    with central_running(mosquitto, tmp_path / "central") as central:
        async with http_session() as http:
            wrong = await sign_in(http, central.base_url, "chen", "wrong password!")
            unknown = await sign_in(http, central.base_url, "nobody", "wrong password!")
            assert wrong.status == unknown.status == 401
            assert await wrong.json() == await unknown.json()

            for _ in range(4):  # five for chen from this address, and the one for "nobody"
                assert (await sign_in(http, central.base_url, "chen", "still wrong")).status == 401
            locked = await sign_in(http, central.base_url, "chen", PASSWORD)
            assert locked.status == 429

    failures = [line for line in central.log_lines if "login failed" in line]
    assert len(failures) == 6
    assert all("wrong" not in line for line in central.log_lines)  # no password ever reaches the log
    assert any("too many failures" in line for line in central.log_lines)


async def test_the_socket_needs_a_session_and_a_page_of_our_own(mosquitto: Mosquitto, tmp_path: Path):
    with central_running(mosquitto, tmp_path / "central") as central:
        url = f"{central.base_url}/api/agent/ws"
        async with http_session() as http:
            async with http.ws_connect(url, headers={"Origin": central.base_url}) as ws:
                await ws.send_str(json.dumps({"type": "presence", "available": True}))  # before any sign-in
                message = await ws.receive(timeout=10)
                assert message.type is aiohttp.WSMsgType.CLOSE
                assert ws.close_code == 4401

            assert (await sign_in(http, central.base_url, "chen", PASSWORD)).status == 200
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await http.ws_connect(url, headers={"Origin": "https://evil.example"})
            assert refused.value.status == 403
        snapshot = await central.wallboard()
        assert all(not agents for agents in snapshot["agents"].values())


async def test_bad_console_messages_get_errors_and_the_console_carries_on(mosquitto: Mosquitto, tmp_path: Path):
    with central_running(mosquitto, tmp_path / "central") as central:
        async with console(central.base_url, available=False) as agent:
            for bad, reason in (
                ("not json", "message is not JSON"),
                ('{"type": "teleport"}', "unknown message type"),
                ('{"type": "accept", "call": "nobody-s-call"}', "not_ringing"),
                ('{"type": "hangup", "call": "nobody-s-call"}', "not_your_call"),
                ('{"type": "disposition", "call": "c", "resolved": true, "category": "no_such"}', "unknown_category"),
            ):
                await agent.send(bad)
                error = await agent.next("error", reason=reason)
                assert error["type"] == "error"
            await agent.send({"type": "presence", "available": True})
            await agent.next("state", state="available")


# --- the page ----------------------------------------------------------------------------------------------


@pytest.mark.slow
async def test_the_page_signs_in_rings_declines_times_out_and_shows_network_text_as_text(
    mosquitto: Mosquitto, tmp_path: Path, chromium_executable: str
):
    location = '<img src=x onerror="window.__owned=1">T2 Hall C'
    with central_running(mosquitto, tmp_path / "central", ring_timeout_s=2) as central:
        async with chromium(chromium_executable) as browser, BusDevice(mosquitto.url, "kiosk-t2-01") as kiosk:
            page = await browser.new_page(viewport={"width": 1600, "height": 900})
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            await page.goto(f"{central.base_url}/agent")
            body = page.locator("body")

            await sign_in_on_the_page(page, "not the password")
            await expect(page.locator("#signin-error")).to_have_attribute("data-error", "sign_in_failed")
            await expect(page.locator("#signin-error")).to_be_visible()
            await expect(body).to_have_attribute("data-state", "signed_out")

            await sign_in_on_the_page(page)
            await expect(body).to_have_attribute("data-state", "away", timeout=UI_TIMEOUT_MS)
            await expect(body).to_have_attribute("data-socket", "open")
            await expect(page.locator("#agent-name")).to_have_attribute("data-agent", "chen")
            await page.locator("#presence").click()
            await expect(body).to_have_attribute("data-state", "available")

            kiosk.request("call-1", location=location)
            ring = page.locator("#ring")
            await expect(ring).to_have_attribute("data-call", "call-1", timeout=UI_TIMEOUT_MS)
            await expect(ring).to_be_visible()
            await expect(page.locator("#ring-location")).to_have_text(location)
            assert await page.locator("img").count() == 0
            assert await page.evaluate("window.__owned") is None

            await page.locator("#decline").click()
            await expect(body).to_have_attribute("data-state", "away")
            await expect(ring).to_be_hidden()
            await expect(page.locator("#notice")).to_have_attribute("data-reason", "ring.declined")

            # available again: the call is at the head of the queue and rings at once; unanswered, it times out
            await page.locator("#presence").click()
            await expect(ring).to_have_attribute("data-call", "call-1", timeout=UI_TIMEOUT_MS)
            await expect(page.locator("#notice")).to_have_attribute(
                "data-reason", "ring.timeout", timeout=UI_TIMEOUT_MS
            )
            await expect(body).to_have_attribute("data-state", "away")
            await expect(ring).to_be_hidden()

            await page.locator("#lang-switch").click()
            await expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
            await expect(page.locator("#state-text")).to_have_text("离开")
            assert "lang=zh-CN" in page.url

            # a reload keeps the session; signing out ends it
            await page.reload()
            await expect(body).to_have_attribute("data-state", "away", timeout=UI_TIMEOUT_MS)
            await expect(page.locator("#state-text")).to_have_text("离开")
            await page.locator("#sign-out").click()
            await expect(body).to_have_attribute("data-state", "signed_out")
            await expect(page.locator("#signin-form")).to_be_visible()
            await page.reload()
            await expect(page.locator("#signin-form")).to_be_visible()
            assert errors == []
