"""An anonymous or plaintext broker link to another host is said aloud: in central's log, in a device's
health, and on the facilities page, in both languages."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from playwright.async_api import expect

from bus.codec import encode
from bus.messages.device import DeviceHealth, DeviceKind, DeviceStatus
from bus.topics import TopicKind
from config.sections import BusRisk, BusSection
from tests.peers.bus_device import BusDevice
from tests.peers.central import central_env
from tests.peers.chromium import chromium
from tests.peers.mosquitto import Mosquitto
from tests.peers.programs import running
from tests.peers.staff import add_staff, sign_in_browser

pytestmark = pytest.mark.slow


def loopback_name() -> str:
    """A host name that is not spelt as loopback but reaches this machine (the test's broker)."""
    name = socket.gethostname()
    if socket.gethostbyname(name).startswith("127."):
        return name
    pytest.skip(f"{name} does not resolve to a loopback address here")


def test_a_broker_on_another_host_without_tls_or_a_user_is_a_risk() -> None:
    assert BusSection(url="mqtt://broker.hak.example:1883").risks == [BusRisk.ANONYMOUS, BusRisk.PLAINTEXT]
    assert BusSection(url="mqtts://broker.hak.example", username="k", password="p" * 16).risks == []
    assert BusSection(url="mqtt://127.0.0.1:1883").risks == []  # the demo's broker on this machine


async def test_the_facilities_page_shows_unsafe_links(
    mosquitto: Mosquitto, tmp_path: Path, chromium_executable: str
) -> None:
    env = central_env(mosquitto, tmp_path / "central")
    add_staff(tmp_path / "central")
    # anonymous and plaintext, to a host name that is not spelt as loopback
    env["CENTRAL_BUS__URL"] = mosquitto.url.replace("127.0.0.1", loopback_name())
    with running("central", env) as program:
        line = program.wait_for_line("central: facilities page at ")
        base_url = line.split(" at ", 1)[1].removesuffix("/facilities")
        async with BusDevice(mosquitto.url, "kiosk-risky") as device:
            status = DeviceStatus(online=True, kind=DeviceKind.KIOSK, version="t", boot_id="b", location="T2 Hall A")
            device.publish(TopicKind.DEVICE_STATUS, encode(status), retain=True)
            health = DeviceHealth(
                cpu_percent=5, memory_percent=20, app_rss_mb=100, uptime_s=10, bus_risks=[BusRisk.PLAINTEXT]
            )
            device.publish(TopicKind.DEVICE_HEALTH, encode(health), retain=True)
            async with chromium(chromium_executable) as browser:
                page = await browser.new_page(viewport={"width": 1400, "height": 700})
                await sign_in_browser(page, base_url)
                await page.goto(f"{base_url}/facilities?lang=en")
                banner = page.locator("#risk-banner")
                await expect(banner).to_contain_text("no user name", timeout=10_000)
                await expect(banner).to_contain_text("no TLS")
                row = page.locator('tr[data-device="kiosk-risky"] .risk')
                await expect(row).to_have_text("Unsafe broker link", timeout=10_000)
                await page.screenshot(path=str(tmp_path / "facilities-risks-en.png"))
                await page.goto(f"{base_url}/facilities?lang=zh-CN")
                await expect(page.locator("#risk-banner")).to_contain_text("未加密", timeout=10_000)
                await page.screenshot(path=str(tmp_path / "facilities-risks-zh.png"))
    assert "is anonymous" in "\n".join(program.stderr) and "is plaintext" in "\n".join(program.stderr)
