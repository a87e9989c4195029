"""One board (departures or arrivals) as a Qt table model, fed by the flight store's BoardChange.

A change naming flights touches only their rows: a flight whose place in the time order stays is
``dataChanged`` for the cells of its row whose words changed (the view repaints those if they are on
screen, nothing else); one
that moves, arrives or goes is removed or inserted where it belongs. Only a snapshot resets the model.
A language turn repaints the words (``dataChanged`` over all rows, which the view clips to the page).

A flight sold under other airlines' numbers (codeshares) shows them in turn in its flight column, one
number per full round of the languages, as airport boards do: every reader sees each number in their
own language, and the row keeps its one line.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from bus.messages.flights import Direction, Flight
from device.flights.store import BoardChange
from signage.rows import STATUS_COLOURS, Texts, clock, place, remark, still_shown, via_and_city, zone

Index = QModelIndex | QPersistentModelIndex
DISPLAY = Qt.ItemDataRole.DisplayRole.value
FOREGROUND = Qt.ItemDataRole.ForegroundRole.value
SortKey = tuple[datetime, str, str]


class Column(IntEnum):
    TIME = 0
    FLIGHT = 1
    CITY = 2
    PLACE = 3
    REMARK = 4


HEADER_KEYS = {
    Direction.DEPARTURES: ("col.time", "col.flight", "col.to", "col.gate", "col.remark"),
    Direction.ARRIVALS: ("col.time", "col.flight", "col.from", "col.belt", "col.remark"),
}


def sort_key(flight: Flight) -> SortKey:
    return (flight.scheduled, flight.number, flight.id)  # also spelt out in FlightTableModel.apply


COLUMNS = tuple(Column)  # iterating the enum itself costs microseconds each time


def flight_number_shown(flight: Flight, turn: int) -> str:
    """The flight's own number, or on later turns one of its codeshares (one turn each, then again)."""
    if not flight.codeshares:
        return flight.number
    numbers = [flight.number, *flight.codeshares]
    return numbers[turn % len(numbers)]


