"""The most-served cities as one-tap buttons, named in the passenger's language."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QGridLayout, QPushButton, QSizePolicy, QStyle, QStyleOptionButton, QStylePainter, QWidget

if TYPE_CHECKING:
    from device.flights.search import City

MAX_CITIES = 8
MIN_NAME_PX = 64


class CityButton(QPushButton):
    """A city's name on a large button; a name longer than the button ends in "…" rather than widening it."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("CityButton")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.city_key = ""

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        return QSize(min(hint.width(), MIN_NAME_PX), hint.height())

    def paintEvent(self, event: QPaintEvent) -> None:
        option = QStyleOptionButton()
        self.initStyleOption(option)
        room = self.style().subElementRect(QStyle.SubElement.SE_PushButtonContents, option, self).width()
        option.text = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, max(0, room - 8))
        QStylePainter(self).drawControl(QStyle.ControlElement.CE_PushButton, option)


class CityGrid(QWidget):
    """Up to eight buttons in rows of ``columns``; ``chosen`` gives the tapped city's key."""

    chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setSpacing(8)
        self.buttons = [CityButton() for _ in range(MAX_CITIES)]
        for button in self.buttons:
            button.clicked.connect(lambda _checked=False, button=button: self.chosen.emit(button.city_key))
        self.cities: list[City] = []
        self._columns = 4
        self._place()

    def set_columns(self, columns: int) -> None:
        if columns != self._columns:
            self._columns = columns
            self._place()

    def _place(self) -> None:
        for button in self.buttons:
            self._grid.removeWidget(button)
        for n, button in enumerate(self.buttons):
            self._grid.addWidget(button, n // self._columns, n % self._columns)
        for column in range(MAX_CITIES):
            self._grid.setColumnStretch(column, 1 if column < self._columns else 0)

    def set_cities(self, cities: list[City], language: str) -> None:
        self.cities = cities[:MAX_CITIES]
        for n, button in enumerate(self.buttons):
            if n < len(self.cities):
                button.city_key = self.cities[n].key
                button.setText(self.cities[n].name(language))
                button.setAccessibleName(self.cities[n].name(language))
            button.setVisible(n < len(self.cities))

    def button_for(self, name: str) -> CityButton | None:
        return next((b for b in self.buttons if b.isVisibleTo(self) and b.text() == name), None)
