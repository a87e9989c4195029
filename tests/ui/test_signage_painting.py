"""The board's rows are painted by one Python call per paint (signage/ui/row_painter.py) instead of Qt's
cell-by-cell table painting: the pixels must be the ones Qt's own painting gives, in both orientations and
languages, on a short board too, and a repaint of a few changed cells must leave the screen as a whole
repaint would draw it."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPaintEvent
from PySide6.QtWidgets import QApplication, QTableView

from bus.messages.flights import Direction, FlightBoard, FlightStatus, FlightUpdate
from device.flights.store import BoardChange, FlightStore
from device.i18n import Catalogue
from device.ui.text import Texts
from signage.rows import still_shown
from signage.sample import SITE, TZ, sample_flights
from signage.ui import pages
from signage.ui.board import MOST_PAGES, LanguageRotation
from signage.ui.flight_model import Column, FlightTableModel, sort_key
from signage.ui.screenshots import build_board, sample_store, settle

DEP = Direction.DEPARTURES
NOW = datetime(2026, 12, 31, 8, 0, tzinfo=UTC)  # the same board on every run, none of it gone yet
SIZES = {"landscape": (1920, 1080), "portrait": (1080, 1920), "small": (800, 480)}


class StockBoardPage(pages.BoardPage):
    """The board page as Qt's QTableView paints it: delegate, style sheet and all (the reference)."""

    def __init__(self, rows: int) -> None:
        super().__init__(rows)
        self.viewport().setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, False)  # Qt fills behind the cells

    def paintEvent(self, event: QPaintEvent) -> None:
        QTableView.paintEvent(self, event)


def rgb(image: QImage) -> QImage:
    """The pixels alone: an opaque widget grabs without an alpha channel, Qt's own painting with one."""
    return image.convertToFormat(QImage.Format.Format_RGB32)


def viewport_pictures(monkeypatch, page_class, size, store, rows, then=None) -> list[QImage]:
    monkeypatch.setattr(pages, "BoardPage", page_class)
    monkeypatch.setattr("signage.ui.board.BoardPage", page_class)
    shown = build_board(size, store, rows=rows)
    shown.stop()
    pictures = []
    try:
        if then is not None:
            settle()
            then(shown)
        for _language in shown.display.languages:
            settle()
            assert isinstance(shown.table, page_class)
            pictures.append(rgb(shown.table.viewport().grab().toImage()))
            shown.next_language()
    finally:
        shown.close()
    return pictures


@pytest.mark.parametrize("rows", [12, 20])
@pytest.mark.parametrize("size", list(SIZES.values()), ids=list(SIZES))
def test_the_rows_look_as_qt_own_table_painting_draws_them(qapp, monkeypatch, tmp_path, size, rows):
    store = sample_store(tmp_path, now=NOW)
    ours = viewport_pictures(monkeypatch, pages.BoardPage, size, store, rows)
    stock = viewport_pictures(monkeypatch, StockBoardPage, size, store, rows)
    for language, (mine, reference) in enumerate(zip(ours, stock, strict=True)):
        assert mine.size() == reference.size()
        assert mine == reference, f"language {language}: the painted rows differ from Qt's own painting"


def test_a_short_board_is_painted_to_the_bottom_as_qt_paints_it(qapp, monkeypatch, tmp_path):
    store = FlightStore(tmp_path)
    store.apply_snapshot(FlightBoard(direction=DEP, revision=1, flights=sample_flights(DEP, NOW, 3), site=SITE, tz=TZ))
    ours = viewport_pictures(monkeypatch, pages.BoardPage, (1920, 1080), store, 10)
    stock = viewport_pictures(monkeypatch, StockBoardPage, (1920, 1080), store, 10)
    assert ours == stock


def arrivals_then_portrait(shown) -> None:
    for _page in range(MOST_PAGES):
        shown.next_page()  # the last page of departures, then the first of arrivals: another model
    settle()
    shown.resize(1080, 1920)  # another size: other column widths and text sizes


