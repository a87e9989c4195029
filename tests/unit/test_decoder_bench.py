"""``bench/scan.py`` still runs (``--quick``) as the real program: its tables and goal lines come out."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.peers.programs import ROOT


@pytest.mark.slow  # a real run of the benchmark: decodes, then the kiosk window scanning a pass
def test_scan_benchmark_runs():
    done = subprocess.run(
        [sys.executable, "-m", "bench.scan", "--quick"],
        cwd=ROOT,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, f"bench.scan exited {done.returncode}:\n{done.stdout}\n{done.stderr[-3000:]}"
    out = done.stdout
    for row in ("kiosk (zxing-cpp + fallbacks)", "zxing-cpp alone", "OpenCV QR detector", "partly covered", "moiré"):
        assert row in out
    for goal in ("goal QR read ≥ 98%:", "goal PDF417 read ≥ 95%:", "goal Aztec read ≥ 95%:", "goal median ≤ 30 ms"):
        assert goal in out
    assert "the flight (HU7181, gate 12) on the result screen in 2 of 2 runs" in out
    assert "goal ≤ 500 ms in every run:" in out
