"""The home screen: a greeting, large tiles for what the kiosk offers, and where the passenger is."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from device.ui.text import Texts
from kiosk.ui.widgets import Tile


class HomeScreen(QWidget):
    """Where every passenger starts and where the kiosk returns when they leave."""

    info_requested = Signal()
    video_requested = Signal()

    def __init__(self, texts: Texts, location: str, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="Screen")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._texts = texts
        self._location = location
        self.greeting = QLabel(objectName="Greeting", alignment=Qt.AlignmentFlag.AlignCenter)
        self.greeting.setWordWrap(True)
        self.hint = QLabel(objectName="Hint", alignment=Qt.AlignmentFlag.AlignCenter)
        self.location = QLabel(objectName="Location", alignment=Qt.AlignmentFlag.AlignCenter)
        self.video_tile = Tile("video")
        self.video_tile.tapped.connect(self.video_requested)
        self.info_tile = Tile("info")
        self.info_tile.tapped.connect(self.info_requested)

        tiles = QGridLayout()
        tiles.setSpacing(32)
        tiles.addWidget(self.video_tile, 0, 0)
        tiles.addWidget(self.info_tile, 1, 0)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(64, 80, 64, 48)
        layout.setSpacing(24)
        layout.addWidget(self.greeting)
        layout.addWidget(self.hint)
        layout.addSpacing(40)
        layout.addLayout(tiles)
        layout.addStretch(1)
        layout.addWidget(self.location)
        self.retranslate()

    @property
    def tiles(self) -> list[Tile]:
        return [self.video_tile, self.info_tile]

    def retranslate(self) -> None:
        t = self._texts
        self.greeting.setText(t("home.greeting"))
        self.hint.setText(t("home.hint"))
        self.location.setText(t("home.you_are_here", location=self._location) if self._location else "")
        self.location.setVisible(bool(self._location))
        self.video_tile.set_texts(t("tile.video"), t("tile.video_detail"))
        self.info_tile.set_texts(t("tile.info"), t("tile.info_detail"))
