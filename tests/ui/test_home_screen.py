"""The home screen as a passenger uses it: taps on the language switch, large text, tiles, walking away."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QApplication

from kiosk.ui.theme import LARGE_TEXT_SCALE


def tap(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def settle_layouts() -> None:
    """Run the posted layout requests, and those they post in turn, as the next paint would."""
    for _ in range(10):
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        QApplication.processEvents()


def test_home_screen_starts_in_the_configured_language(make_window):
    window = make_window(language="zh-CN")
    assert window.home.greeting.text() == "请问需要什么帮助？"
    assert window.top_bar.language_button.text() == "English"


def test_language_switch_changes_every_visible_text(qtbot, make_window):
    window = make_window(language="zh-CN")
    before = {label.text() for label in window.findChildren(type(window.home.greeting)) if label.isVisible()}
    tap(qtbot, window.top_bar.language_button)
    assert window.home.greeting.text() == "How can we help you?"
    assert window.home.info_tile.title.text() == "Airport information"
    assert window.top_bar.language_button.text() == "中文"
    assert window.top_bar.connection.label.text() == "Connecting…"
    after = {label.text() for label in window.findChildren(type(window.home.greeting)) if label.isVisible()}
    unchanged = {text for text in before & after if any("\u4e00" <= ch <= "\u9fff" for ch in text)}
    assert not unchanged, f"Chinese text left after switching to English: {unchanged}"
    tap(qtbot, window.top_bar.language_button)
    assert window.home.greeting.text() == "请问需要什么帮助？"


def test_large_text_mode_makes_text_and_tiles_bigger(qtbot, make_window):
    window = make_window()
    greeting, tile = window.home.greeting, window.home.info_tile
    normal_px = greeting.font().pixelSize()
    normal_tile_px = tile.title.font().pixelSize()
    tap(qtbot, window.top_bar.large_text_button)
    qtbot.waitUntil(lambda: greeting.font().pixelSize() > normal_px)
    assert greeting.font().pixelSize() == round(normal_px * LARGE_TEXT_SCALE)
    assert tile.title.font().pixelSize() > normal_tile_px
    assert window.top_bar.large_text_button.isChecked()
    tap(qtbot, window.top_bar.large_text_button)
    qtbot.waitUntil(lambda: greeting.font().pixelSize() == normal_px)


def test_information_tile_opens_the_information_screen_and_home_returns(qtbot, make_window):
    window = make_window(language="en")
    tap(qtbot, window.home.info_tile)
    assert window.current_screen is window.info
    assert "Airport-Free-WiFi" in window.info.cards["wifi"].body.text()
    tap(qtbot, window.info.home_button)
    assert window.current_screen is window.home


def test_walking_away_returns_home_and_clears_the_passengers_choices(qtbot, make_window):
    window = make_window(language="zh-CN", idle_timeout_s=1)
    window.idle.start()
    tap(qtbot, window.top_bar.language_button)
    tap(qtbot, window.top_bar.large_text_button)
    tap(qtbot, window.home.info_tile)
    assert window.current_screen is window.info
    with qtbot.waitSignal(window.went_home, timeout=3000):
        pass
    assert window.current_screen is window.home
    assert window.home.greeting.text() == "请问需要什么帮助？"
    assert not window.top_bar.large_text_button.isChecked()
    window.idle.stop()


def test_a_touch_restarts_the_idle_wait(qtbot, make_window):
    window = make_window(idle_timeout_s=30)
    window.idle.start()
    qtbot.waitUntil(lambda: window.idle.remaining_ms < 29_000, timeout=3000)
    tapped_at = time.monotonic()
    tap(qtbot, window.home.info_tile)
    since_tap_ms = (time.monotonic() - tapped_at) * 1000
    # restarted by the tap: at most the time since it has run off the full 30 s (however busy the machine)
    assert window.idle.remaining_ms >= 30_000 - since_tap_ms - 20
    window.idle.stop()


def test_connection_light_follows_the_bus(make_window):
    window = make_window(language="en")
    window.set_connection("online")
    assert window.top_bar.connection.label.text() == "Online"
    window.set_connection("refused")
    assert window.top_bar.connection.label.text() == "Offline: access refused"


@pytest.mark.parametrize("size", [(1080, 1920), (800, 1280), (1920, 1080)])
@pytest.mark.parametrize("language", ["zh-CN", "en"])
@pytest.mark.parametrize("location", ["T1 Hall B", "T1 Departures, Hall B, near gate 12"])  # one line, or two
def test_every_home_tile_is_in_view_unscrolled_even_in_large_text(qtbot, make_window, size, language, location):
    width, height = size
    window = make_window(location=location, language=language, width=width, height=height)
    normal_px = window.home.greeting.font().pixelSize()
    tap(qtbot, window.top_bar.large_text_button)
    window.home.set_printer_available(True)
    qtbot.waitUntil(lambda: window.home.greeting.font().pixelSize() > normal_px)
    settle_layouts()  # the new fonts' sizes reach the tiles' geometry through posted layout requests
    screen = window.rect()
    for tile in window.home.tiles:
        corner = tile.mapTo(window, tile.rect().topLeft())
        bottom = tile.mapTo(window, tile.rect().bottomRight())
        assert screen.contains(corner) and screen.contains(bottom), (tile.objectName(), corner, bottom)
        viewport = tile.parentWidget()
        while viewport is not None and viewport.objectName() != "qt_scrollarea_viewport":
            viewport = viewport.parentWidget()
        if viewport is not None:  # inside the scroll area: wholly in its visible part, not scrolled to
            top_left = tile.mapTo(viewport, tile.rect().topLeft())
            assert viewport.rect().contains(top_left) and viewport.rect().contains(
                tile.mapTo(viewport, tile.rect().bottomRight())
            ), f"{tile.title.text()!r} needs scrolling at {width}x{height}"
    # one line for the greeting: no character left alone on a line of its own
    greeting = window.home.greeting
    assert greeting.fontMetrics().horizontalAdvance(greeting.text()) <= greeting.width()


def test_before_the_printer_has_started_the_wifi_tile_waits_without_claiming_it_is_unavailable(make_window):
    window = make_window(language="en")
    tile = window.home.wifi_tile
    assert not tile.isEnabled()  # nothing to print with yet
    assert tile.detail.text() == "Print a code, or scan it on screen"
    window.home.set_printer_available(False)
    assert tile.detail.text() == "No printer: scan the code on screen"
