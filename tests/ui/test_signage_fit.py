"""Every mode of the signage display fits its screen in both languages: landscape and portrait full HD and
a small 800x480 panel; nothing cut off, nothing overlapping, Chinese drawn. And the pictures are saved."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QFontMetrics, QImage
from PySide6.QtWidgets import QLabel, QWidget

from device.ui.widgets import ElidedLabel
from signage.screenshots import LANGUAGES
from signage.ui.flight_model import Column
from signage.ui.screenshots import DEMO_NOTICES, build_board, busy_places, sample_store, save_screenshots, settle

SIZES = {"landscape": (1920, 1080), "portrait": (1080, 1920), "small": (800, 480)}
MAY_GIVE_WAY = {"ClockDate", "Location", "Ticker"}  # they end in "…" on a small panel, by design
CELL_PADDING_PX = 16  # QTableView::item { padding: 0 8px }


def problems(shown: QWidget) -> list[str]:
    found = []
    for label in shown.findChildren(QLabel):
        if not label.isVisibleTo(shown) or not label.text():
            continue
        box = label.rect().translated(label.mapTo(shown, label.rect().topLeft()))
        name = f"{label.objectName()} {label.text()!r}"
        if not shown.rect().contains(box):
            found.append(f"{name} at {box.getRect()} reaches outside the display")
        if label.wordWrap() and label.height() < label.heightForWidth(label.width()):
            found.append(f"{name} shows {label.height()} of {label.heightForWidth(label.width())} px")
        if (
            isinstance(label, ElidedLabel)
            and label.text() != label.full_text
            and label.objectName() not in MAY_GIVE_WAY
        ):
            found.append(f"{name} is cut to {label.text()!r}")
        if label.height() < label.fontMetrics().height():
            found.append(f"{name} is {label.height()} px high for {label.fontMetrics().height()} px of text")
    return found


def cut_cells(shown) -> list[str]:
    table = shown.table
    if not table.isVisibleTo(shown):
        return []
    model = table.model()
    metrics = QFontMetrics(table.font())
    found = []
    first = table.first_row_shown()
    for row in range(first, min(first + table.rows, model.rowCount())):
        for column in Column:
            text = model.data(model.index(row, column))
            room = table.columnWidth(column) - CELL_PADDING_PX
            if metrics.horizontalAdvance(text) > room:
                found.append(f"row {row} {column.name} {text!r} needs {metrics.horizontalAdvance(text)} of {room} px")
    if table.rowViewportPosition(first + table.rows - 1) + table.rowHeight(0) > table.viewport().height():
        found.append("the last row of the page is cut off at the bottom")
    if model.rowCount() > first + table.rows and table.rowAt(table.viewport().height() - 1) != first + table.rows - 1:
        found.append("a sliver of the next page's first row shows below the page")
    return found


def overlaps(shown) -> list[str]:
    parts = {"header": shown.title, "body": shown.body, "footer": shown.footer}
    boxes = {name: w.rect().translated(w.mapTo(shown, w.rect().topLeft())) for name, w in parts.items()}
    found = []
    if boxes["header"].bottom() >= boxes["body"].top():
        found.append(f"header {boxes['header'].getRect()} runs into the body {boxes['body'].getRect()}")
    if boxes["body"].bottom() >= boxes["footer"].top():
        found.append(f"body {boxes['body'].getRect()} runs into the footer {boxes['footer'].getRect()}")
    return found


@pytest.mark.parametrize("mode", ["board", "gate", "belt"])
@pytest.mark.parametrize("size", list(SIZES.values()), ids=list(SIZES))
def test_each_mode_fits_its_display_in_both_languages(qtbot, tmp_path, mode, size):
    store = sample_store(tmp_path)
    gate, belt = busy_places(store)
    places = {"board": {}, "gate": {"mode": "gate", "gate": gate}, "belt": {"mode": "belt", "belt": belt}}[mode]
    shown = build_board(size, store, location="T1 Hall B", notices=DEMO_NOTICES, **places)
    qtbot.addWidget(shown)
    shown.stop()
    shown.set_connection("online")
    for _language in LANGUAGES:
        settle()
        assert (shown.width(), shown.height()) == size
        found = problems(shown) + cut_cells(shown) + overlaps(shown)
        assert not found, f"{shown.rotation.language}: {found}"
        shown.next_language()
    assert shown.clock.time_label.font().pixelSize() >= 24, "the time stays readable from across a hall"


def test_the_pictures_show_every_mode_in_both_orientations_and_languages(qapp, tmp_path):
    out = tmp_path / "pictures"
    out.mkdir()
    saved = save_screenshots(out, LANGUAGES, tmp_path / "state")
    names = {path.name for path in saved}
    for kind in ("board", "gate", "belt"):
        for way in ("landscape", "portrait"):
            for short in ("zh", "en"):
                assert f"signage-{kind}-{way}-{short}.png" in names
    for path in saved:
        image = QImage(str(path))
        expected = (1920, 1080) if "landscape" in path.name else (1080, 1920)
        assert image.size().toTuple() == expected, path.name
    zh, en = out / "signage-board-landscape-zh.png", out / "signage-board-landscape-en.png"
    assert zh.read_bytes() != en.read_bytes()
