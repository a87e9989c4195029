"""The demo runs the printer emulator, points the kiosk at it, and names the folder its receipts land in."""

from __future__ import annotations

import json

import pytest

from tests.peers.net import free_port
from tests.peers.programs import running
from tests.peers.wait import wait_until

# the demo's embedded broker takes port 1883 when it is free: under pytest-xdist these tests share one
# worker, so that no two demos start side by side and both see 1883 free
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("demo-broker-1883")]


def test_the_demo_prints_a_test_page_on_the_emulator_and_names_the_receipts_folder(tmp_path):
    state = tmp_path / "demo"
    args = ["--http-port", str(free_port()), "--state-dir", str(state), "--duration", "120"]
    with running("demo", {"QT_QPA_PLATFORM": "offscreen"}, args) as demo:
        line = demo.wait_for_line("receipts land as PNGs in", timeout_s=90)
        folder = state / "receipts"
        assert line.endswith(str(folder.resolve()))
        record = wait_until(
            lambda: (
                (folder / "receipt-0001.json").exists()
                and json.loads((folder / "receipt-0001.json").read_text("utf-8"))
            ),
            "the kiosk's test page on the emulator",
            timeout_s=60,
        )
        assert (folder / "receipt-0001.png").stat().st_size > 10_000
    assert record["complete"] and record["cut"]
    assert "打印机测试页" in record["text"] and "Printer test page" in record["text"]
    assert record["paper_mm"] == 80
