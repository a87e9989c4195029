"""The signage board as people passing by see it: the airport, the time, where the display is, each
language in turn, and whether it is connected; on a landscape, a portrait and a small display."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QWidget

from signage.ui.board import DOT_COLOURS
from signage.ui.screenshots import build_board, settle


@pytest.fixture
def board(qtbot):
    made = []

    def make(size=(1920, 1080), location="T1 Departures, Gate 12"):
        shown = build_board(size, site="HAK", location=location)
        qtbot.addWidget(shown)
        qtbot.waitExposed(shown)
        made.append(shown)
        return shown

    yield make
    for shown in made:
        shown.rotation_timer.stop()


def test_the_board_shows_the_airport_the_time_and_where_it_is(board):
    shown = board()
    assert shown.site.text() == "HAK"
    assert shown.location.text() == "T1 Departures, Gate 12"
    now = datetime.now()
    assert shown.clock.time_label.text() in {now.strftime("%H:%M"), (now - timedelta(minutes=1)).strftime("%H:%M")}
    assert shown.rotation.language == "zh-CN"
    assert shown.welcome.text() == "欢迎"
    assert shown.clock.date_label.full_text.startswith(f"{now.month}月")


def test_the_languages_take_turns(board):
    shown = board()
    shown.next_language()
    assert shown.rotation.language == "en"
    assert shown.welcome.text() == "Welcome"
    assert shown.connection.label.text() == "Connecting…"
    weekday = datetime.now().strftime("%A")
    assert shown.clock.date_label.full_text.startswith(weekday)
    shown.next_language()
    assert shown.welcome.text() == "欢迎"
    assert shown.connection.label.text() == "正在连接…"


def test_the_timer_moves_to_the_next_language_by_itself(board, qtbot):
    shown = board()
    shown.rotation_timer.setInterval(50)
    qtbot.waitUntil(lambda: shown.welcome.text() == "Welcome", timeout=2000)
    qtbot.waitUntil(lambda: shown.welcome.text() == "欢迎", timeout=2000)


def test_the_connection_light_shows_each_state_with_its_dot(board):
    shown = board()
    shown.next_language()  # English words
    words = {
        "online": "Online",
        "connecting": "Connecting…",
        "offline": "Offline",
        "refused": "Offline: access refused",
    }
    for state, colour in DOT_COLOURS.items():
        shown.set_connection(state)
        settle()
        assert shown.connection.label.text() == words[state]
        picture = shown.connection.dot.grab().toImage()
        centre = picture.pixelColor(picture.width() // 2, picture.height() // 2)
        assert centre.name() == QColor(colour).name(), f"the {state} dot is {centre.name()}"


def _cut_off(shown: QWidget) -> list[str]:
    found = []
    for label in shown.findChildren(QLabel):
        if not label.isVisibleTo(shown) or not label.text():
            continue
        box = label.rect().translated(label.mapTo(shown, label.rect().topLeft()))
        name = f"{label.objectName()} {label.text()!r}"
        if not shown.rect().contains(box):
            found.append(f"{name} at {box.getRect()} reaches outside the board")
        if label.wordWrap() and label.height() < label.heightForWidth(label.width()):
            found.append(f"{name} shows {label.height()} of {label.heightForWidth(label.width())} px")
        if not label.wordWrap() and label.width() < label.sizeHint().width() and label.objectName() != "ClockDate":
            found.append(f"{name} shows {label.width()} of {label.sizeHint().width()} px")
    return found


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920), (800, 480)], ids=["landscape", "portrait", "small"])
def test_the_board_fits_its_display_in_both_languages(board, size):
    shown = board(size, location="Terminal 1, Departures, Hall B, Gates 10-18, opposite the pharmacy")
    for _language in ("zh-CN", "en"):
        settle()
        assert (shown.width(), shown.height()) == size
        assert not _cut_off(shown), _cut_off(shown)
        shown.next_language()
    big = shown.clock.time_label.font().pixelSize()
    assert big >= 60, "the time stays large enough to read from across a hall"
