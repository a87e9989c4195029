"""Small pieces of kiosk screens: touch tiles."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget


class Tile(QPushButton):
    """A large touch target with a title and a line saying what is behind it."""

    tapped = Signal()

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="Tile")
        self.setAccessibleName(name)
        self.title = QLabel(objectName="TileTitle")
        self.detail = QLabel(objectName="TileDetail")
        self.detail.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 28, 40, 28)
        layout.setSpacing(8)
        layout.addStretch(1)
        layout.addWidget(self.title)
        layout.addWidget(self.detail)
        layout.addStretch(1)
        self.clicked.connect(self.tapped)

    def set_texts(self, title: str, detail: str) -> None:
        self.title.setText(title)
        self.detail.setText(detail)
        self.setAccessibleDescription(detail)
