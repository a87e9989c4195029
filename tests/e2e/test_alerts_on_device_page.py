"""A device's page in headless Chromium lists that device's alerts and no other's: raised live, acknowledged
there by a person, and kept (cleared) after the device recovers."""

from __future__ import annotations

import paho.mqtt.publish as mqtt_publish
import pytest
from playwright.sync_api import expect

from bus.codec import encode
from bus.messages.device import DeviceHealth, DeviceKind, DeviceStatus, PrinterHealth, PrinterState
from bus.topics import TopicKind
from tests.peers.alert_central import central_with_alerts
from tests.peers.central import TOPICS
from tests.peers.chromium import headless_chromium
from tests.peers.staff import sign_in_browser_sync

pytestmark = pytest.mark.slow

DEVICE = "kiosk-t2-07"
OTHER = "kiosk-t2-08"


def publish(mosquitto, device: str, kind: TopicKind, payload: bytes) -> None:
    mqtt_publish.single(
        TOPICS.device(device, kind), payload, qos=1, retain=True, hostname="127.0.0.1", port=mosquitto.port
    )


def printer(mosquitto, device: str, state: PrinterState) -> None:
    health = DeviceHealth(
        cpu_percent=10, memory_percent=20, app_rss_mb=150, uptime_s=5, printer=PrinterHealth(state=state)
    )
    publish(mosquitto, device, TopicKind.DEVICE_HEALTH, encode(health))


def test_the_device_page_shows_its_own_alerts_live(mosquitto, tmp_path, chromium_executable):
    # the devices report health only when the test says so: they must not count as silent meanwhile
    with central_with_alerts(mosquitto, tmp_path / "central", CENTRAL_FLEET__STALE_AFTER_S="600") as (
        _central,
        base_url,
    ):
        for device in (DEVICE, OTHER):
            birth = DeviceStatus(online=True, kind=DeviceKind.KIOSK, version="1.0.0", location="T2 Hall C")
            publish(mosquitto, device, TopicKind.DEVICE_STATUS, encode(birth))
            printer(mosquitto, device, PrinterState.READY)
        with headless_chromium(chromium_executable) as browser:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            sign_in_browser_sync(page, base_url)
            # the other device's alert is raised before the page opens: the page's first list leaves it out
            printer(mosquitto, OTHER, PrinterState.PAPER_OUT)
            page.goto(f"{base_url}/facilities")
            expect(page.locator(f'tr[data-alert="paper_out:{OTHER}"]')).to_be_visible(timeout=15_000)

            page.goto(f"{base_url}/facilities/device?id={DEVICE}&lang=en")
            expect(page.locator("#top")).to_have_attribute("data-live", "live", timeout=10_000)
            expect(page.locator("#alerts-empty")).to_have_text("No alerts for this device.")
            expect(page.locator("#alert-rows tr")).to_have_count(0)

            # raised while the page is open: it appears without a reload, the other device's does not
            printer(mosquitto, DEVICE, PrinterState.COVER_OPEN)
            printer(mosquitto, OTHER, PrinterState.PAPER_LOW)
            row = page.locator(f'#alert-rows tr[data-alert="cover_open:{DEVICE}"]')
            expect(row).to_have_attribute("data-state", "raised", timeout=15_000)
            expect(row).to_contain_text("Printer cover open")
            expect(page.locator("#alert-count")).to_have_text("1")
            expect(page.locator("#alert-rows tr")).to_have_count(1)
            expect(page.locator("#alerts-empty")).to_be_hidden()
            assert row.locator('[data-field="device"]').count() == 0  # the page is the device's already

            row.locator("button.alert-ack").click()
            expect(row).to_have_attribute("data-acked", "true", timeout=10_000)
            expect(row).to_contain_text("ops")
            page.screenshot(path=str(tmp_path / "device-alerts-raised.png"), full_page=True)

            printer(mosquitto, DEVICE, PrinterState.READY)
            expect(row).to_have_attribute("data-state", "cleared", timeout=15_000)
            expect(page.locator("#alert-count")).to_have_text("")

            # a fresh page reads the list from central: the cleared alert is there, still acknowledged
            page.reload()
            row = page.locator(f'#alert-rows tr[data-alert="cover_open:{DEVICE}"]')
            expect(row).to_have_attribute("data-state", "cleared", timeout=10_000)
            expect(row).to_have_attribute("data-acked", "true")
            expect(page.locator("#alert-rows tr")).to_have_count(1)
            page.click("#lang-switch")
            expect(row).to_contain_text("打印机盖未关")
            expect(page.locator("#alerts-title")).to_contain_text("告警")
            page.screenshot(path=str(tmp_path / "device-alerts-cleared-zh.png"), full_page=True)
            # a narrow window: the list wraps inside its panel, it does not run off the side
            page.set_viewport_size({"width": 800, "height": 900})
            fits = "(() => { const s = document.getElementById('alerts'); return s.scrollWidth <= s.clientWidth; })()"
            assert page.evaluate(fits)
            page.screenshot(path=str(tmp_path / "device-alerts-narrow-zh.png"), full_page=True)
    print(f"screenshots in {tmp_path}")
