"""The kiosk window builds its home screen first and the other screens later, as they were always there."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QBoxLayout

from kiosk.ui.flights.style import row_height_px


def test_the_window_starts_with_the_home_screen_alone(make_window):
    window = make_window()
    assert not window.screens_built
    assert window.screens.count() == 1
    assert window.current_screen is window.home


def test_the_first_tap_on_video_help_builds_the_screens_and_shows_its_own(qtbot, make_window):
    window = make_window(language="en")
    qtbot.mouseClick(window.home.video_tile, Qt.MouseButton.LeftButton)
    assert window.screens_built
    assert window.current_screen is window.call_choice
    assert window.call_choice.title.text() == "Video help"


def test_screens_built_later_take_the_passengers_language_text_size_and_shape(qtbot, make_window):
    window = make_window(width=1920, height=1080)  # landscape
    qtbot.mouseClick(window.top_bar.language_button, Qt.MouseButton.LeftButton)  # zh-CN → English
    qtbot.mouseClick(window.top_bar.large_text_button, Qt.MouseButton.LeftButton)
    window.build_screens()
    assert window.call_choice.title.text() == "Video help"
    assert window.flights.board_list.verticalHeader().defaultSectionSize() == row_height_px(True)
    assert window.call_choice._tiles.direction() == QBoxLayout.Direction.LeftToRight
    window.build_screens()  # a second call changes nothing
    assert window.screens.count() == 13


def test_an_unknown_attribute_is_still_an_error(make_window):
    window = make_window()
    try:
        window.no_such_screen  # noqa: B018
    except AttributeError as exc:
        assert "no_such_screen" in str(exc)
    else:
        raise AssertionError("no AttributeError")
    assert not window.screens_built
