"""Paints a board page's rows in one Python call per paint, each cell's words laid out once.

A QTableView paints cell by cell: for each cell its delegate asks the model for a dozen roles across the
binding, the style sheet's style looks up the item's rule, and the text is laid out (shaped) again, which
is most of what a repaint of the rows costs, Chinese more than English. Here one paint is one call:
the rows the paint needs are filled (base, or the alternate colour on odd rows, as the style sheet says),
and each cell's text is drawn from a QStaticText laid out once per (text, width) and kept: the same words
("登机", a gate number, a city) recur down the board and come back at every language turn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRect, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent, QStaticText

from signage.rows import STATUS_COLOURS
from signage.ui.flight_model import Column, FlightTableModel

if TYPE_CHECKING:
    from signage.ui.pages import BoardPage

CELL_PADDING_PX = 8  # QTableView::item { padding: 0 8px } in the board's style sheet
TEXT_MARGIN_PX = 3  # and the style's own margin inside an item's text rectangle (PM_FocusFrameHMargin + 1)
MOST_TEXTS = 4000  # a day of two boards in two languages is about 2,000 different cells' words
REMARK_COLOURS = {status: QColor(colour) for status, colour in STATUS_COLOURS.items()}


class RowPainter:
    """The rows of ``view`` (a :class:`BoardPage`) that a paint event's region covers."""

    def __init__(self, view: BoardPage) -> None:
        self._view = view
        self._font_key = ""
        self._font = QFont()
        self._metrics = QFontMetrics(self._font)
        self._texts: dict[tuple[str, int], QStaticText] = {}  # laid out once, for the font of _font_key

    def paint(self, event: QPaintEvent) -> None:
        view = self._view
        model = view.model()
        viewport = view.viewport()
        palette = view.palette()
        base, alternate, words = palette.base(), palette.alternateBase(), palette.text().color()
        painter = QPainter(viewport)
        region = event.region()  # the painter is clipped to it already
        bounds = region.boundingRect()
        count = model.rowCount() if isinstance(model, FlightTableModel) else 0
        first = view.rowAt(bounds.top()) if count else -1
        if first < 0:  # no rows here: the viewport is opaque, so its background is painted here
            painter.fillRect(bounds, base)
            painter.end()
            return
        assert isinstance(model, FlightTableModel)
        last = view.rowAt(bounds.bottom())
        if last < 0:  # below the last row (a short board, or its last page)
            last = count - 1
            below = view.rowViewportPosition(last) + view.rowHeight(last)
            painter.fillRect(QRect(bounds.left(), below, bounds.width(), bounds.bottom() - below + 1), base)
        self._use_font(view.font())
        painter.setFont(self._font)
        inset = CELL_PADDING_PX + TEXT_MARGIN_PX
        width = viewport.width()
        height = view.rowHeight(first)
        cells = [(column, view.columnViewportPosition(column), view.columnWidth(column)) for column in Column]
        for row in range(first, last + 1):
            box = QRect(0, view.rowViewportPosition(row), width, height)
            needed = region.intersected(box).boundingRect()
            if needed.isEmpty():
                continue  # between two changed rows: nothing to do there
            painter.setClipRect(box)  # large text in short rows loses its descenders, as a cell clips it
            painter.fillRect(needed, alternate if row % 2 else base)
            flight = model.flight_at(row)
            top = box.top()
            for column, left, column_width in cells:
                if left > needed.right() or left + column_width <= needed.left():
                    continue  # a cell that did not change: its pixels stand
                text = model.text(flight, column)
                if not text:
                    continue
                shown = self._laid_out(text, column_width - 2 * inset)
                painter.setPen(REMARK_COLOURS[flight.status] if column is Column.REMARK else words)
                y = top + (height - shown.size().height()) / 2
                painter.drawStaticText(QPointF(left + inset, y), shown)
        painter.end()

    def _use_font(self, font: QFont) -> None:
        key = font.key()
        if key != self._font_key:  # another text size (the display was resized): lay everything out anew
            self._font_key = key
            self._font = QFont(font)
            self._metrics = QFontMetrics(self._font)
            self._texts.clear()

    def _laid_out(self, text: str, room: int) -> QStaticText:
        key = (text, room)
        found = self._texts.get(key)
        if found is None:
            if len(self._texts) >= MOST_TEXTS:
                self._texts.clear()  # a long run's old words go; the page's own come back at once
            elided = self._metrics.elidedText(text, Qt.TextElideMode.ElideRight, max(0, room))
            found = QStaticText(elided)
            found.setTextFormat(Qt.TextFormat.PlainText)
            found.prepare(font=self._font)
            self._texts[key] = found
        return found
