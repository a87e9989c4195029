"""The ``[ui] screenshot`` picture shows the kiosk as it runs: online once it is, not the first paint's
"connecting"; and if it never gets online, the picture still comes, after a bounded wait."""

from __future__ import annotations

import asyncio

from PySide6.QtGui import QColor, QImage

from kiosk.ui.app import HomeScreenshot
from kiosk.ui.theme import NORMAL
from tests.peers.programs import running


def dot_colour(png, window) -> str:
    """The colour at the connection dot's centre in the saved picture."""
    dot = window.top_bar.connection.dot
    centre = dot.mapTo(window, dot.rect().center())
    return QImage(str(png)).pixelColor(centre).name()


def test_the_picture_waits_for_the_kiosk_to_be_online(make_window, qt_loop, tmp_path):
    window = make_window(language="en")
    png = tmp_path / "shots" / "home.png"
    shot = HomeScreenshot(window, png, online_wait_s=30)

    async def scenario() -> None:
        saving = asyncio.ensure_future(shot.save())
        await asyncio.sleep(0.2)
        assert not saving.done() and not png.exists(), "saved while still connecting"
        for state in ("connecting", "online"):
            window.set_connection(state)
            shot.connection_changed(state)
        assert await asyncio.wait_for(saving, 5)

    qt_loop.run_until_complete(scenario())
    assert dot_colour(png, window) == QColor(NORMAL.online).name()


def test_without_a_connection_the_picture_comes_after_the_wait(make_window, qt_loop, tmp_path):
    window = make_window(language="en")
    png = tmp_path / "home.png"
    shot = HomeScreenshot(window, png, online_wait_s=0.3)
    window.set_connection("offline")
    assert qt_loop.run_until_complete(asyncio.wait_for(shot.save(), 5))
    assert dot_colour(png, window) == QColor(NORMAL.offline).name()


def test_a_kiosk_process_saves_its_home_screen_once_online(mosquitto, tmp_path, qapp):
    png = tmp_path / "kiosk-home.png"
    env = {
        "QT_QPA_PLATFORM": "offscreen",
        "KIOSK_BUS__URL": mosquitto.url,
        "KIOSK_APP__STATE_DIR": str(tmp_path / "kiosk"),
        "KIOSK_UI__FULLSCREEN": "false",
        "KIOSK_UI__LANGUAGE": "en",
        "KIOSK_UI__SCREENSHOT": str(png),
    }
    with running("kiosk", env) as kiosk:
        kiosk.wait_for_line("screenshot of the home screen saved", timeout_s=30)
    picture = QImage(str(png))
    assert picture.size().toTuple() == (1080, 1920)
    # the dot sits at the top bar's left; find a pixel of the online colour there, and none of "connecting"
    colours = {picture.pixelColor(x, y).name() for x in range(0, 400) for y in range(0, 160)}
    assert QColor(NORMAL.online).name() in colours
    assert QColor(NORMAL.waiting).name() not in colours
