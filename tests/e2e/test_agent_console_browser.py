"""The agent console in headless Chromium answering a real WebRTC call.

A test device asks for help over a real Mosquitto; the real ``central`` rings the console; the agent
accepts in the browser; the device's offer comes from a real aiortc peer (a video track and the ``help``
data channel, as the kiosk makes it); the console answers; video flows both ways (the browser's fake
camera to aiortc, aiortc's frames to the browser); the agent pushes a QR code over the data channel, hangs
up and records the disposition; the wallboard counts the call. A device killed while waiting shows up as
abandoned. Screenshots of every stage in both languages land in ``$AGENT_SCREENSHOTS`` (or the test's tmp dir).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
from collections.abc import Callable
from pathlib import Path

import pytest
from aiortc import AudioStreamTrack, MediaStreamTrack, RTCPeerConnection, RTCSessionDescription, VideoStreamTrack
from aiortc.mediastreams import MediaStreamError
from playwright.async_api import Page, expect

from bus.codec import decode
from bus.messages.call import CallContext, CallRating, Push, SdpOffer
from bus.topics import TopicKind
from tests.peers.agent_console import chromium, sign_in_on_the_page
from tests.peers.bus_device import BusDevice
from tests.peers.central import WAIT_S, central_running
from tests.peers.mosquitto import Mosquitto
from tests.peers.programs import running
from tests.peers.staff import sign_in_browser

pytestmark = pytest.mark.slow

UI_TIMEOUT_MS = 15_000
VIEWPORT = {"width": 1600, "height": 900}
LOCATION = "T1 Hall B, gate 12"


# --- the passenger's side: an aiortc peer as the kiosk makes one -----------------------------------------


class KioskPeer:
    """An offer with video, sound and the ``help`` data channel; counts the agent's frames, keeps pushes."""

    def __init__(self) -> None:
        self.pc = RTCPeerConnection()
        self.frames = 0
        self.pushes: list[str] = []
        self._changed = asyncio.Condition()
        self._tasks: set[asyncio.Task[None]] = set()
        self.channel = self.pc.createDataChannel("help")
        self.channel.on("message", self._on_message)
        self.channel.on("open", self._notify)
        self.pc.addTrack(VideoStreamTrack())
        self.pc.addTrack(AudioStreamTrack())
        self.pc.on("track", self._on_track)
        self.pc.on("connectionstatechange", self._notify)

    async def offer(self) -> str:
        await self.pc.setLocalDescription(await self.pc.createOffer())  # aiortc gathers every candidate here
        return str(self.pc.localDescription.sdp)

    async def take_answer(self, sdp: str) -> None:
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="answer"))

    async def until(self, condition: Callable[[], bool], what: str) -> None:
        try:
            async with asyncio.timeout(WAIT_S), self._changed:
                await self._changed.wait_for(condition)
        except TimeoutError:
            raise AssertionError(f"timed out waiting for {what}") from None

    def _on_track(self, track: MediaStreamTrack) -> None:
        task = asyncio.get_running_loop().create_task(self._receive(track))
        self._tasks.add(task)

    async def _receive(self, track: MediaStreamTrack) -> None:
        while True:
            try:
                await track.recv()
            except MediaStreamError:
                return
            if track.kind == "video":
                self.frames += 1
                await self._notify()

    def _on_message(self, message: str | bytes) -> None:
        self.pushes.append(message if isinstance(message, str) else message.decode())
        asyncio.get_running_loop().create_task(self._notify())

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.pc.close()


# --- the browser -----------------------------------------------------------------------------------------


