"""The list of flights: rows tall enough for an older passenger's finger, columns that share the width
(a long city name ends in "…" instead of widening the screen), a tap on a row opens that flight."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QModelIndex, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPaintEvent, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHeaderView,
    QScroller,
    QTableView,
)

from kiosk.ui.flights.model import Column, FlightRows

if TYPE_CHECKING:
    from bus.messages.flights import Flight

# the widest text of the columns sized to their content; the city and the status share what is left
SAMPLES = {Column.TIME: "00:00", Column.FLIGHT: "MU8888", Column.PLACE: "A12"}
NAME_AND_STATUS_CHARS = 22  # "Kuala Lumpur" beside "Delayed", at least
SLACK_PX = 8  # text measured to the pixel may still be elided by rounding
CITY_SHARE = 0.45
CELL_PADDING_PX = 20
ALIGN = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
MIN_ROW_PX = 72  # above the 64 px a touch target needs, with room between two rows


class RowPainter:
    """Paints the rows in view in one go: backgrounds, a status pill, one elided line of text per cell.

    A Qt view paints cell by cell through its delegate and the style; from Python each cell costs a call
    across the binding and a look-up in the style sheet, which made most of a keystroke's time on a full
    list (bench/flights.py). Here one paint event is one Python call."""

    def __init__(self, table: FlightTable) -> None:
        self._table = table
        self._fonts: dict[tuple[int, float, bool], tuple[QFont, QFontMetrics]] = {}
        self._shown: dict[tuple[int, int, int], str] = {}  # elided texts, until the rows change
        table.rows.modelReset.connect(self._shown.clear)
        table.rows.dataChanged.connect(self._shown.clear)

    def paint(self, event: QPaintEvent) -> None:
        table = self._table
        rows = table.rows
        area = event.rect()
        palette = table.palette()
        base, alternate, text_colour = palette.base(), palette.alternateBase(), palette.text().color()
        painter = QPainter(table.viewport())
        painter.fillRect(area, base)  # below the last row too: the viewport is opaque
        count = rows.rowCount()
        first = table.rowAt(area.top())
        if first < 0 or count == 0:
            painter.end()
            return
        last = table.rowAt(area.bottom())
        last = count - 1 if last < 0 else last
        columns = [
            (column, table.columnViewportPosition(column), table.columnWidth(column))
            for column in Column
            if not table.isColumnHidden(column)
        ]
        width = table.viewport().width()
        for row in range(first, last + 1):
            top, height = table.rowViewportPosition(row), table.rowHeight(row)
            if row % 2:
                painter.fillRect(0, top, width, height, alternate)
            for column, left, column_width in columns:
                text, bold, colour, background = rows.cell(row, column)
                if background is not None:
                    painter.fillRect(left, top + 6, column_width, height - 12, background)  # rows stay apart
                if not text:
                    continue
                font, metrics = self._font(table.font(), bold)
                inner = column_width - CELL_PADDING_PX
                key = (row, column, inner)
                shown = self._shown.get(key)
                if shown is None:
                    shown = self._shown[key] = metrics.elidedText(text, Qt.TextElideMode.ElideRight, inner)
                painter.setFont(font)
                painter.setPen(colour if colour is not None else text_colour)
                painter.drawText(left + CELL_PADDING_PX // 2, top, inner, height, ALIGN, shown)
        painter.end()

    def _font(self, base: QFont, bold: bool) -> tuple[QFont, QFontMetrics]:
        key = (base.pixelSize(), base.pointSizeF(), bold)
        found = self._fonts.get(key)
        if found is None:
            font = QFont(base)
            font.setBold(bold)
            found = self._fonts[key] = (font, QFontMetrics(font))
            self._shown.clear()  # another size: the same text is elided elsewhere
        return found


class FlightTable(QTableView):
    """A table view of a :class:`FlightRows` model; ``flight_tapped`` names the flight of a tapped row."""

    flight_tapped = Signal(object)

    def __init__(self, rows: FlightRows) -> None:
        super().__init__()
        self._sharing = True  # until the view is set up (setModel already lays it out)
        self._shared_for: tuple[int, str, str, str] | None = None
        self.setObjectName("FlightList")
        self.setModel(rows)
        self.rows = rows
        self._painter = RowPainter(self)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setShowGrid(False)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        vertical = self.verticalHeader()
        vertical.setVisible(False)
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # every row one height: 2,000 rows cost nothing
        horizontal = self.horizontalHeader()
        horizontal.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        horizontal.setHighlightSections(False)
        horizontal.setSectionsClickable(False)
        horizontal.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        QScroller.grabGesture(self.viewport(), QScroller.ScrollerGestureType.TouchGesture)  # drag to scroll
        # the list paints every pixel of its viewport itself: the screen behind it need not be painted first
        self.viewport().setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        self.clicked.connect(self._tapped)
        rows.headerDataChanged.connect(lambda *_: self._share_width())  # "Gate" or "登机口": another width
        rows.modelReset.connect(self._share_width)  # departures say "Gate", arrivals "Belt"
        self.set_row_height(MIN_ROW_PX)
        self._top_row = -1  # to scroll to once the view has its size (a hidden view cannot scroll)
        self._sharing = False

    def paintEvent(self, event: QPaintEvent) -> None:
        self._painter.paint(event)

    def set_row_height(self, pixels: int) -> None:
        self.verticalHeader().setDefaultSectionSize(max(MIN_ROW_PX, pixels))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._share_width()
        self._scroll_now()

    def updateGeometries(self) -> None:
        super().updateGeometries()
        if not self._sharing:  # the scroll bar came or went: the columns share another width
            self._sharing = True
            try:
                self._share_width()
            finally:
                self._sharing = False

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._scroll_now()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._share_width()  # large text: the fixed columns grow with their text

    def _share_width(self) -> None:
        width = self.viewport().width()
        place_name = str(self.rows.headerData(Column.PLACE, Qt.Orientation.Horizontal) or "")
        shared_for = (width, self.font().key(), self.horizontalHeader().font().key(), place_name)
        if shared_for == self._shared_for:
            return  # a keystroke's new rows: the same widths
        self._shared_for = shared_for
        bold = QFont(self.font())
        bold.setBold(True)
        metrics, bold_metrics = QFontMetrics(self.font()), QFontMetrics(bold)
        fixed = {
            column: (bold_metrics if column != Column.PLACE else metrics).horizontalAdvance(sample)
            + CELL_PADDING_PX
            + SLACK_PX
            for column, sample in SAMPLES.items()
        }
        header = self.horizontalHeader().fontMetrics()
        fixed[Column.PLACE] = max(fixed[Column.PLACE], header.horizontalAdvance(place_name) + CELL_PADDING_PX)
        # a narrow screen in large text: the city and the status matter more than the gate or belt, which
        # the flight's details show
        narrow = width - sum(fixed.values()) < metrics.horizontalAdvance("x") * NAME_AND_STATUS_CHARS
        if narrow:
            del fixed[Column.PLACE]
        self.setColumnHidden(Column.PLACE, narrow)
        for column, pixels in fixed.items():
            self.setColumnWidth(column, pixels)
        used = sum(fixed.values())
        rest = max(0, width - used)
        self.setColumnWidth(Column.CITY, int(rest * CITY_SHARE))
        self.setColumnWidth(Column.STATUS, rest - int(rest * CITY_SHARE))

    def row_of(self, flight_id: str) -> int:
        return next((row for row, flight in enumerate(self.rows.flights) if flight.id == flight_id), -1)

    def scroll_to_row(self, row: int) -> None:
        """Put ``row`` at the top (the first flight of the current hour when a board opens)."""
        self._top_row = row
        self._scroll_now()

    def _scroll_now(self) -> None:
        row = self._top_row
        if not self.isVisible() or self.viewport().height() <= 0 or not 0 <= row < self.rows.rowCount():
            return
        self.scrollTo(self.rows.index(row, 0), QAbstractItemView.ScrollHint.PositionAtTop)
        if self.rowAt(0) >= 0:
            self._top_row = -1

    def first_visible_row(self) -> int:
        return self.rowAt(0)

    def _tapped(self, index: QModelIndex) -> None:
        flight: Flight | None = self.rows.flight_at(index.row())
        if flight is not None:
            self.flight_tapped.emit(flight)
