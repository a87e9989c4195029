"""The Scan screen: what the camera sees, and how to hold a pass so that it reads."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from device.ui.text import Texts
from kiosk.ui.widgets import as_screen, label, nav_button

PREVIEW_SIZE = QSize(480, 360)  # big enough to aim with from arm's length, small enough for 800x1280 in large text


class ScanScreen(QWidget):
    """Shows the camera's picture while the flow scans; says when there is no camera."""

    home_requested = Signal()

    def __init__(self, texts: Texts, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        as_screen(self)
        self._texts = texts
        self.camera_missing = False
        self.title = label("ScreenTitle", wrap=True)
        self.home_button = nav_button(self.home_requested)
        self.preview = QLabel()
        self.preview.setObjectName("ScanPreview")
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setFixedSize(PREVIEW_SIZE)
        self.preview.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.guidance = label("InfoBody", wrap=True)
        self.detail = label("Hint", wrap=True)
        self.status = label("InfoBody", wrap=True)

        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(self.home_button, 0, Qt.AlignmentFlag.AlignRight)
        words = QVBoxLayout()
        words.setSpacing(16)
        words.addWidget(self.guidance)
        words.addWidget(self.detail)
        words.addWidget(self.status)
        words.addStretch(1)
        self._body = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self._body.setSpacing(32)
        self._body.addWidget(self.preview, 0, Qt.AlignmentFlag.AlignHCenter)
        self._body.addLayout(words, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(64, 40, 64, 32)
        layout.setSpacing(24)
        layout.addLayout(header)
        layout.addLayout(self._body, 1)
        self.retranslate()

    @property
    def preview_size(self) -> QSize:
        return self.preview.size()

    def set_landscape(self, landscape: bool) -> None:
        self._body.setDirection(QBoxLayout.Direction.LeftToRight if landscape else QBoxLayout.Direction.TopToBottom)
        self._body.setAlignment(self.preview, Qt.AlignmentFlag.AlignTop if landscape else Qt.AlignmentFlag.AlignHCenter)

    def show_picture(self, picture: QImage) -> None:
        self.preview.setPixmap(QPixmap.fromImage(picture))

    def reset(self) -> None:
        """Before the camera starts: an empty picture, "looking"."""
        self.camera_missing = False
        self.preview.clear()
        self.retranslate()

    def show_no_camera(self) -> None:
        self.camera_missing = True
        self.preview.clear()
        self.retranslate()

    def retranslate(self) -> None:
        t = self._texts
        self.title.setText(t("scan.title"))
        self.home_button.setText(t("nav.home"))
        self.guidance.setText(t("scan.guidance"))
        self.detail.setText(t("scan.guidance_detail"))
        self.status.setText(t("scan.no_camera") if self.camera_missing else t("scan.looking"))
