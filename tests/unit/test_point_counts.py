"""The points' counts outlive a restart of central, hold nothing but numbers, and a damaged file only
means counting from now."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from central.points.counts import PointCounts
from central.points.registry import load_registry


def test_counts_saved_are_the_counts_read_back(tmp_path: Path) -> None:
    file = tmp_path / "point-counts.json"
    counts = PointCounts(file, clock=lambda: 1000.0)
    counts.seen("T1-GATE-1", scanned=True)
    counts.seen("T1-GATE-1", scanned=False)
    counts.save()
    again = PointCounts(file, clock=lambda: 2000.0)
    view = again.view(load_registry())
    assert view["since"] == 1000.0
    assert view["points"]["T1-GATE-1"] == {"views": 2, "scans": 1}
    assert view["points"]["GTC-P1"] == {"views": 0, "scans": 0}
    assert set(json.loads(file.read_text())) == {"since", "views", "scans"}  # numbers only, nobody's data


@pytest.mark.parametrize(
    "text", ["", "{", "[]", '{"since": 1}', '{"since": 1, "views": {"../x": 1}, "scans": {}}',
             '{"since": 1, "views": {"A": -1}, "scans": {}}', '{"since": "x", "views": {}, "scans": {}}']
)  # fmt: skip
def test_a_damaged_file_means_counting_from_now(tmp_path: Path, text: str, caplog: pytest.LogCaptureFixture) -> None:
    file = tmp_path / "point-counts.json"
    file.write_text(text)
    counts = PointCounts(file, clock=lambda: 5.0)
    assert counts.since == 5.0 and not counts.views
    assert "unreadable" in caplog.text
