"""What the kiosk loads before its home screen is painted: nothing the home screen does not need."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]

# The kiosk's own start up to its first paint (kiosk/__main__.py, kiosk.cli, kiosk.ui.app), then the window
# shown: the modules loaded then are what the home screen costs.
HOME_SCREEN = """
import json, sys
from kiosk.cli import main  # noqa: F401  (what `python -m kiosk` imports first)
from PySide6.QtWidgets import QApplication
from device.i18n import Catalogue
from kiosk.session import PassengerSession
from kiosk.settings import KioskSettings
from kiosk.ui.app import KioskApp  # noqa: F401
from kiosk.ui.window import KioskWindow

app = QApplication([])
settings = KioskSettings.model_validate({"app": {"state_dir": sys.argv[1]}, "ui": {"fullscreen": False}})
window = KioskWindow(settings, Catalogue.from_package("kiosk"), PassengerSession("zh-CN"))
window.resize(1080, 1920)
window.show()
window.grab()  # painted
loaded = set(sys.modules)
window.build_screens()
print(json.dumps({"home": sorted(loaded), "later": sorted(set(sys.modules) - loaded)}))
"""

# Media, codecs, images and the bus: loaded after the first paint, when a call, a scan or the bus needs them.
NOT_BEFORE_THE_FIRST_PAINT = (
    "aiortc",
    "av",
    "cv2",
    "numpy",
    "qrcode",
    "PIL",
    "zxingcpp",
    "serial",
    "paho",
    "bus.link",
    "bus.messages",
    "kiosk.calls",
    "kiosk.ui.call",
    "kiosk.ui.flights.screen",
    "kiosk.ui.scan",
    "hardware.camera",
    "hardware.printer.driver",
)


@pytest.fixture(scope="module")
def modules(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(REPO_ROOT)}
    state = tmp_path_factory.mktemp("state")
    done = subprocess.run(
        [sys.executable, "-c", HOME_SCREEN, str(state)], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, list[str]] = json.loads(done.stdout.splitlines()[-1])
    return result


def _loaded(names: list[str], prefix: str) -> list[str]:
    return [name for name in names if name == prefix or name.startswith(prefix + ".")]


@pytest.mark.slow  # starts a Python process with Qt
@pytest.mark.parametrize("prefix", NOT_BEFORE_THE_FIRST_PAINT)
def test_the_home_screen_does_not_load(modules: dict[str, list[str]], prefix: str) -> None:
    assert not _loaded(modules["home"], prefix)


@pytest.mark.slow
def test_the_other_screens_come_after_the_first_paint(modules: dict[str, list[str]]) -> None:
    # the check above would pass if the screens were never built: they are, and bring their modules
    assert _loaded(modules["later"], "kiosk.ui.call")
    assert _loaded(modules["later"], "kiosk.ui.flights.screen")
    assert not _loaded(modules["later"], "aiortc"), "building a screen does not start the media stack"
