"""The README's demo command runs the whole system with nothing configured, and stops cleanly."""

from __future__ import annotations

import json
import signal
import urllib.request

import pytest

from tests.peers.net import free_port
from tests.peers.programs import running
from tests.peers.wait import wait_until

pytestmark = pytest.mark.slow


def fetch_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())


def test_the_demo_starts_broker_central_and_kiosk_and_prints_the_pages(tmp_path):
    port = free_port()
    env = {"QT_QPA_PLATFORM": "offscreen"}
    args = ["--http-port", str(port), "--state-dir", str(tmp_path / "demo")]
    with running("demo", env, args) as demo:
        demo.wait_for_line("demo: running", timeout_s=90)
        facilities = demo.wait_for_line("facilities (fleet)").split()[-1]
        assert facilities == f"http://127.0.0.1:{port}/facilities"
        assert "/agent" in demo.wait_for_line("agent console")
        assert "sign in as demo-agent with password" in demo.wait_for_line("sign in as")
        assert "/wallboard" in demo.wait_for_line("wallboard")
        assert (tmp_path / "demo" / "kiosk-home.png").stat().st_size > 10_000
        fleet_url = facilities.replace("/facilities", "/api/fleet")

        def kiosk_online() -> bool:
            devices = {device["id"]: device for device in fetch_json(fleet_url)["devices"]}
            return bool(devices.get("kiosk-demo-1", {}).get("online"))

        wait_until(kiosk_online, "the demo kiosk online on the facilities page")
        demo.process.send_signal(signal.SIGTERM)
        assert demo.process.wait(30) == 0
    assert any("demo: stopping" in line for line in demo.stdout)
