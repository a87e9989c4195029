"""Flights as rows of a Qt table (time, flight, city, gate or belt, status), for a board or for search
results. Only the rows on screen are ever asked for their words, so 2,000 flights cost no more to show
than twenty; a new list is one model reset (a keystroke's results, a board change)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from enum import IntEnum
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from kiosk.ui.flights.words import STATUS_COLOURS, Texts, city, clock, is_departure, place, remark, status_of, zone

if TYPE_CHECKING:
    from bus.messages.flights import Flight

Index = QModelIndex | QPersistentModelIndex
ROLE = Qt.ItemDataRole
DARK_TEXT = QColor("#14213d")


class Column(IntEnum):
    TIME = 0
    FLIGHT = 1
    CITY = 2
    PLACE = 3
    STATUS = 4


class FlightRows(QAbstractTableModel):
    """The flights shown in the list, in the order given; words in the passenger's language now."""

    def __init__(self, texts: Texts, clock_now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        super().__init__()
        self._texts = texts
        self._now = clock_now
        self._flights: list[Flight] = []
        self._tz = zone("")
        self._mixed = False  # search results hold both boards: each row says "to" or "from"
        self.high_contrast = False
        self._bold = QFont()
        self._bold.setBold(True)
        self._words_of: dict[int, tuple[str, ...]] = {}  # a row's words, made once when first painted

    @property
    def flights(self) -> list[Flight]:
        return self._flights

    def set_flights(self, flights: list[Flight], tz: str, *, mixed: bool = False) -> None:
        self.beginResetModel()
        self._words_of.clear()
        self._flights = flights
        self._tz = zone(tz)
        self._mixed = mixed
        self.endResetModel()

    def set_high_contrast(self, on: bool) -> None:
        self.high_contrast = on
        self.refresh_words()

    def refresh_words(self) -> None:
        """Another language or look: the same rows, new words (the view repaints only what it shows)."""
        self._words_of.clear()
        if self._flights:
            last = self.index(len(self._flights) - 1, len(Column) - 1)
            self.dataChanged.emit(self.index(0, 0), last)
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(Column) - 1)

    def flight_at(self, row: int) -> Flight | None:
        return self._flights[row] if 0 <= row < len(self._flights) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's own signature
        return 0 if parent.isValid() else len(self._flights)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = ROLE.DisplayRole) -> Any:
        if orientation is not Qt.Orientation.Horizontal:
            return None
        if role == ROLE.DisplayRole:
            if section == Column.PLACE and not self._mixed and self._flights:
                return self._texts("flights.col_gate" if is_departure(self._flights[0]) else "flights.col_belt")
            keys = (
                "flights.col_time",
                "flights.col_flight",
                "flights.col_city",
                "flights.col_place",
                "flights.col_status",
            )
            return self._texts(keys[section])
        if role == ROLE.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        return None

    def data(self, index: Index, role: int = ROLE.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._flights):
            return None
        row, column = index.row(), index.column()
        if role == ROLE.DisplayRole or (role == ROLE.ToolTipRole and column == Column.CITY):
            words = self._words_of.get(row)
            if words is None:
                words = self._words_of[row] = tuple(self._words(self._flights[row], c) for c in Column)
            return words[column]
        flight = self._flights[row]
        if role == ROLE.FontRole and column in (Column.TIME, Column.FLIGHT, Column.STATUS):
            return self._bold
        if column == Column.STATUS and role in (ROLE.BackgroundRole, ROLE.ForegroundRole):
            colour = QColor(STATUS_COLOURS.get(status_of(flight), "#ffffff"))
            if self.high_contrast:  # the board's colours are made for a dark screen: there they are the text
                return colour if role == ROLE.ForegroundRole else None
            return colour if role == ROLE.BackgroundRole else DARK_TEXT
        return None

    def cell(self, row: int, column: int) -> tuple[str, bool, QColor | None, QColor | None]:
        """What a cell shows (text, bold, text colour, background) in one call: the list's painter asks
        this instead of one ``data`` call per role, which is most of a repaint's time."""
        words = self._words_of.get(row)
        if words is None:
            words = self._words_of[row] = tuple(self._words(self._flights[row], c) for c in Column)
        if column != Column.STATUS:
            return words[column], column in (Column.TIME, Column.FLIGHT), None, None
        colour = QColor(STATUS_COLOURS.get(status_of(self._flights[row]), "#ffffff"))
        if self.high_contrast:
            return words[column], True, colour, None
        return words[column], True, DARK_TEXT, colour

    def _words(self, flight: Flight, column: int) -> str:
        t = self._texts
        if column == Column.TIME:
            return clock(flight.scheduled, self._tz)
        if column == Column.FLIGHT:
            return flight.number
        if column == Column.CITY:
            name = city(flight, t.language)
            if not self._mixed:
                return name
            return t("flights.to_city" if is_departure(flight) else "flights.from_city", city=name)
        if column == Column.PLACE:
            return place(flight)
        return remark(flight, t, self._tz)
