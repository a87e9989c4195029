"""Bad input at boot: a kiosk whose printer and camera are not plugged in starts anyway, shows its home
screen, and its health says which device is missing (printer not_connected, camera absent)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from config.sections import BusSection
from tests.peers.inbox import Inbox
from tests.peers.programs import running

pytestmark = pytest.mark.slow  # a broker and the kiosk program


async def test_a_kiosk_booting_without_printer_and_camera_runs_and_says_which_is_missing(mosquitto, tmp_path: Path):
    env = {
        "QT_QPA_PLATFORM": "offscreen",
        "KIOSK_APP__STATE_DIR": str(tmp_path / "state"),
        "KIOSK_BUS__URL": mosquitto.url,
        "KIOSK_BUS__DEVICE_ID": "kiosk-bare",
        "KIOSK_UI__FULLSCREEN": "false",
        "KIOSK_HEALTH__INTERVAL_S": "1",
        "KIOSK_PRINTER__ENABLED": "true",
        "KIOSK_PRINTER__PORT": str(tmp_path / "airport-printer"),  # the udev name, nothing behind it
        "KIOSK_VIDEO__CAMERA": "/dev/airport-camera-not-plugged-in",
    }
    async with Inbox(BusSection(url=mosquitto.url), "airport/+/device/kiosk-bare/health") as inbox:
        with running("kiosk", env, clear_env_prefix="KIOSK_") as kiosk:
            await asyncio.to_thread(kiosk.wait_for_line, "home screen painted", 60)

            def both_reported(_topic: str, body: object) -> bool:
                return isinstance(body, dict) and bool(body.get("printer")) and bool(body.get("camera"))

            health = await inbox.wait_for(both_reported, timeout_s=30)
            assert health["printer"]["state"] == "not_connected"
            assert health["camera"]["state"] == "absent"
            assert kiosk.process.poll() is None  # still running