class FlightTableModel(QAbstractTableModel):
    """The flights a board shows, in time order; words in the language ``texts`` gives now."""

    def __init__(
        self,
        direction: Direction,
        texts: Texts,
        tz: str = "",
        clock_now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        super().__init__()
        self.direction = direction
        self._texts = texts
        self._tz = zone(tz)
        self._now = clock_now
        self._keys: list[SortKey] = []
        self._flights: list[Flight] = []
        self._key_of: dict[str, SortKey] = {}  # so a flight's row is a binary search, not a walk of 2,000
        self._row_hint: dict[str, int] = {}  # the row a flight was last seen in (stale once rows come or go)
        self._watched = range(0, 1 << 30)
        self.resets = 0  # how often the whole model was replaced (a test and the benchmark count them)
        self._share_turn = 0  # which of a flight's numbers (its own, then its codeshares) the column shows

    # --- feeding it -----------------------------------------------------------------------------------

    def set_zone(self, tz: str) -> None:
        self._tz = zone(tz)

    def watch(self, rows: range) -> None:
        """The rows a view shows now. A change of a flight elsewhere is kept without a signal: nothing on
        screen shows it, and turning to its page repaints the whole page anyway. (At 2,000 flights and 5%
        changed, that is 100 signals through Python per update instead of one or two.)"""
        self._watched = rows

    def reset(self, flights: Iterable[Flight]) -> None:
        """Everything anew (a snapshot, or the board as the store starts with it)."""
        now = self._now()
        shown = sorted((f for f in flights if still_shown(f, now)), key=sort_key)
        self.beginResetModel()
        self._flights = shown
        self._keys = [sort_key(f) for f in shown]
        self._key_of = {f.id: key for f, key in zip(shown, self._keys, strict=True)}
        self._row_hint = {f.id: row for row, f in enumerate(shown)}
        self.endResetModel()
        self.resets += 1

    def apply(self, change: BoardChange, board: Callable[[], Iterable[Flight]]) -> None:
        """Apply one BoardChange of this model's direction; ``board`` gives the whole board for a reset."""
        if change.direction is not self.direction:
            return
        if change.reset:
            self.reset(board())
            return
        now = self._now()
        for flight_id in change.removed:
            self._remove(flight_id)
        keys, flights, watched, hints = self._keys, self._flights, self._watched, self._row_hint
        for flight in change.changed:
            # most of a busy update (100 flights of 2,000) is flights staying where they are: found (by the
            # row they were last seen in, else by binary search) and replaced here, without a call per flight
            key = (flight.scheduled, flight.number, flight.id)
            at = hints.get(flight.id, -1)
            if not (0 <= at < len(keys) and keys[at] == key):  # rows came or went above it since
                at = bisect.bisect_left(keys, key)
                if not (at < len(keys) and keys[at] == key):
                    self._put(flight, now)  # new, or moved in time
                    continue
                hints[flight.id] = at
            if not still_shown(flight, now):
                self._remove(flight.id)
                continue
            before, flights[at] = flights[at], flight
            if at in watched:
                self._cells_changed(at, before, flight)

    def prune(self) -> None:
        """Drop the flights that have been gone long enough (called every minute)."""
        now = self._now()
        for flight in [f for f in self._flights if not still_shown(f, now)]:
            self._remove(flight.id)

    def _row_of(self, flight_id: str) -> int | None:
        key = self._key_of.get(flight_id)
        return None if key is None else self._find(key, flight_id)

    def _remove(self, flight_id: str) -> None:
        row = self._row_of(flight_id)
        if row is None:
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._flights[row], self._keys[row], self._key_of[flight_id]
        self._row_hint.pop(flight_id, None)
        self.endRemoveRows()

    def _put(self, flight: Flight, now: datetime) -> None:
        key = sort_key(flight)
        row = self._find(key, flight.id)
        if row is not None and still_shown(flight, now):
            before, self._flights[row] = self._flights[row], flight  # same place in time: only its cells change
            if row in self._watched:
                self._cells_changed(row, before, flight)
            return
        self._remove(flight.id)  # it moved in time (a new scheduled time) or has gone, if it was here at all
        if not still_shown(flight, now):
            return
        at = bisect.bisect_left(self._keys, key)
        self.beginInsertRows(QModelIndex(), at, at)
        self._flights.insert(at, flight)
        self._keys.insert(at, key)
        self._key_of[flight.id] = key
        self.endInsertRows()

    def _cells_changed(self, row: int, before: Flight, after: Flight) -> None:
        """One ``dataChanged`` over the cells of ``row`` whose words or colour changed, none if none did: a
        new gate and status repaint the gate and the remark, not the time, number and city beside them."""
        changed = [c for c in COLUMNS if self.text(before, c) != self.text(after, c)]
        if before.status is not after.status and Column.REMARK not in changed:
            changed.append(Column.REMARK)  # the remark's colour
        if changed:
            # createIndex: the row is known to be there, and index() would ask Python for the row and column count
            self.dataChanged.emit(self.createIndex(row, min(changed)), self.createIndex(row, max(changed)))

    def _find(self, key: SortKey, flight_id: str) -> int | None:
        """The row of ``flight_id`` if it is held under ``key`` (a binary search: 2,000 rows, 11 looks)."""
        at = bisect.bisect_left(self._keys, key)
        if at < len(self._keys) and self._keys[at] == key and self._flights[at].id == flight_id:
            return at
        return None

    def next_number(self) -> None:
        """Show each flight's next number (its own, then its codeshares) at the next repaint; the caller
        repaints (a language turn does so anyway)."""
        self._share_turn += 1

    def retranslate(self) -> None:
        if self._flights:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._flights) - 1, len(Column) - 1))
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(Column) - 1)

    # --- what views read -------------------------------------------------------------------------------

    def flight_at(self, row: int) -> Flight:
        return self._flights[row]

    def flights(self) -> list[Flight]:
        return list(self._flights)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's own default)
        return 0 if parent.isValid() else len(self._flights)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation is Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._texts(HEADER_KEYS[self.direction][section])
        return None

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        # A view asks for a dozen roles per cell on every paint; the ones a board does not use must cost
        # next to nothing, so the role is looked at before anything else.
        if role == DISPLAY:
            return self.text(self._flights[index.row()], Column(index.column()))
        if role == FOREGROUND and index.column() == Column.REMARK:
            return QColor(STATUS_COLOURS[self._flights[index.row()].status])
        return None

    def text(self, flight: Flight, column: Column) -> str:
        language = self._texts.language
        if column is Column.TIME:
            return clock(flight.scheduled, self._tz)
        if column is Column.FLIGHT:
            return flight_number_shown(flight, self._share_turn)
        if column is Column.CITY:
            return via_and_city(flight, language)
        if column is Column.PLACE:
            return place(flight)
        return remark(flight, self._texts, self._tz)
