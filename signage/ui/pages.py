"""The pages a signage display shows in its body: a board page, a gate, a belt, "no data", and dark."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import QAbstractItemModel, QEvent, Qt
from PySide6.QtGui import QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QFrame, QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from bus.messages.flights import Flight, FlightStatus
from device.ui.widgets import ElidedLabel
from signage.rows import STATUS_COLOURS, Texts, at_belt, at_gate, best_time, city, clock, remark, zone
from signage.ui.flight_model import Column, FlightTableModel
from signage.ui.row_painter import RowPainter

LOOKS_CHANGED = (QEvent.Type.PaletteChange, QEvent.Type.FontChange, QEvent.Type.StyleChange)
COLUMN_SHARES = {Column.TIME: 12, Column.FLIGHT: 17, Column.CITY: 32, Column.PLACE: 10, Column.REMARK: 29}


ROW_TEXT_SHARE = 0.7
"""A row's text is at most this share of the row's height, so that descenders (g, y) and Chinese fit."""


class BoardPage(QTableView):
    """``rows`` flights of a board at a time; a page flip scrolls by whole pages. No scroll bars, no focus,
    no selection: nobody touches a signage display."""

    def __init__(self, rows: int) -> None:
        super().__init__()
        self.setObjectName("BoardTable")
        self.rows = rows
        self.page = 0
        self.text_px = 40
        """The rows' text size the board wants on this display (set from its scale); smaller when rows are
        too low for it (many rows on a small screen)."""
        self._shown_px = 0
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerItem)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setShowGrid(False)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.verticalHeader().hide()
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self._painter = RowPainter(self)
        # the rows paint every pixel of the viewport themselves: nothing behind them need be painted first
        self.viewport().setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)

    def paintEvent(self, event: QPaintEvent) -> None:
        self._painter.paint(event)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in LOOKS_CHANGED:
            self._painter.forget_looks()

    def pages(self, most: int) -> int:
        model = self.model()
        count = 0 if model is None else model.rowCount()
        return max(1, min(most, -(-count // self.rows)))

    def show_page(self, page: int) -> None:
        self.page = page
        self.verticalScrollBar().setValue(page * self.rows)
        model = self.model()
        if isinstance(model, FlightTableModel):
            first = self.first_row_shown()  # the last page may start earlier: the scroll bar stops at the end
            model.watch(range(first, first + self.rows))

    def setModel(self, model: QAbstractItemModel | None) -> None:
        super().setModel(model)
        self._painter.forget_columns()
        self.show_page(self.page)

    def first_row_shown(self) -> int:
        return self.verticalScrollBar().value()

    def fit(self) -> None:
        """Whole rows fill the height; the columns share the width."""
        header = self.horizontalHeader()
        height = self.height() - header.height()
        row = max(16, height // self.rows)
        shown_px = max(11, min(self.text_px, int(row * ROW_TEXT_SHARE)))
        if shown_px != self._shown_px:  # this widget's own sheet wins over the board's for its font size
            self._shown_px = shown_px
            self.setStyleSheet(f"#BoardTable {{ font-size: {shown_px}px; }}")
        self.verticalHeader().setDefaultSectionSize(row)
        # the pixels left over below the last whole row stay empty: no sliver of the next page's first row
        self.setViewportMargins(0, header.height(), 0, max(0, height - row * self.rows))
        width = self.viewport().width()
        total = sum(COLUMN_SHARES.values())
        for column, share in COLUMN_SHARES.items():
            self.setColumnWidth(column, width * share // total)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit()
        self.show_page(self.page)


def _label(name: str, wrap: bool = False) -> QLabel:
    label = ElidedLabel() if not wrap else QLabel()
    label.setObjectName(name)
    label.setTextFormat(Qt.TextFormat.PlainText)
    if wrap:
        label.setWordWrap(True)
    return label


def _colour(label: QLabel, status: FlightStatus | None) -> None:
    colour = STATUS_COLOURS[status] if status is not None else "#ffffff"
    label.setStyleSheet(f"color: {colour};")


class GatePage(QWidget):
    """One gate: the flight boarding there (or next to), its state in large coloured words, and the next."""

    def __init__(self, gate: str, texts: Texts) -> None:
        super().__init__()
        self.gate = gate
        self._texts = texts
        self.number = _label("GateFlight")
        self.codeshares = _label("GateCodeshares")
        self.city = _label("GateCity")
        self.time = _label("GateTime")
        self.status = _label("GateStatus")
        self.next = _label("GateNext")
        self.none = _label("GateNone", wrap=True)
        layout = QVBoxLayout(self)
        for widget in (self.number, self.codeshares, self.city, self.time, self.status):
            layout.addWidget(widget)
        layout.addWidget(self.none)
        layout.addStretch(1)
        line = QFrame()
        line.setObjectName("Rule")
        line.setFixedHeight(2)
        layout.addWidget(line)
        layout.addWidget(self.next)

    def show_flights(self, flights: Iterable[Flight], tz: str, now: datetime | None = None) -> None:
        view = at_gate(flights, self.gate, now or datetime.now(UTC))
        texts, where = self._texts, zone(tz)
        current = view.now
        for widget in (self.number, self.codeshares, self.city, self.time, self.status):
            widget.setVisible(current is not None)
        self.none.setVisible(current is None)
        self.none.setText(texts("gate.none"))
        if current is not None:
            self.number.setText(current.number)
            shares = " ".join(current.codeshares)
            self.codeshares.setText(texts("gate.codeshares", numbers=shares) if shares else "")
            self.codeshares.setVisible(bool(shares))
            self.city.setText(city(current, texts.language))
            self.time.setText(texts("gate.departs", time=clock(best_time(current), where)))
            self.status.setText(remark(current, texts, where))
            _colour(self.status, current.status)
        following = view.next
        self.next.setText(_next_line(texts, "gate.next", following, where))


class BeltPage(QWidget):
    """One baggage belt: the flights whose bags are on it now, and the next one expected."""

    def __init__(self, belt: str, texts: Texts, most: int = 3) -> None:
        super().__init__()
        self.belt = belt
        self._texts = texts
        self.lines = [(_label("BeltFlight"), _label("BeltCity"), _label("BeltStatus")) for _ in range(most)]
        self.none = _label("BeltNone", wrap=True)
        self.next = _label("BeltNext")
        layout = QVBoxLayout(self)
        for flight, where, status in self.lines:
            layout.addWidget(flight)
            layout.addWidget(where)
            layout.addWidget(status)
            layout.addSpacing(12)
        layout.addWidget(self.none)
        layout.addStretch(1)
        line = QFrame()
        line.setObjectName("Rule")
        line.setFixedHeight(2)
        layout.addWidget(line)
        layout.addWidget(self.next)

    def show_flights(self, flights: Iterable[Flight], tz: str, now: datetime | None = None) -> None:
        view = at_belt(flights, self.belt, now or datetime.now(UTC), len(self.lines))
        texts, where = self._texts, zone(tz)
        for n, (flight_label, city_label, status_label) in enumerate(self.lines):
            flight = view.now[n] if n < len(view.now) else None
            for label in (flight_label, city_label, status_label):
                label.setVisible(flight is not None)
            if flight is not None:
                flight_label.setText(flight.number)
                city_label.setText(city(flight, texts.language))
                status_label.setText(texts("belt.bags", time=clock(best_time(flight), where)))
                _colour(status_label, flight.status)
        self.none.setVisible(not view.now)
        self.none.setText(texts("belt.none"))
        following = view.next
        self.next.setText(_next_line(texts, "belt.next", following, where))


class NoDataPage(QWidget):
    """Before any board: say plainly that there is nothing yet, rather than show an empty table."""

    def __init__(self, texts: Texts) -> None:
        super().__init__()
        self._texts = texts
        self.title = _label("NoData", wrap=True)
        self.hint = _label("NoDataHint", wrap=True)
        for label in (self.title, self.hint):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.title)
        layout.addWidget(self.hint)
        layout.addStretch(1)

    def retranslate(self) -> None:
        self.title.setText(self._texts("board.no_data"))
        self.hint.setText(self._texts("board.no_data_hint"))


def _next_line(texts: Texts, key: str, following: Flight | None, where: ZoneInfo) -> str:
    if following is None:
        return ""
    return texts(
        key, flight=following.number, time=clock(best_time(following), where), city=city(following, texts.language)
    )
