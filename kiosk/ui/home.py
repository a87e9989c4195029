"""The home screen: a greeting, large tiles for what the kiosk offers, and where the passenger is."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QBoxLayout, QFrame, QHBoxLayout, QPushButton, QScrollArea, QVBoxLayout, QWidget

from device.ui.text import Texts
from kiosk.ui.video_help_state import VideoHelp
from kiosk.ui.widgets import Tile, label, tiles_direction

ROOMY_MARGINS = (64, 56, 64, 40)
COMPACT_MARGINS = (40, 24, 40, 16)
TILE_MARGINS = (40, 28, 40, 28)
COMPACT_TILE_MARGINS = (40, 18, 40, 18)  # four tiles in large text fit a small portrait screen unscrolled
COMPACT_BELOW_PX = 1100
"""The home screen's own height (the window less its top bar) below which it is laid out compactly."""
VIDEO_UNAVAILABLE_DETAILS = {
    VideoHelp.KIOSK_OFFLINE: "video_help.tile_kiosk_offline",
    VideoHelp.CENTRAL_OFFLINE: "video_help.tile_central_offline",
}


class HomeScreen(QWidget):
    """Where every passenger starts and where the kiosk returns when they leave."""

    info_requested = Signal()
    video_requested = Signal()
    wifi_requested = Signal()
    flights_requested = Signal()
    feedback_requested = Signal()

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
        # still tapped while offline: the choice screen then says why and offers what works without it
        self.video_help = VideoHelp.AVAILABLE
        self.video_tile.tapped.connect(self.video_requested)
        self.flights_tile = Tile("flights")
        self.flights_tile.tapped.connect(self.flights_requested)
        self.info_tile = Tile("info")
        self.info_tile.tapped.connect(self.info_requested)
        self.wifi_tile = Tile("wifi")
        self.wifi_tile.tapped.connect(self.wifi_requested)
        # None until the printing starts (just after the first paint): the tile waits disabled till then
        self.printer_available: bool | None = None
        self.wifi_tile.setEnabled(False)

        # not why people come to a kiosk: a slim tile under the others, always in view (never scrolled to)
        self.feedback_tile = QPushButton()
        self.feedback_tile.setObjectName("ChoiceButton")
        self.feedback_tile.setAccessibleName("feedback")
        self.feedback_tile.clicked.connect(self.feedback_requested)
        for tile in self.tiles:
            tile.setProperty("prominent", True)  # the first thing a passenger sees: large targets
        tiles = QWidget()
        tiles.setObjectName("Screen")
        self._tiles = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self._tiles.setSpacing(32)
        self._tiles.addWidget(self.video_tile)
        self._tiles.addWidget(self.flights_tile)
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
        layout.setContentsMargins(*ROOMY_MARGINS)
        layout.setSpacing(24)
        self._layout = layout
        self._compact = False
        self._landscape = False  # tiles side by side always fit
        layout.addWidget(self.greeting)
        layout.addWidget(self.hint)
        layout.addSpacing(16)
        layout.addWidget(scroll, 1)
        # where the passenger is and the feedback tile share the last line: four tiles in large text must
        # still fit a small portrait screen unscrolled
        footer = QHBoxLayout()
        footer.setSpacing(24)
        footer.addWidget(self.location, 1)
        footer.addWidget(self.feedback_tile, 0, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        layout.addLayout(footer)
        self.retranslate()

    def resizeEvent(self, event: QResizeEvent) -> None:
        # On a short screen (800x1280 under the top bar, more so in large text) the greeting, the hint and
        # three tiles at their full size do not fit: the greeting takes the title size and the tiles their
        # ordinary height, so every tile stays on screen without scrolling.
        self._set_compact(not self._landscape and event.size().height() < COMPACT_BELOW_PX)
        super().resizeEvent(event)

    def _set_compact(self, compact: bool) -> None:
        if compact is self._compact:
            return
        self._compact = compact
        self._layout.setContentsMargins(*(COMPACT_MARGINS if compact else ROOMY_MARGINS))
        self._tiles.setSpacing(16 if compact else 32)
        # "touch a button" says what four large tiles already say: on a short screen the room goes to them
        self.hint.setVisible(not compact)
        for tile in self.tiles:
            tile_layout = tile.layout()
            if tile_layout is not None:
                tile_layout.setContentsMargins(*(COMPACT_TILE_MARGINS if compact else TILE_MARGINS))
        for widget in (self.greeting, *self.tiles):
            widget.setProperty("compact", compact)
            widget.style().unpolish(widget)
            widget.style().polish(widget)

    def set_landscape(self, landscape: bool) -> None:
        self._landscape = landscape
        self._tiles.setDirection(tiles_direction(landscape))
        self._set_compact(not landscape and self.height() < COMPACT_BELOW_PX)

    @property
    def tiles(self) -> list[Tile]:
        return [self.video_tile, self.flights_tile, self.wifi_tile, self.info_tile]

    def set_printer_available(self, available: bool) -> None:
        """Whether a Wi-Fi voucher would print now: the tile says so before anyone taps it."""
        self.printer_available = available
        self.wifi_tile.setEnabled(True)
        self.retranslate()

    def set_video_help(self, state: VideoHelp) -> None:
        """Whether a call could be made now: the Video help tile says so (and why not) before anyone taps it."""
        self.video_help = state
        # greyed and dashed, still tappable: the tap says why and offers what works
        tile = self.video_tile
        tile.setProperty("unavailable", state is not VideoHelp.AVAILABLE)
        for widget in (tile, tile.title, tile.detail):
            widget.style().unpolish(widget)
            widget.style().polish(widget)
        self.retranslate()

    def retranslate(self) -> None:
        t = self._texts
        self.greeting.setText(t("home.greeting"))
        self.hint.setText(t("home.hint"))
        self.location.setText(t("home.you_are_here", location=self._location) if self._location else "")
        self.location.setVisible(bool(self._location))
        video_detail = VIDEO_UNAVAILABLE_DETAILS.get(self.video_help, "tile.video_detail")
        self.video_tile.set_texts(t("tile.video"), t(video_detail))
        self.flights_tile.set_texts(t("flights.tile"), t("flights.tile_detail"))
        self.info_tile.set_texts(t("tile.info"), t("tile.info_detail"))
        self.feedback_tile.setText(t("feedback.tile"))
        # never narrower than its words: the place line beside it wraps instead
        self.feedback_tile.setMinimumWidth(self.feedback_tile.sizeHint().width())
        self.feedback_tile.setAccessibleDescription(t("feedback.tile_detail"))
        # not yet known (the printer starts just after the first paint) is not "unavailable"
        wifi_detail = "tile.wifi_unavailable" if self.printer_available is False else "tile.wifi_detail"
        self.wifi_tile.set_texts(t("tile.wifi"), t(wifi_detail))
