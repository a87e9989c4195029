"""Paints a board page's rows in one Python call per paint, each cell's words laid out once.

A QTableView paints cell by cell: for each cell its delegate asks the model for a dozen roles across the
binding, the style sheet's style looks up the item's rule, and the text is laid out (shaped) again, which
is most of what a repaint of the rows costs, Chinese more than English. Here one paint is one call:
the rows the paint needs are filled (base, or the alternate colour on odd rows, as the style sheet says),
and each cell's text is drawn from a QStaticText laid out once per (text, width) and kept: the same words
("登机", a gate number, a city) recur down the board and come back at every language turn.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QPointF, QRect, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QPainter, QPaintEvent, QStaticText

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
        self._font = QFont()
        self._metrics = QFontMetrics(self._font)
        self._texts: dict[tuple[str, int], tuple[QStaticText, float]] = {}  # laid out once, for _font
        # what every paint needs from the view, asked once until the view's looks or columns change (a
        # repaint of two cells is a few dozen calls into Qt; these were a fifth of them)
        self._looks: tuple[QBrush, QBrush, QColor] | None = None
        self._cells: list[tuple[Column, int, int]] | None = None
        view.horizontalHeader().sectionResized.connect(self.forget_columns)

    def forget_looks(self) -> None:
        """The view's palette or font changed (its style sheet was set or polished)."""
        self._looks = None

    def forget_columns(self) -> None:
        """A column's width changed, or the view shows another model."""
        self._cells = None

    def paint(self, event: QPaintEvent) -> None:
        view = self._view
        model = view.model()
        if self._looks is None:
            palette = view.palette()
            self._looks = (palette.base(), palette.alternateBase(), palette.text().color())
            self._use_font(view.font())
        base, alternate, words = self._looks
        painter = QPainter(view.viewport())
        painter.setFont(self._font)
        count = model.rowCount() if isinstance(model, FlightTableModel) else 0
        # every row has one height and a page starts at a whole row (BoardPage), so where a row is on screen
        # is arithmetic here rather than a call into the view per row
        height = max(1, view.rowHeight(0)) if count else 1
        top_row = view.first_row_shown()
        width = view.viewport().width()
        inset = CELL_PADDING_PX + TEXT_MARGIN_PX
        if self._cells is None:
            self._cells = [(c, view.columnViewportPosition(c), view.columnWidth(c)) for c in Column]
        cells = self._cells
        areas = cast("Iterable[QRect]", event.region())  # a QRegion iterates its rectangles (not in the stubs)
        for area in areas:  # the page, or one rectangle per row's changed cells
            first = top_row + area.top() // height
            last = min(count - 1, top_row + area.bottom() // height)
            for row in range(first, last + 1):
                top = (row - top_row) * height
                needed = area.intersected(QRect(0, top, width, height))
                # clipped to the row (large text in short rows loses its descenders, as Qt's cells clip it)
                # and to this rectangle, so that no word is drawn twice over itself
                painter.setClipRect(needed)
                painter.fillRect(needed, alternate if row % 2 else base)
                assert isinstance(model, FlightTableModel)
                flight = model.flight_at(row)
                for column, left, column_width in cells:
                    if left > needed.right() or left + column_width <= needed.left():
                        continue  # a cell that did not change: its pixels stand
                    text = model.text(flight, column)
                    if not text:
                        continue
                    shown, text_height = self._laid_out(text, column_width - 2 * inset)
                    painter.setPen(REMARK_COLOURS[flight.status] if column is Column.REMARK else words)
                    painter.drawStaticText(QPointF(left + inset, top + (height - text_height) / 2), shown)
            below = (last + 1 - top_row) * height  # under the last row: a short board, or its last page
            if area.bottom() >= below:
                painter.setClipping(False)
                painter.fillRect(QRect(area.left(), below, area.width(), area.bottom() - below + 1), base)
        painter.end()

    def _use_font(self, font: QFont) -> None:
        if font != self._font:  # another text size (the display was resized): lay everything out anew
            self._font = QFont(font)
            self._metrics = QFontMetrics(self._font)
            self._texts.clear()

    def _laid_out(self, text: str, room: int) -> tuple[QStaticText, float]:
        """``text`` elided to ``room`` pixels and laid out, with its height."""
        key = (text, room)
        found = self._texts.get(key)
        if found is None:
            if len(self._texts) >= MOST_TEXTS:
                self._texts.clear()  # a long run's old words go; the page's own come back at once
            elided = self._metrics.elidedText(text, Qt.TextElideMode.ElideRight, max(0, room))
            laid_out = QStaticText(elided)
            laid_out.setTextFormat(Qt.TextFormat.PlainText)
            laid_out.prepare(font=self._font)
            found = self._texts[key] = (laid_out, laid_out.size().height())
        return found
