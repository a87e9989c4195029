"""Fleet commands end to end: the real ``central`` sends each command to a real kiosk (and a signage
player) over Mosquitto, the device answers once on cmd/reply, screenshots and logs arrive over HTTP with
their one-time token, and a command to a device that is away times out where staff can see it."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from tests.peers.central import central_env, kiosk_env
from tests.peers.fleet_console import FleetConsole
from tests.peers.programs import running
from tests.peers.staff import add_staff, staff_cookie
from tests.peers.wait import wait_until

pytestmark = pytest.mark.slow

KIOSK = "kiosk-t1-c-03"
SIGNAGE = "signage-t1-09"
WIDTH, HEIGHT = 720, 1100


def _console(central) -> FleetConsole:
    url = central.wait_for_line("facilities page at").split(" at ", 1)[1].strip()
    base_url = url.removesuffix("/facilities")
    return FleetConsole(base_url, staff_cookie(base_url))


def _online(console: FleetConsole, device: str) -> bool:
    return bool((console.device(device)["device"] or {}).get("online"))


def test_every_command_round_trips_against_a_kiosk_process(mosquitto, tmp_path):
    add_staff(tmp_path / "central")
    kiosk_settings = kiosk_env(
        mosquitto, tmp_path / "kiosk", KIOSK, KIOSK_UI__WIDTH=str(WIDTH), KIOSK_UI__HEIGHT=str(HEIGHT)
    )
    with (
        running("central", central_env(mosquitto, tmp_path / "central")) as central,
        running("kiosk", kiosk_settings) as kiosk,
    ):
        console = _console(central)
        kiosk.wait_for_line("home screen painted")
        wait_until(lambda: _online(console, KIOSK), "the kiosk online at central", timeout_s=30)

        notice = console.run(KIOSK, "show_notice", {"zh": "二号门关闭", "en": "Gate 2 is closed", "minutes": 5})
        shot = console.run(KIOSK, "screenshot")
        png = console.get(f"/api/fleet/devices/{KIOSK}/screenshot")
        logs = console.run(KIOSK, "collect_logs", {"lines": 500})
        log_text = console.get(f"/api/fleet/devices/{KIOSK}/logs").decode()
        bad = console.run(KIOSK, "show_notice", {"zh": "x", "en": "x", "minutes": -3})
        printed = console.run(KIOSK, "print_test")
        reloaded = console.run(KIOSK, "reload_flights")  # the Flights screen's boards
        status, unknown = console.post(
            f"/api/fleet/devices/{KIOSK}/commands", b'{"name": "self_destruct"}', "application/json"
        )
        page = console.device(KIOSK)
        cleared = console.run(KIOSK, "show_notice", {"minutes": 0})
        restart = console.run(KIOSK, "restart_app")
        exit_status = kiosk.process.wait(30)

    assert notice["state"] == "done", notice
    assert notice["detail"] == "notice shown for 5 min"
    assert shot["state"] == "done", shot
    assert shot["detail"].startswith(f"screenshot {WIDTH}x{HEIGHT} uploaded")
    assert "token" not in shot["args"], "the upload token is never shown back"
    picture = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)
    assert picture.shape[:2] == (HEIGHT, WIDTH), "the PNG is the whole window"
    # the notice banner is on it: its yellow fills whole rows under the top bar
    assert ((picture[:, :, 0] < 120) & (picture[:, :, 1] > 190) & (picture[:, :, 2] > 230)).any(axis=1).sum() > 20
    assert logs["state"] == "done", logs
    assert logs["detail"].startswith(f"{len(log_text.splitlines())} log lines uploaded"), "all it had, under 500"
    assert "command screenshot" in log_text, "the kiosk's own recent lines"
    assert bad["state"] == "refused" and "'minutes'" in bad["detail"], bad
    assert printed["state"] == "refused" and "no printer" in printed["detail"], printed
    assert reloaded["state"] == "done" and reloaded["detail"].startswith("flight boards read again"), reloaded
    assert status == 400 and "unknown command 'self_destruct'" in unknown
    assert [command["name"] for command in page["commands"]][:2] == ["reload_flights", "print_test"]
    assert cleared["state"] == "done" and cleared["detail"] == "notice cleared"
    assert restart["state"] == "done" and restart["detail"].startswith("restarting"), restart
    assert exit_status == 75, "the kiosk stopped for its service manager to start it again"


def test_a_command_to_a_device_that_is_away_times_out_visibly(mosquitto, tmp_path):
    add_staff(tmp_path / "central")
    env = {**central_env(mosquitto, tmp_path / "central"), "CENTRAL_FLEET__COMMAND_TIMEOUT_S": "1.5"}
    with running("central", env) as central:
        console = _console(central)
        sent = console.send("kiosk-t9-99", "screenshot")
        assert sent["state"] == "sent"
        outcome = console.outcome("kiosk-t9-99", sent["id"], timeout_s=15)
    assert outcome["state"] == "timed_out"
    assert outcome["detail"] == "no reply within 1.5 s: is the device online?"
    assert outcome["answered_at"] is not None


def test_a_signage_player_reloads_its_flights_and_shows_a_notice(mosquitto, tmp_path):
    add_staff(tmp_path / "central")
    signage_env = {
        "QT_QPA_PLATFORM": "offscreen",
        "SIGNAGE_BUS__URL": mosquitto.url,
        "SIGNAGE_BUS__DEVICE_ID": SIGNAGE,
        "SIGNAGE_APP__STATE_DIR": str(tmp_path / "signage"),
        "SIGNAGE_DISPLAY__FULLSCREEN": "false",
        "SIGNAGE_DISPLAY__WIDTH": "960",
        "SIGNAGE_DISPLAY__HEIGHT": "540",
    }
    with (
        running("central", central_env(mosquitto, tmp_path / "central")) as central,
        running("signage", signage_env) as signage,
    ):
        console = _console(central)
        signage.wait_for_line("showing its")
        wait_until(lambda: _online(console, SIGNAGE), "the signage player online at central", timeout_s=30)
        reload = console.run(SIGNAGE, "reload_flights")
        notice = console.run(SIGNAGE, "show_notice", {"zh": "请注意", "en": "Attention", "minutes": 1})
        shot = console.run(SIGNAGE, "screenshot")
    assert reload["state"] == "done", reload
    assert reload["detail"].startswith("flight boards read again: dep revision ")
    assert notice["state"] == "done"
    assert shot["detail"].startswith("screenshot 960x540 uploaded")
