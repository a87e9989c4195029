"""Saving the signage board as PNGs: each language, landscape and portrait, as a working display shows it."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from device.i18n import Catalogue
from signage.settings import DisplaySection
from signage.ui.board import SignageBoard

DEMO_SITE = "HAK"
DEMO_LOCATION = "T1 Departures, Gate 12"
ORIENTATIONS = {"landscape": (1920, 1080), "portrait": (1080, 1920)}


def build_board(size: tuple[int, int], site: str = DEMO_SITE, location: str = DEMO_LOCATION) -> SignageBoard:
    """A board in a window of ``size``, shown (offscreen or not), first language first."""
    width, height = size
    display = DisplaySection(fullscreen=False, width=width, height=height)
    board = SignageBoard(site, location, display, Catalogue.from_package("signage"))
    board.resize(width, height)
    board.show()
    return board


def settle() -> None:
    for _ in range(3):
        QApplication.processEvents()


def save_screenshots(out: Path, languages: Mapping[str, str], scale: float = 1.0) -> list[Path]:
    """The board in each orientation and each of ``languages`` (catalogue code to file name part),
    scaled by ``scale``."""
    app = QApplication.instance() or QApplication([])
    app.setApplicationName("signage")
    saved: list[Path] = []
    for orientation, size in ORIENTATIONS.items():
        board = build_board(size)
        board.rotation_timer.stop()  # the pictures choose the language, not the clock
        board.set_connection("online")
        for _ in range(len(languages)):
            settle()
            short = languages.get(board.rotation.language, board.rotation.language)
            path = out / f"signage-board-{orientation}-{short}.png"
            picture = board.grab()
            if scale != 1.0:
                smooth = Qt.TransformationMode.SmoothTransformation
                picture = picture.scaledToWidth(round(picture.width() * scale), smooth)
            if not picture.save(str(path)):
                raise OSError(f"could not write {path}")
            saved.append(path)
            board.next_language()
        board.close()
        board.deleteLater()
    return saved
