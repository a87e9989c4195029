"""The agent console shows the call's picture quality and why, as the kiosk reports it over the ``help``
data channel, in both languages; and it applies the kiosk's request for a smaller picture to its camera."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from aiortc import MediaStreamTrack
from aiortc.mediastreams import MediaStreamError
from playwright.async_api import expect

from bus.messages.call import SdpOffer
from tests.e2e.test_agent_console_browser import UI_TIMEOUT_MS, VIEWPORT, KioskPeer, sign_in, watch_errors
from tests.peers.agent_console import chromium
from tests.peers.bus_device import BusDevice
from tests.peers.central import central_running
from tests.peers.mosquitto import Mosquitto

pytestmark = pytest.mark.slow


class SizedKioskPeer(KioskPeer):
    """Also keeps the size of the latest picture from the browser."""

    size: tuple[int, int] | None = None

    async def _receive(self, track: MediaStreamTrack) -> None:
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            if track.kind == "video":
                self.frames += 1
                self.size = (frame.width, frame.height)
                await self._notify()


async def test_the_console_shows_the_quality_the_kiosk_reports_and_sends_the_smaller_picture_it_asks_for(
    mosquitto: Mosquitto, tmp_path: Path, chromium_executable: str
) -> None:
    shots = Path(os.environ.get("AGENT_SCREENSHOTS") or tmp_path)
    with central_running(mosquitto, tmp_path / "central") as central:
        async with chromium(chromium_executable) as browser, BusDevice(mosquitto.url, "kiosk-t1-01") as kiosk:
            page = await (await browser.new_context(viewport=VIEWPORT)).new_page()
            errors = watch_errors(page)
            await page.goto(f"{central.base_url}/agent")
            await sign_in(page)
            await page.locator("#presence").click()
            kiosk.request("call-q")
            await expect(page.locator("#ring")).to_have_attribute("data-call", "call-q", timeout=UI_TIMEOUT_MS)
            await page.locator("#accept").click()
            await kiosk.expect("connect", call="call-q")
            peer = SizedKioskPeer()
            try:
                kiosk.send(SdpOffer(call="call-q", sdp=await peer.offer()))
                await peer.take_answer((await kiosk.expect("answer", call="call-q"))["sdp"])
                await peer.until(lambda: peer.size is not None, "pictures from the browser's camera")
                full = peer.size
                assert full is not None
                await expect(page.locator("#pushes")).to_have_attribute("data-channel", "open")

                # a context the old way, without a type, still reaches the context panel
                peer.channel.send(json.dumps({"screen": "boarding_pass", "location": "T1"}))
                await expect(page.locator('#context [data-field="screen"]')).to_have_text("boarding_pass")

                quality = {"type": "quality", "width": 480, "height": 360, "fps": 15, "limit": "kiosk CPU"}
                peer.channel.send(json.dumps({**quality, "asked_limit": "kiosk CPU"}))
                line = page.locator("#call-quality")
                await expect(line).to_contain_text("480×360", timeout=UI_TIMEOUT_MS)
                await expect(line).to_contain_text("kiosk CPU")
                await expect(line).to_have_attribute("data-limit", "kiosk CPU")
                await expect(page.locator('#context [data-field="screen"]')).to_have_text("boarding_pass")
                await page.screenshot(path=str(shots / "agent-call-quality-en.png"))
                await page.locator("#lang-switch").click()
                await expect(line).to_contain_text("自助机 CPU")
                await page.screenshot(path=str(shots / "agent-call-quality-zh.png"))
                await page.locator("#lang-switch").click()

                peer.channel.send(json.dumps({**quality, "width": 640, "height": 480, "limit": "network"}))
                await expect(line).to_contain_text("network")
                peer.channel.send(json.dumps({**quality, "width": 640, "height": 480, "fps": 30, "limit": ""}))
                await expect(line).not_to_contain_text("lowered")
                await expect(line).to_have_attribute("data-limit", "")

                # the kiosk asks for at most half the size: the browser's sender scales its camera down
                request = {"type": "picture", "max_width": full[0] // 2, "max_height": full[1] // 2}
                peer.channel.send(json.dumps({**request, "max_fps": 15, "max_kbps": 300, "limit": "kiosk CPU"}))
                await peer.until(lambda: peer.size is not None and peer.size[0] <= full[0] // 2, "a smaller picture")
                self_video = page.locator("#self-video")
                await expect(self_video).to_have_attribute("data-scale-down-by", "2")
                await expect(self_video).to_have_attribute("data-max-fps", "15")
                # lifted: the browser is free again (how fast it climbs back is its own bandwidth estimate's affair)
                lifted = {"type": "picture", "max_width": None, "max_height": None, "max_fps": None, "limit": ""}
                peer.channel.send(json.dumps(lifted))
                await expect(self_video).to_have_attribute("data-scale-down-by", "1")
                await expect(self_video).to_have_attribute("data-max-fps", "")

                peer.channel.send('{"type": "quality", "width": "huge"}')  # nonsense changes nothing
                await expect(line).to_have_attribute("data-limit", "")
                await page.locator("#hangup").click()
                await expect(line).to_be_hidden()
            finally:
                await peer.close()
            assert errors == []
