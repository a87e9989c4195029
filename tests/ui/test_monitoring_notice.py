"""The passenger is told, while their call waits, that calls may be monitored for quality: on by default,
in the screen's language, and gone where the kiosk's ``[ui] monitoring_notice`` is off."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt

EN = "Calls may be monitored by a supervisor to improve our service."
ZH = "为提升服务质量，通话可能会被主管监听。"


def test_the_waiting_screen_says_calls_may_be_monitored_in_both_languages(make_window, qtbot, tmp_path: Path):
    window = make_window(language="en")
    window.waiting.set_queue(3, 170)
    window.show_screen(window.waiting)
    notice = window.waiting.monitoring_notice
    assert notice.isVisible()
    assert notice.text() == EN
    shots = Path(os.environ.get("MONITOR_SCREENSHOTS") or tmp_path)
    window.grab().save(str(shots / "waiting-monitoring-notice-en.png"))

    qtbot.mouseClick(window.top_bar.language_button, Qt.MouseButton.LeftButton)
    assert notice.text() == ZH
    assert notice.isVisible()
    window.grab().save(str(shots / "waiting-monitoring-notice-zh.png"))


def test_no_notice_where_calls_are_not_monitored(make_window):
    window = make_window(language="en", monitoring_notice=False)
    window.waiting.set_queue(3, 170)
    window.show_screen(window.waiting)
    assert not window.waiting.monitoring_notice.isVisible()
    assert window.waiting.eta.isVisible()