def test_after_turning_to_the_other_board_and_turning_the_display_the_rows_still_look_as_qt_draws_them(
    qapp, monkeypatch, tmp_path
):
    store = sample_store(tmp_path, now=NOW)
    ours = viewport_pictures(monkeypatch, pages.BoardPage, (1920, 1080), store, 10, arrivals_then_portrait)
    stock = viewport_pictures(monkeypatch, StockBoardPage, (1920, 1080), store, 10, arrivals_then_portrait)
    assert ours == stock


def on_screen(shown) -> QImage:
    """What the display holds now (the offscreen screen's copy of the window), cut to the table's rows."""
    viewport = shown.table.viewport()
    window = QApplication.primaryScreen().grabWindow(shown.winId()).toImage()
    corner = viewport.mapTo(shown, viewport.rect().topLeft())
    return rgb(window.copy(corner.x(), corner.y(), viewport.width(), viewport.height()))


def test_an_update_repaints_only_its_changed_cells_and_the_screen_is_as_a_whole_repaint_draws_it(qapp, tmp_path):
    store = sample_store(tmp_path, now=NOW)
    shown = build_board((1920, 1080), store, rows=12)
    shown.stop()
    try:
        settle()
        model = shown.models[DEP]
        spans: list[tuple[int, int, int, int]] = []
        model.dataChanged.connect(lambda a, b: spans.append((a.row(), a.column(), b.row(), b.column())))
        third, sixth = model.flight_at(2), model.flight_at(5)
        boarding = third.model_copy(update={"gate": "39", "status": FlightStatus.FINAL_CALL})
        later = sixth.model_copy(
            update={"status": FlightStatus.DELAYED, "estimated": sixth.scheduled + timedelta(hours=1)}
        )
        same = model.flight_at(7).model_copy(update={"check_in": "Z1", "stand": "217"})  # not on the board
        revision = store.revision(DEP)
        store.apply_update(
            FlightUpdate(direction=DEP, base_revision=revision, revision=revision + 1, changed=[boarding, later, same])
        )
        assert spans == [(2, Column.PLACE, 2, Column.REMARK), (5, Column.REMARK, 5, Column.REMARK)], (
            "the gate and remark of one row, the remark of the other, nothing for a flight whose words stay"
        )
        settle()
        assert on_screen(shown) == rgb(shown.table.viewport().grab().toImage())
    finally:
        shown.close()


def test_a_long_run_of_updates_leaves_the_model_as_a_snapshot_of_the_same_board_would(qapp):
    """Rows found by the row they were last seen in must stay right while rows come, go and move."""
    rng = random.Random(10)
    texts = Texts(Catalogue.from_package("signage"), LanguageRotation(["en"]))
    board = {f.id: f for f in sample_flights(DEP, NOW, 120)}
    model = FlightTableModel(DEP, texts, TZ, clock_now=lambda: NOW)
    model.reset(board.values())
    spare = iter(sample_flights(DEP, NOW + timedelta(days=1), 400, seed=3))
    for _ in range(80):
        changed, removed = [], []
        for flight in rng.sample(list(board.values()), min(6, len(board))):
            kind = rng.choice(["gate", "later", "gone", "departed"])
            if kind == "gone":
                removed.append(flight.id)
                del board[flight.id]
                continue
            update = {
                "gate": {"gate": str(rng.randrange(1, 40))},
                "later": {"scheduled": flight.scheduled + timedelta(minutes=rng.randrange(-90, 90))},
                "departed": {"status": FlightStatus.DEPARTED, "actual": NOW - timedelta(hours=1)},
            }[kind]
            board[flight.id] = flight.model_copy(update=update)
            changed.append(board[flight.id])
        for _new in range(rng.randrange(0, 4)):
            flight = next(spare)
            board[flight.id] = flight
            changed.append(flight)
        model.apply(BoardChange(DEP, changed=tuple(changed), removed=tuple(removed)), dict(board).values)
        board = {id_: f for id_, f in board.items() if still_shown(f, NOW)}
        assert model.flights() == sorted(board.values(), key=sort_key)
