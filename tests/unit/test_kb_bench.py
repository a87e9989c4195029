"""The knowledge-base benchmark still runs (``--quick``): its table, its baseline and its goal line."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from tests.peers.programs import ROOT


def run_benchmark(module: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", module, "--quick"], cwd=ROOT, env=os.environ, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, f"{module} exited {done.returncode}:\n{done.stdout}\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.mark.slow  # a real run of the benchmark: the full suite keeps it from rotting
def test_kb_benchmark_runs_with_its_baseline_and_goal() -> None:
    out = run_benchmark("bench.kb")
    assert "300 articles, 3 queries" in out, out
    for name in ("index, cold", "index, as typed", "HTTP endpoint", "baseline: substring scan"):
        assert re.search(rf"^{re.escape(name)}\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+$", out, re.MULTILINE), out
    assert "goal: p99 ≤ 20 ms per keystroke at the server" in out
    assert re.search(r"keystrokes with an answer: index 21 of 21", out), out
