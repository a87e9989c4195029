"""The home screen: a greeting, large tiles for what the kiosk offers, and where the passenger is."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QBoxLayout, QFrame, QScrollArea, QVBoxLayout, QWidget

from device.ui.text import Texts
from kiosk.ui.widgets import Tile, label, tiles_direction


class HomeScreen(QWidget):
    """Where every passenger starts and where the kiosk returns when they leave."""

    info_requested = Signal()
    video_requested = Signal()
    wifi_requested = Signal()

    def __init__(self, texts: Texts, location: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Screen")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._texts = texts
        self._location = location
        centre = Qt.AlignmentFlag.AlignCenter
        self.greeting = label("Greeting", wrap=True, alignment=centre)
        self.hint = label("Hint", wrap=True, alignment=centre)
        self.location = label("Location", wrap=True, alignment=centre)  # from settings: plain text
        self.video_tile = Tile("video")
        self.video_tile.tapped.connect(self.video_requested)
        self.info_tile = Tile("info")
        self.info_tile.tapped.connect(self.info_requested)
        self.wifi_tile = Tile("wifi")
        self.wifi_tile.tapped.connect(self.wifi_requested)
        # None until the printing starts (just after the first paint): the tile waits disabled till then
        self.printer_available: bool | None = None
        self.wifi_tile.setEnabled(False)

        for tile in self.tiles:
            tile.setProperty("prominent", True)  # the first thing a passenger sees: large targets
        tiles = QWidget()
        tiles.setObjectName("Screen")
        self._tiles = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self._tiles.setSpacing(32)
        self._tiles.addWidget(self.video_tile)
        self._tiles.addWidget(self.wifi_tile)
        self._tiles.addWidget(self.info_tile)
        column = QVBoxLayout(tiles)  # the tiles at their height, side by side or one under the other
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(self._tiles)
        column.addStretch(1)
        # three tiles in large text under a two-line greeting are taller than a small portrait screen:
        # there the tiles scroll rather than squeeze into each other (elsewhere they fit as they are)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(tiles)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(64, 56, 64, 40)
        layout.setSpacing(24)
        layout.addWidget(self.greeting)
        layout.addWidget(self.hint)
        layout.addSpacing(16)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.location)
        self.retranslate()

    def set_landscape(self, landscape: bool) -> None:
        self._tiles.setDirection(tiles_direction(landscape))

    @property
    def tiles(self) -> list[Tile]:
        return [self.video_tile, self.wifi_tile, self.info_tile]

    def set_printer_available(self, available: bool) -> None:
        """Whether a Wi-Fi voucher would print now: the tile says so before anyone taps it."""
        self.printer_available = available
        self.wifi_tile.setEnabled(True)
        self.retranslate()

    def retranslate(self) -> None:
        t = self._texts
        self.greeting.setText(t("home.greeting"))
        self.hint.setText(t("home.hint"))
        self.location.setText(t("home.you_are_here", location=self._location) if self._location else "")
        self.location.setVisible(bool(self._location))
        self.video_tile.set_texts(t("tile.video"), t("tile.video_detail"))
        self.info_tile.set_texts(t("tile.info"), t("tile.info_detail"))
        wifi_detail = "tile.wifi_detail" if self.printer_available else "tile.wifi_unavailable"
        self.wifi_tile.set_texts(t("tile.wifi"), t(wifi_detail))
