"""The real programs under a stand-in for systemd: the kiosk says READY=1 once its home screen has
painted, then WATCHDOG=1 at half of WATCHDOG_USEC, and STOPPING=1 on SIGTERM; central says READY=1 once it
serves, then WATCHDOG=1 from its loop."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.peers.net import free_port
from tests.peers.notify_socket import notify_socket
from tests.peers.programs import running

pytestmark = pytest.mark.slow  # starts the kiosk and central

WATCHDOG = {"WATCHDOG_USEC": "400000"}  # pings every 0.2 s


def test_the_kiosk_is_ready_after_its_first_paint_then_pings_the_watchdog(tmp_path: Path):
    ready_file = tmp_path / "run" / "kiosk.ready"
    with notify_socket(tmp_path / "notify") as notify:
        env = {
            "NOTIFY_SOCKET": str(notify.path),
            **WATCHDOG,
            "AIRPORT_READY_FILE": str(ready_file),
            "QT_QPA_PLATFORM": "offscreen",
            "KIOSK_APP__STATE_DIR": str(tmp_path / "state"),
            "KIOSK_BUS__URL": f"mqtt://127.0.0.1:{free_port()}",  # nobody there: the screen comes first
            "KIOSK_UI__FULLSCREEN": "false",
        }
        with running("kiosk", env, clear_env_prefix="KIOSK_") as kiosk:
            kiosk.wait_for_line("home screen painted", timeout_s=60)
            notify.wait_for("READY=1", timeout_s=30)
            assert any(f.startswith("STATUS=kiosk ") and "showing its first screen" in f for f in notify.fields())
            assert ready_file.read_text().startswith("version=")
            notify.wait_for("WATCHDOG=1", count=3, timeout_s=30)
            assert kiosk.stop() == 0
        notify.wait_for("STOPPING=1", timeout_s=10)


def test_central_is_ready_once_it_serves_then_pings_the_watchdog(tmp_path: Path):
    with notify_socket(tmp_path / "notify") as notify:
        env = {
            "NOTIFY_SOCKET": str(notify.path),
            **WATCHDOG,
            "CENTRAL_APP__STATE_DIR": str(tmp_path / "state"),
            "CENTRAL_HTTP__PORT": str(free_port()),
            "CENTRAL_BUS__URL": f"mqtt://127.0.0.1:{free_port()}",
        }
        with running("central", env, clear_env_prefix="CENTRAL_") as central:
            central.wait_for_line("facilities page at", timeout_s=60)
            notify.wait_for("READY=1", timeout_s=30)
            assert any(f.startswith("STATUS=central ") and "serving http://" in f for f in notify.fields())
            notify.wait_for("WATCHDOG=1", count=3, timeout_s=30)
            assert central.stop() == 0
        notify.wait_for("STOPPING=1", timeout_s=10)


def test_the_signage_player_is_ready_after_its_first_paint_then_pings_the_watchdog(tmp_path: Path):
    with notify_socket(tmp_path / "notify") as notify:
        env = {
            "NOTIFY_SOCKET": str(notify.path),
            **WATCHDOG,
            "QT_QPA_PLATFORM": "offscreen",
            "SIGNAGE_APP__STATE_DIR": str(tmp_path / "state"),
            "SIGNAGE_BUS__URL": f"mqtt://127.0.0.1:{free_port()}",
            "SIGNAGE_DISPLAY__FULLSCREEN": "false",
        }
        with running("signage", env, clear_env_prefix="SIGNAGE_") as signage:
            notify.wait_for("READY=1", timeout_s=60)
            assert any(f.startswith("STATUS=signage ") for f in notify.fields())
            notify.wait_for("WATCHDOG=1", count=3, timeout_s=30)
            assert signage.stop() == 0
        notify.wait_for("STOPPING=1", timeout_s=10)
