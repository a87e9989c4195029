"""The notice banner a kiosk shows under its top bar while facilities staff have a notice up."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QWidget

from device.notice import Notice, NoticeBoard
from device.ui.text import Texts

MOST_LINES = 3
BANNER_STYLE = """
#NoticeBanner { background: #ffd54a; }
#NoticeBanner QLabel { color: #1b1b1b; background: transparent; }
#NoticeTag { font-weight: bold; }
"""


class NoticeBanner(QWidget):
    """Hidden without a notice; with one, its text in the language shown now, wrapped to at most
    :data:`MOST_LINES` lines so that a long notice takes room from the screen below, never the window's size."""

    def __init__(self, texts: Texts, board: NoticeBoard, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("NoticeBanner")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(BANNER_STYLE)
        self._texts = texts
        self._board = board
        self.tag = QLabel()
        self.tag.setObjectName("NoticeTag")
        self.tag.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.text = QLabel()
        self.text.setObjectName("NoticeText")
        self.text.setTextFormat(Qt.TextFormat.PlainText)  # the text comes from the network
        self.text.setWordWrap(True)
        self.text.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(40, 12, 40, 12)
        layout.setSpacing(16)
        layout.addWidget(self.tag, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.text, 1)
        self._end = QTimer(self)
        self._end.setSingleShot(True)
        self._end.timeout.connect(self.refresh)
        board.add_listener(lambda _notice: self.refresh())
        self.refresh()

    @property
    def notice(self) -> Notice | None:
        return self._board.current()

    def refresh(self) -> None:
        """Show the current notice (or hide), in the language shown now; call on a language change."""
        notice = self._board.current()
        self.setVisible(notice is not None)
        left = self._board.seconds_left()
        if notice is None or left is None:
            self._end.stop()
            return
        self.tag.setText(self._texts("notice.tag"))
        self.text.setText(notice.text(self._texts.language))
        self.text.setMaximumHeight(self.text.fontMetrics().lineSpacing() * MOST_LINES)
        self._end.start(max(1, int(left * 1000) + 50))
