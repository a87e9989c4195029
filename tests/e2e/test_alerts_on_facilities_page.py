"""The facilities page in headless Chromium shows an alert as it is raised, records a person's
acknowledgement, and shows it cleared, all live; text from the network stays text."""

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

DEVICE = "kiosk-t1-05"
LOCATION = 'T1 Hall B <img src=x onerror="document.title=1">'


def publish(mosquitto, kind: TopicKind, payload: bytes) -> None:
    mqtt_publish.single(
        TOPICS.device(DEVICE, kind), payload, qos=1, retain=True, hostname="127.0.0.1", port=mosquitto.port
    )


def printer(mosquitto, state: PrinterState) -> None:
    health = DeviceHealth(
        cpu_percent=10, memory_percent=20, app_rss_mb=150, uptime_s=5, printer=PrinterHealth(state=state)
    )
    publish(mosquitto, TopicKind.DEVICE_HEALTH, encode(health))


def test_an_alert_appears_is_acknowledged_and_clears_on_the_facilities_page(mosquitto, tmp_path, chromium_executable):
    # the device reports health only when the test says so: it must not count as silent meanwhile
    with central_with_alerts(mosquitto, tmp_path / "central", CENTRAL_FLEET__STALE_AFTER_S="600") as (
        _central,
        base_url,
    ):
        birth = DeviceStatus(online=True, kind=DeviceKind.KIOSK, version="1.0.0", location=LOCATION)
        publish(mosquitto, TopicKind.DEVICE_STATUS, encode(birth))
        printer(mosquitto, PrinterState.READY)
        with headless_chromium(chromium_executable) as browser:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            sign_in_browser_sync(page, base_url)
            page.goto(f"{base_url}/facilities")
            expect(page.locator("#alerts-empty")).to_be_visible()
            page.screenshot(path=str(tmp_path / "alerts-none.png"))

            printer(mosquitto, PrinterState.PAPER_OUT)
            row = page.locator(f'tr[data-alert="paper_out:{DEVICE}"]')
            expect(row).to_have_attribute("data-state", "raised", timeout=15_000)
            expect(row).to_contain_text("Out of paper")
            expect(row).to_contain_text(LOCATION)  # shown as text, never as markup
            expect(page.locator("#alert-count")).to_have_text("1")
            page.screenshot(path=str(tmp_path / "alerts-raised.png"))

            row.locator("button.alert-ack").click()
            expect(row).to_have_attribute("data-acked", "true", timeout=10_000)
            expect(row).to_contain_text("ops")
            page.screenshot(path=str(tmp_path / "alerts-acknowledged.png"))

            printer(mosquitto, PrinterState.READY)
            expect(row).to_have_attribute("data-state", "cleared", timeout=15_000)
            expect(page.locator("#alert-count")).to_have_text("")
            page.screenshot(path=str(tmp_path / "alerts-cleared.png"))

            page.locator("#lang-switch").click()
            expect(page.locator("#alerts-title")).to_contain_text("告警")
            expect(row).to_contain_text("缺纸")
            page.screenshot(path=str(tmp_path / "alerts-cleared-zh.png"))
            # a narrow window (a laptop beside the radio): the list wraps, it does not run off the side
            page.set_viewport_size({"width": 900, "height": 700})
            fits = "(() => { const s = document.getElementById('alerts'); return s.scrollWidth <= s.clientWidth; })()"
            assert page.evaluate(fits)
            page.screenshot(path=str(tmp_path / "alerts-narrow-zh.png"))
            assert page.title() != "1"
