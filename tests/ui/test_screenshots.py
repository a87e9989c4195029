"""The screenshot command draws every kiosk screen and the signage board from the code, in both languages."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from kiosk.ui.tour import SCENES

REPO = Path(__file__).resolve().parents[2]


def distinct_colours(image: QImage, step: int = 24) -> int:
    return len({image.pixel(x, y) for x in range(0, image.width(), step) for y in range(0, image.height(), step)})


@pytest.mark.slow  # renders every screen twice over; the fit test covers the layouts in the quick run
def test_one_command_saves_every_screen_in_both_languages(qapp, tmp_path):
    out = tmp_path / "images"
    env = {**os.environ, "PYTHON": sys.executable}
    env.pop("DISPLAY", None)  # it must need no display
    done = subprocess.run(
        [str(REPO / "scripts" / "screenshots"), "--out", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    expected = {f"kiosk-{scene.name}-{short}.png" for scene in SCENES for short in ("zh", "en")}
    expected |= {f"signage-board-{way}-{short}.png" for way in ("landscape", "portrait") for short in ("zh", "en")}
    saved = {path.name for path in out.iterdir()}
    assert expected <= saved, f"missing: {sorted(expected - saved)}"
    for name in sorted(saved):
        image = QImage(str(out / name))
        assert not image.isNull(), name
        if name.startswith("kiosk-"):
            assert image.size().toTuple() == (1080, 1920), name
        assert (out / name).stat().st_size > 10_000, f"{name} is almost empty"
        assert distinct_colours(image) >= 4, f"{name} is nearly one colour"
    # the same screen in the two languages is not the same picture
    assert (out / "kiosk-home-zh.png").read_bytes() != (out / "kiosk-home-en.png").read_bytes()


def test_a_bad_size_is_refused_with_a_clear_message(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "kiosk.screenshots", "--out", str(tmp_path), "--size", "big"],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "'big' is not WIDTHxHEIGHT" in done.stderr
    assert not list(tmp_path.iterdir())
