"""The Qt binding must not drop references to None or the booleans: on Python 3.11 they are ordinary
objects, and a binding that drops one per call (PySide6 6.12.0 did, on every void method) brings the
kiosk down with 'Fatal Python error: none_dealloc' after some thousands of frames of video."""

from __future__ import annotations

import sys

from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QApplication, QLabel

CALLS = 500


def test_void_qt_calls_keep_none_true_and_false_alive(qtbot):
    label = QLabel()
    qtbot.addWidget(label)
    label.show()
    pixmap = QPixmap.fromImage(QImage(32, 24, QImage.Format.Format_RGB888))
    app = QApplication.instance()
    calls = {
        "update": label.update,
        "setText": lambda: label.setText("x"),
        "setPixmap": lambda: label.setPixmap(pixmap),
        "resize": lambda: label.resize(100, 100),
        "setVisible": lambda: label.setVisible(True),
        "processEvents": app.processEvents,
    }
    for name, call in calls.items():
        before = [sys.getrefcount(value) for value in (None, True, False)]
        for _ in range(CALLS):
            call()
        after = [sys.getrefcount(value) for value in (None, True, False)]
        lost = [b - a for a, b in zip(after, before, strict=True)]
        assert max(lost) < CALLS // 2, f"{name} dropped references to None/True/False: {lost}"
