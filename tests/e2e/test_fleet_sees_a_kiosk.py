"""The thin thread through every tier: a real kiosk process publishes over a real Mosquitto, the real
``central`` shows it on the facilities page in headless Chromium, and a SIGKILLed kiosk turns offline
there through its Last Will, without a reload."""

from __future__ import annotations

import signal

import pytest
from playwright.sync_api import expect

from tests.peers.central import central_env, kiosk_env
from tests.peers.chromium import headless_chromium
from tests.peers.programs import running
from tests.peers.staff import add_staff, sign_in_browser_sync

pytestmark = pytest.mark.slow


def test_a_killed_kiosk_turns_offline_on_the_facilities_page(mosquitto, tmp_path, chromium_executable):
    kiosk_settings = kiosk_env(
        mosquitto,
        tmp_path / "kiosk",
        "kiosk-t1-b-07",
        KIOSK_BUS__LOCATION="T1 Hall B <script>alert(1)</script>",
        KIOSK_HEALTH__INTERVAL_S="1",
        KIOSK_UI__SCREENSHOT=str(tmp_path / "kiosk-home.png"),
    )
    central_settings = central_env(mosquitto, tmp_path / "central")
    add_staff(tmp_path / "central")
    with running("central", central_settings) as central, running("kiosk", kiosk_settings) as kiosk:
        url = central.wait_for_line("facilities page at").split(" at ", 1)[1].strip()
        kiosk.wait_for_line("screenshot of the home screen saved")
        assert (tmp_path / "kiosk-home.png").stat().st_size > 10_000

        with headless_chromium(chromium_executable) as browser:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            sign_in_browser_sync(page, url.removesuffix("/facilities"))
            page.goto(url)
            row = page.locator('tr[data-device="kiosk-t1-b-07"]')
            expect(row).to_have_attribute("data-online", "true", timeout=15_000)
            # the location comes from the network and is shown as text, never as markup
            expect(row).to_contain_text("<script>alert(1)</script>")
            page.screenshot(path=str(tmp_path / "facilities-online.png"))

            kiosk.process.send_signal(signal.SIGKILL)
            kiosk.process.wait(10)
            expect(row).to_have_attribute("data-online", "false", timeout=10_000)
            expect(row).to_contain_text("lost")
            page.screenshot(path=str(tmp_path / "facilities-offline.png"))


def test_a_kiosk_stopped_cleanly_shows_shutdown(mosquitto, tmp_path, chromium_executable):
    kiosk_settings = kiosk_env(mosquitto, tmp_path / "kiosk", "kiosk-t2-01")
    central_settings = central_env(mosquitto, tmp_path / "central")
    add_staff(tmp_path / "central")
    with running("central", central_settings) as central, running("kiosk", kiosk_settings) as kiosk:
        url = central.wait_for_line("facilities page at").split(" at ", 1)[1].strip()
        with headless_chromium(chromium_executable) as browser:
            page = browser.new_page()
            sign_in_browser_sync(page, url.removesuffix("/facilities"))
            page.goto(url)
            row = page.locator('tr[data-device="kiosk-t2-01"]')
            expect(row).to_have_attribute("data-online", "true", timeout=15_000)
            assert kiosk.stop() == 0
            expect(row).to_have_attribute("data-online", "false", timeout=10_000)
            expect(row).to_contain_text("shutdown")
