"""The bar over every kiosk screen: the airport, the time, the connection, and the passenger's two switches."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from device.ui.text import Texts
from device.ui.widgets import Clock, ConnectionLight, ElidedLabel

MARGIN_PX = 40
SPACING_PX = 24


class TopBar(QWidget):
    """Always visible. On one row when everything fits; on a narrow screen (or with large text) the two
    switches move to a second row instead of pushing the window wider than the screen."""

    def __init__(self, texts: Texts, site: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("TopBar")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._texts = texts
        self.site = ElidedLabel(site)
        self.site.setObjectName("Site")
        self.clock = Clock(texts)
        self.connection = ConnectionLight(texts)
        self.language_button = QPushButton()
        self.language_button.setObjectName("BarButton")
        self.large_text_button = QPushButton()
        self.large_text_button.setObjectName("BarButton")
        self.large_text_button.setCheckable(True)

        self._left = QWidget()
        left = QVBoxLayout(self._left)
        left.setContentsMargins(0, 0, 0, 0)
        left.setSpacing(4)
        left.addWidget(self.site)
        left.addWidget(self.connection)
        self._buttons = QWidget()
        buttons = QHBoxLayout(self._buttons)
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.setSpacing(16)
        buttons.addWidget(self.large_text_button)
        buttons.addWidget(self.language_button)

        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(MARGIN_PX, 24, MARGIN_PX, 24)
        self._grid.setHorizontalSpacing(SPACING_PX)
        self._grid.setVerticalSpacing(16)
        self._grid.addWidget(self._left, 0, 0)
        self._grid.setColumnStretch(1, 1)
        self._grid.addWidget(self.clock, 0, 2)
        self.two_rows = False
        self._grid.addWidget(self._buttons, 0, 3)

    def retranslate(self, large_text: bool) -> None:
        t = self._texts
        self.language_button.setText(t("language.switch_to"))
        self.large_text_button.setChecked(large_text)
        self.large_text_button.setText(t("access.large_on") if large_text else t("access.large_off"))
        self.clock.refresh()
        self.connection.retranslate()
        self._arrange(self.width())

    def one_row_width(self) -> int:
        """The width the bar needs to show everything on one row, with the date and the site in full."""
        parts = (self._left.sizeHint(), self.clock.sizeHint(), self._buttons.sizeHint())
        return sum(part.width() for part in parts) + 3 * SPACING_PX + 2 * MARGIN_PX

    def minimumSizeHint(self) -> QSize:
        # never wider than the switches: the bar arranges itself to the screen, not the screen to the bar
        hint = super().minimumSizeHint()
        return QSize(self._buttons.minimumSizeHint().width() + 2 * MARGIN_PX, hint.height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._arrange(event.size().width())

    def _arrange(self, width: int) -> None:
        two_rows = width < self.one_row_width()
        if two_rows == self.two_rows:
            return
        self.two_rows = two_rows
        self._grid.removeWidget(self._buttons)
        if two_rows:
            self._grid.addWidget(self._buttons, 1, 0, 1, 4, Qt.AlignmentFlag.AlignRight)
        else:
            self._grid.addWidget(self._buttons, 0, 3)