class Shots:
    """Screenshots of a page in English and in Chinese (switching the page's language and back)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self.taken: list[Path] = []

    async def both(self, page: Page, name: str) -> None:
        await self.one(page, f"{name}-en")
        await page.locator("#lang-switch").click()
        await expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
        await self.one(page, f"{name}-zh")
        await page.locator("#lang-switch").click()
        await expect(page.locator("html")).to_have_attribute("lang", "en")

    async def one(self, page: Page, name: str) -> None:
        path = self.directory / f"{name}.png"
        await page.screenshot(path=str(path))
        self.taken.append(path)


@pytest.fixture
def shots(tmp_path: Path) -> Shots:
    return Shots(Path(os.environ.get("AGENT_SCREENSHOTS") or tmp_path / "screenshots"))


async def sign_in(page: Page) -> None:
    await expect(page.locator("body")).to_have_attribute("data-state", "signed_out")
    await sign_in_on_the_page(page)
    await expect(page.locator("body")).to_have_attribute("data-state", "away", timeout=UI_TIMEOUT_MS)


def watch_errors(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


# --- tests -----------------------------------------------------------------------------------------------


async def test_an_agent_answers_a_video_call_pushes_a_qr_code_and_the_wallboard_counts_it(
    mosquitto: Mosquitto, tmp_path: Path, chromium_executable: str, shots: Shots
) -> None:
    with central_running(mosquitto, tmp_path / "central", wrap_up_s=300) as central:
        async with chromium(chromium_executable) as browser, BusDevice(mosquitto.url, "kiosk-t1-01") as kiosk:
            context = await browser.new_context(viewport=VIEWPORT)
            page = await context.new_page()
            errors = watch_errors(page)
            await page.goto(f"{central.base_url}/agent")
            await expect(page.locator("#signin-form")).to_be_visible()
            await shots.both(page, "agent-1-signed-out")
            await sign_in(page)
            await page.locator("#presence").click()
            await expect(page.locator("body")).to_have_attribute("data-state", "available")
            await shots.both(page, "agent-2-available")

            kiosk.request("call-1", location=LOCATION)
            queued = await kiosk.expect("queued", call="call-1")
            assert queued["position"] == 1
            ring = page.locator("#ring")
            await expect(ring).to_have_attribute("data-call", "call-1", timeout=UI_TIMEOUT_MS)
            await expect(page.locator("#ring-location")).to_have_text(LOCATION)
            await expect(page.locator("body")).to_have_attribute("data-state", "ringing")
            await shots.both(page, "agent-3-ringing")

            await page.locator("#accept").click()
            connect = await kiosk.expect("connect", call="call-1")
            assert connect["agent"]["name"] == "Chen Li"
            await expect(page.locator("body")).to_have_attribute("data-state", "on_call")

            peer = KioskPeer()
            try:
                kiosk.send(SdpOffer(call="call-1", sdp=await peer.offer()))
                answer = await kiosk.expect("answer", call="call-1")
                assert "a=candidate" in answer["sdp"], "the console must wait for ICE gathering before answering"
                await peer.take_answer(answer["sdp"])

                await peer.until(lambda: peer.frames >= 10, "frames from the browser's camera")
                await page.wait_for_function(
                    "() => Number(document.querySelector('#remote-video').dataset.frames) > 0",
                    timeout=UI_TIMEOUT_MS,
                )
                await expect(page.locator("#pushes")).to_have_attribute("data-channel", "open")

                # the kiosk sends its context again over the channel; the console shows it
                peer.channel.send(
                    CallContext(screen="boarding_pass", flight="HU7181", location=LOCATION).model_dump_json()
                )
                await expect(page.locator('#context [data-field="screen"]')).to_have_text("boarding_pass")
                await expect(page.locator('#context [data-field="device"]')).to_have_text("kiosk-t1-01")
                await shots.both(page, "agent-4-in-call")

                # an address that is not http(s) is refused in the page and never sent
                await page.locator('.tab[data-tab="qr"]').click()
                await page.locator("#push-qr-url").fill("javascript:alert(1)")
                await page.locator("#push-qr button[type=submit]").click()
                await expect(page.locator("#push-qr-error")).to_be_visible()
                await page.locator("#push-qr-url").fill("https://hak.example/transfer?lang=zh")
                await page.locator("#push-qr-text").fill("Transfer desk")
                await page.locator("#push-qr button[type=submit]").click()
                await peer.until(lambda: len(peer.pushes) >= 1, "the QR push")
                await expect(page.locator("#pushes")).to_have_attribute("data-sent", "1")
                push = decode(TopicKind.CALL_IN, peer.pushes[0].encode())
                assert isinstance(push, Push)
                assert (push.call, push.kind, push.url, push.text) == (
                    "call-1",
                    "qr",
                    "https://hak.example/transfer?lang=zh",
                    "Transfer desk",
                )
                assert set(json.loads(peer.pushes[0])) == {"v", "type", "call", "kind", "text", "url", "data"}
                assert len(peer.pushes) == 1

                await page.locator('.tab[data-tab="flight"]').click()
                flight_form = page.locator("#push-flight")
                await flight_form.locator('input[name="number"]').fill("HU7181")
                await flight_form.locator('input[name="gate"]').fill("12")
                await flight_form.locator('input[name="status"]').fill("Boarding")
                await flight_form.locator("button[type=submit]").click()
                await page.locator('.tab[data-tab="text"]').click()
                await page.locator("#push-text-body").fill("Gate 12 is on your left")
                await page.locator("#push-text button[type=submit]").click()
                await peer.until(lambda: len(peer.pushes) >= 3, "the flight and text pushes")
                flight, note = (decode(TopicKind.CALL_IN, raw.encode()) for raw in peer.pushes[1:3])
                assert flight.kind == "flight"
                assert flight.data == {"number": "HU7181", "gate": "12", "status": "Boarding"}
                assert (note.kind, note.text) == ("text", "Gate 12 is on your left")
                await expect(page.locator("#pushes")).to_have_attribute("data-sent", "3")
                await expect(page.locator('.tab[data-tab="map"]')).to_be_hidden()  # no maps configured

                await page.locator("#hangup").click()
                assert (await kiosk.expect("ended", call="call-1"))["reason"] == "agent"
            finally:
                await peer.close()

            wrapup = page.locator("#wrapup")
            await expect(wrapup).to_have_attribute("data-call", "call-1")
            await expect(wrapup).to_be_visible()
            await expect(page.locator("body")).to_have_attribute("data-state", "wrap_up")
            await shots.both(page, "agent-5-wrap-up")
            await page.locator('#disposition-form input[name="resolved"][value="yes"]').check()
            await page.locator("#category").select_option("transfer")
            await page.locator("#note").fill("Showed the way to the transfer desk")
            await page.locator("#disposition-submit").click()
            await expect(wrapup).to_have_attribute("data-saved", "true")
            await page.locator("#ready").click()
            await expect(page.locator("body")).to_have_attribute("data-state", "available")
            kiosk.send(CallRating(call="call-1", stars=5, answered=True))

            wall = await context.new_page()
            await sign_in_browser(wall, central.base_url)  # the agent's own session has no supervisor role
            wall_errors = watch_errors(wall)
            await wall.goto(f"{central.base_url}/wallboard")
            await expect(wall.locator('[data-kpi="answered"]')).to_have_text("1", timeout=UI_TIMEOUT_MS)
            await expect(wall.locator('[data-kpi="offered"]')).to_have_text("1")
            await expect(wall.locator('[data-kpi="fcr"]')).to_have_text("100 %")
            await expect(wall.locator('[data-kpi="rating"]')).to_have_text("5.0 ★")
            await expect(wall.locator('li[data-agent="chen"]')).to_have_attribute("data-state", "available")
            await shots.both(wall, "wallboard-1-after-a-call")
            assert errors == [] and wall_errors == []

    assert all(path.stat().st_size > 10_000 for path in shots.taken)


async def test_a_device_killed_while_waiting_is_abandoned_on_the_wallboard(
    mosquitto: Mosquitto, tmp_path: Path, chromium_executable: str, shots: Shots
) -> None:
    with central_running(mosquitto, tmp_path / "central", short_abandon_s=0) as central:
        device_args = [mosquitto.url, "kiosk-doomed", str(tmp_path / "device")]
        with running("tests.integration.device_process", {}, device_args) as device:
            await asyncio.to_thread(device.wait_for_line, "connected")
            async with chromium(chromium_executable) as browser, BusDevice(mosquitto.url, "kiosk-doomed") as kiosk:
                wall = await browser.new_page(viewport=VIEWPORT)
                await sign_in_browser(wall, central.base_url)
                errors = watch_errors(wall)
                await wall.goto(f"{central.base_url}/wallboard")
                await expect(wall.locator("#top")).to_have_attribute("data-live", "live", timeout=UI_TIMEOUT_MS)

                kiosk.request("call-2")
                await kiosk.expect("queued", call="call-2")
                await expect(wall.locator('[data-kpi="waiting"]')).to_have_text("1", timeout=UI_TIMEOUT_MS)
                await expect(wall.locator('tr[data-skill="zh"] [data-field="waiting"]')).to_have_text("1")
                await shots.both(wall, "wallboard-2-waiting")

                device.process.send_signal(signal.SIGKILL)
                device.process.wait(10)

                await expect(wall.locator('[data-kpi="abandoned"]')).to_have_text("1", timeout=UI_TIMEOUT_MS)
                await expect(wall.locator('[data-kpi="waiting"]')).to_have_text("0")
                await expect(wall.locator('[data-kpi="answered"]')).to_have_text("0")
                assert errors == []
