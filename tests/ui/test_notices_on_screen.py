"""A notice from facilities staff on the screens: the kiosk's banner in the passenger's language, which
goes when the notice ends and never makes the window grow; and signage's ticker, in the language of the
moment, before the configured notices."""

from __future__ import annotations

import cv2
import numpy as np
from PySide6.QtCore import Qt

from device.flights.store import FlightStore
from device.notice import NoticeBoard
from device.ui.grab import screenshot_of
from signage.ui.screenshots import DEMO_NOTICES, build_board

LONG_EN = "Gate 12 is closed for cleaning; please use gate 14 across the hall. " * 3


def test_the_kiosk_banner_shows_the_notice_in_the_passengers_language_until_it_ends(make_window, qtbot):
    window = make_window(width=800, height=1280)
    assert not window.notice_banner.isVisible()
    window.notices.show("十二号门关闭", LONG_EN[:200], minutes=5)
    assert window.notice_banner.isVisible()
    assert window.notice_banner.text.text() == "十二号门关闭"  # the kiosk starts in Chinese
    assert window.notice_banner.tag.text() == "通知"
    qtbot.mouseClick(window.top_bar.language_button, Qt.MouseButton.LeftButton)
    assert window.notice_banner.text.text() == LONG_EN[:200]
    assert window.notice_banner.tag.text() == "Notice"
    assert window.size().width() == 800 and window.size().height() == 1280, "the window did not grow"
    # A notice for 0.1 s now replaces it (one that short could run out during the checks above on a busy machine)
    window.notices.show("十二号门关闭", LONG_EN[:200], minutes=1 / 600)
    qtbot.waitUntil(lambda: not window.notice_banner.isVisible(), timeout=5000)


def test_signage_shows_a_staff_notice_on_its_ticker_until_it_is_cleared(qtbot, tmp_path):
    board = build_board((1280, 720), FlightStore(tmp_path), notices=DEMO_NOTICES)
    notices: NoticeBoard = board.notices
    qtbot.addWidget(board)
    try:
        configured = board.ticker.full_text
        notices.show("请注意", "Attention please", minutes=5)
        assert board.ticker.full_text in ("请注意", "Attention please")
        shown = {board.ticker.full_text}
        board.next_language()
        shown.add(board.ticker.full_text)
        assert shown == {"请注意", "Attention please"}, "both languages in turn"
        notices.clear()
        assert board.ticker.full_text != "Attention please" and board.ticker.full_text != "请注意"
        assert configured, "the configured notices were there before"
    finally:
        board.stop()


async def test_a_screenshot_is_a_png_of_the_whole_window_with_the_notice_on_it(make_window):
    window = make_window(width=640, height=960)
    window.notices.show("请注意", "Attention", minutes=5)
    shot = await screenshot_of(window)
    picture = cv2.imdecode(np.frombuffer(shot.png, np.uint8), cv2.IMREAD_COLOR)
    assert (shot.width, shot.height) == (640, 960)
    assert picture.shape[:2] == (960, 640)
    banner = window.notice_banner.geometry()
    b, g, r = picture[banner.center().y(), banner.right() - 5]
    assert (r, g, b) == (0xFF, 0xD5, 0x4A), "the banner's yellow is in the picture"
