"""Video help, first screen: which language (or sign language), and how long the wait is."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from device.ui.text import Texts
from kiosk.ui.call.expected_wait import expected_wait_text
from kiosk.ui.video_help_state import VideoHelp
from kiosk.ui.widgets import Tile, label, tiles_direction

if TYPE_CHECKING:  # the message models load with the bus, after the first paint
    from bus.messages.central import QueueSummary

# (button key, language sent in the request, skills, queue skill looked up for the wait)
CHOICES: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    ("lang_zh", "zh-CN", (), "zh"),
    ("lang_en", "en", (), "en"),
    ("sign", "zh-CN", ("sign",), "sign"),
)


def wait_text(texts: Texts, summary: QueueSummary | None, skill: str) -> str:
    """What to say about the wait for ``skill``; empty when nothing is known yet."""
    if summary is None or skill not in summary.skills:
        return ""
    queue = summary.skills[skill]
    if queue.expected_wait_s is None:
        return ""
    if queue.agents_available > 0 and queue.waiting == 0:
        return texts("call.wait_now")
    return expected_wait_text(texts, queue.expected_wait_s)


def is_staffed(summary: QueueSummary | None, skill: str) -> bool:
    """True unless the switchboard says nobody with this skill is staffed (unknown counts as staffed)."""
    if summary is None or skill not in summary.skills:
        return summary is None
    return summary.skills[skill].expected_wait_s is not None


OTHER_TILE_MARGINS = (40, 18, 40, 18)  # as the home screen's compact tiles
UNAVAILABLE_TEXTS = {
    VideoHelp.KIOSK_OFFLINE: "video_help.kiosk_offline",
    VideoHelp.CENTRAL_OFFLINE: "video_help.central_offline",
}
"""Why video help cannot be offered, as the choice screen says it (the home tile has a shorter line)."""


class CallChoiceScreen(QWidget):
    """Three large choices; choices nobody can answer now are hidden, and if none is left the screen
    says so, shows the service hours and offers the other things the kiosk does. While the kiosk or central
    is offline no choice is offered at all: the screen says why and offers the same other things."""

    chosen = Signal(str, list)  # language, skills
    home_requested = Signal()
    info_requested = Signal()
    flights_requested = Signal()
    wifi_requested = Signal()

    def __init__(self, texts: Texts, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Screen")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._texts = texts
        self._summary: QueueSummary | None = None
        self.video_help = VideoHelp.AVAILABLE
        self.title = label("ScreenTitle", wrap=True)
        self.subtitle = label("Hint", wrap=True)
        self.home_button = QPushButton()
        self.home_button.setObjectName("NavButton")
        self.home_button.clicked.connect(self.home_requested)
        self.tiles: dict[str, Tile] = {}
        for key, language, skills, _skill in CHOICES:
            tile = Tile(key)
            tile.tapped.connect(lambda language=language, skills=skills: self.chosen.emit(language, list(skills)))
            self.tiles[key] = tile
        centre = Qt.AlignmentFlag.AlignCenter
        self.closed_title = label("Greeting", wrap=True, alignment=centre)
        # the service hours come from the switchboard: plain text, never markup
        self.closed_body = label("InfoBody", wrap=True, alignment=centre)
        # what works without an agent: the last flight board kept on disk, the Wi-Fi code, the information
        self.flights_tile = Tile("flights")
        self.flights_tile.tapped.connect(self.flights_requested)
        self.wifi_tile = Tile("wifi")
        self.wifi_tile.tapped.connect(self.wifi_requested)
        self.info_tile = Tile("info")
        self.info_tile.tapped.connect(self.info_requested)

        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(self.home_button, 0, Qt.AlignmentFlag.AlignRight)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(56, 32, 56, 32)
        layout.setSpacing(20)
        layout.addLayout(header)
        layout.addWidget(self.subtitle)
        self._tiles = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self._tiles.setSpacing(20)
        for tile in self.tiles.values():
            self._tiles.addWidget(tile)
        layout.addLayout(self._tiles)
        layout.addWidget(self.closed_title)
        layout.addWidget(self.closed_body)
        self._others = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self._others.setSpacing(20)
        for tile in self.other_tiles:
            tile_layout = tile.layout()
            if tile_layout is not None:  # three under a title and its reason fit 800x1280 in large text
                tile_layout.setContentsMargins(*OTHER_TILE_MARGINS)
            self._others.addWidget(tile)
        layout.addLayout(self._others)
        layout.addStretch(1)
        self.retranslate()

    def set_landscape(self, landscape: bool) -> None:
        """Side by side on a landscape screen: three tiles stacked do not fit its height."""
        self._tiles.setDirection(tiles_direction(landscape))
        self._others.setDirection(tiles_direction(landscape))

    @property
    def other_tiles(self) -> list[Tile]:
        """What the screen offers when no call can be made."""
        return [self.flights_tile, self.wifi_tile, self.info_tile]

    def set_video_help(self, state: VideoHelp) -> None:
        """Offline (the kiosk's link, or central): no choice is offered, the screen says why."""
        self.video_help = state
        self.retranslate()

    def set_queue(self, summary: QueueSummary | None) -> None:
        self._summary = summary
        self.retranslate()

    @property
    def open_choices(self) -> list[str]:
        if self.video_help is not VideoHelp.AVAILABLE:
            return []
        return [key for key, *_rest, skill in CHOICES if is_staffed(self._summary, skill)]

    def retranslate(self) -> None:
        t = self._texts
        self.title.setText(t("call.choose_title"))
        self.subtitle.setText(t("call.choose_subtitle"))
        self.home_button.setText(t("nav.home"))
        open_keys = self.open_choices
        for key, *_rest, skill in CHOICES:
            tile = self.tiles[key]
            detail = wait_text(t, self._summary, skill)
            if key == "sign":
                detail = " · ".join(part for part in (t("call.sign_detail"), detail) if part)
            tile.set_texts(t(f"call.{key}"), detail)
            tile.setVisible(key in open_keys)
        closed = not open_keys
        hours = self._summary.service_hours if self._summary is not None else ""
        self.subtitle.setVisible(not closed)
        self.closed_title.setVisible(closed)
        self.closed_body.setVisible(closed)
        unavailable = UNAVAILABLE_TEXTS.get(self.video_help)
        # nobody staffed: the hours and the information; offline: what the kiosk does without the network
        self.info_tile.setVisible(closed)
        self.flights_tile.setVisible(unavailable is not None)
        self.wifi_tile.setVisible(unavailable is not None)
        if unavailable is None:
            self.closed_title.setText(t("call.closed_title"))
            self.closed_body.setText(t("call.closed_body", hours=hours or "—"))
        else:
            # the title says it (a second, larger one would push the tiles off a small screen)
            self.title.setText(t("video_help.title"))
            self.closed_title.setVisible(False)
            self.closed_body.setText(t(unavailable))
        # offline, the board is the last one the kiosk kept: say so before the passenger relies on it
        flights_detail = "flights.tile_detail" if unavailable is None else "video_help.flights_detail"
        self.flights_tile.set_texts(t("flights.tile"), t(flights_detail))
        self.wifi_tile.set_texts(t("tile.wifi"), t("tile.wifi_detail"))
        self.info_tile.set_texts(t("tile.info"), t("tile.info_detail"))
