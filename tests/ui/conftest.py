"""A kiosk window built from default settings, as a passenger finds it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from device.i18n import Catalogue
from kiosk.session import PassengerSession
from kiosk.settings import KioskSettings
from kiosk.ui.window import KioskWindow


@pytest.fixture
def make_window(qtbot: Any, tmp_path: Any) -> Callable[..., KioskWindow]:
    def make(location: str = "T1 Hall B", **ui: Any) -> KioskWindow:
        settings = KioskSettings.model_validate(
            {
                "app": {"state_dir": str(tmp_path)},
                "bus": {"location": location},
                "ui": {"fullscreen": False, "width": 1080, "height": 1920, **ui},
            }
        )
        window = KioskWindow(settings, Catalogue.from_package("kiosk"), PassengerSession(settings.ui.language))
        qtbot.addWidget(window)
        window.resize(settings.ui.width, settings.ui.height)
        window.show()
        qtbot.waitExposed(window)
        return window

    return make
