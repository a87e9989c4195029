"""Saving every scene of kiosk.ui.tour as a PNG, on a kiosk window built from default settings."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QApplication

from device.i18n import Catalogue
from kiosk.session import PassengerSession
from kiosk.settings import KioskSettings
from kiosk.ui.tour import SCENES, settle
from kiosk.ui.window import KioskWindow

DEMO_LOCATION = "T1 Departures, Hall B"


def save_screenshots(
    out: Path,
    size: tuple[int, int],
    languages: Mapping[str, str],
    large_text_scenes: Iterable[str],
    scale: float = 1.0,
) -> list[Path]:
    """Every scene in every language (``languages`` maps catalogue codes to file name parts); the scenes
    named in ``large_text_scenes`` once more with large text; pictures scaled by ``scale``. Returns the
    files written."""
    app = QApplication.instance() or QApplication([])
    app.setApplicationName("kiosk")
    saved: list[Path] = []
    large = set(large_text_scenes)
    for language, short in languages.items():
        for large_text in (False, True):
            scenes = [scene for scene in SCENES if scene.name in large] if large_text else list(SCENES)
            window = _window(language, size, large_text)
            for scene in scenes:
                scene.show(window)
                settle()
                suffix = f"large-{short}" if large_text else short
                path = out / f"kiosk-{scene.name}-{suffix}.png"
                if not scaled(window.grab(), scale).save(str(path)):
                    raise OSError(f"could not write {path}")
                saved.append(path)
            window.close()
            window.deleteLater()
    return saved


def scaled(picture: QPixmap, scale: float) -> QPixmap:
    if scale == 1.0:
        return picture
    return picture.scaledToWidth(round(picture.width() * scale), Qt.TransformationMode.SmoothTransformation)


def _window(language: str, size: tuple[int, int], large_text: bool) -> KioskWindow:
    width, height = size
    settings = KioskSettings.model_validate(
        {
            "bus": {"location": DEMO_LOCATION},
            "ui": {"fullscreen": False, "width": width, "height": height, "language": language},
        }
    )
    session = PassengerSession(language)
    window = KioskWindow(settings, Catalogue.from_package("kiosk"), session)
    window.resize(width, height)
    window.show()
    window.set_connection("online")  # as a working kiosk shows it
    session.set_large_text(large_text)
    settle()
    return window
