"""Saving the signage display as PNGs: each language, landscape and portrait, the board, a gate and a belt,
as a working display shows them (with a sample board at HAK, no broker)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from bus.messages.flights import Direction, FlightStatus
from device.flights.store import FlightStore, Freshness
from device.i18n import Catalogue
from signage.rows import AT_THE_BELT
from signage.sample import sample_board
from signage.settings import DisplaySection, Notice
from signage.ui.board import SignageBoard

DEMO_SITE = "HAK"
DEMO_LOCATION = "T1 Departures, Gate 12"
ORIENTATIONS = {"landscape": (1920, 1080), "portrait": (1080, 1920)}
DEMO_NOTICES = [
    Notice(zh="请勿将行李无人看管", en="Please do not leave your baggage unattended"),
    Notice(zh="免费无线网络：Airport-Free-WiFi", en="Free Wi-Fi: Airport-Free-WiFi"),
]


class PictureStore(FlightStore):
    """A store holding a sample board that counts as live (nothing but the pictures uses it)."""

    def freshness(self, direction: Direction) -> Freshness:
        return Freshness.LIVE if self.revision(direction) is not None else Freshness.NONE


def sample_store(state_dir: Path, now: datetime | None = None, live: bool = True) -> FlightStore:
    store = PictureStore(state_dir) if live else FlightStore(state_dir)
    moment = now or datetime.now(UTC)
    for direction in Direction:
        store.apply_snapshot(sample_board(direction, moment))
    return store


def build_board(
    size: tuple[int, int],
    store: FlightStore,
    site: str = DEMO_SITE,
    location: str = DEMO_LOCATION,
    **display: Any,
) -> SignageBoard:
    """A display in a window of ``size``, shown (offscreen or not), first language first."""
    width, height = size
    section = DisplaySection(fullscreen=False, width=width, height=height, **display)
    board = SignageBoard(site, location, section, Catalogue.from_package("signage"), store)
    board.resize(width, height)
    board.show()
    return board


def settle() -> None:
    for _ in range(3):
        QApplication.processEvents()


def busy_places(store: FlightStore) -> tuple[str, str]:
    """A gate where a flight is boarding and a belt with bags on it, so that the pictures show both busy."""
    gates = [f.gate for f in store.flights(Direction.DEPARTURES) if f.status is FlightStatus.BOARDING]
    belts = [f.belt for f in store.flights(Direction.ARRIVALS) if f.status in AT_THE_BELT]
    return (gates[0] if gates else "12"), (belts[-1] if belts else "3")


def save_screenshots(out: Path, languages: Mapping[str, str], state_dir: Path, scale: float = 1.0) -> list[Path]:
    """Each picture in each orientation and each of ``languages`` (catalogue code to file name part)."""
    app = QApplication.instance() or QApplication([])
    app.setApplicationName("signage")
    store = sample_store(state_dir)
    gate, belt = busy_places(store)
    pictures: dict[str, dict[str, Any]] = {
        "board": {"rows": 12},
        "gate": {"mode": "gate", "gate": gate},
        "belt": {"mode": "belt", "belt": belt},
    }
    saved: list[Path] = []
    for kind, display in pictures.items():
        for orientation, size in ORIENTATIONS.items():
            rows = {"rows": 20} if kind == "board" and orientation == "portrait" else {}
            board = build_board(size, store, notices=DEMO_NOTICES, **{**display, **rows})
            board.stop()  # the pictures choose the language, not the clock
            board.set_connection("online")
            for _ in range(len(languages)):
                settle()
                short = languages.get(board.rotation.language, board.rotation.language)
                saved.append(save(board, out / f"signage-{kind}-{orientation}-{short}.png", scale))
                board.next_language()
            board.close()
            board.deleteLater()
    return saved


def save(board: SignageBoard, path: Path, scale: float = 1.0) -> Path:
    picture = board.grab()
    if scale != 1.0:
        picture = picture.scaledToWidth(round(picture.width() * scale), Qt.TransformationMode.SmoothTransformation)
    if not picture.save(str(path)):
        raise OSError(f"could not write {path}")
    return path
