"""A large on-screen keyboard of letters and digits: a kiosk has no system keyboard, and a passenger finds
a flight by its number, its airline code or a city's English name or pinyin, all typed in Latin letters."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QPushButton, QSizePolicy, QWidget

from device.ui.text import Texts

ROWS = ("1234567890", "QWERTYUIOP", "ASDFGHJKL", "ZXCVBNM")
COLUMNS = 10
MAX_CHARS = 16  # longer than any flight number or city; more is a finger resting on a key


class KeyButton(QPushButton):
    """One key: at least 64 px square (the stylesheet says so), sharing the row's width with the others."""

    def __init__(self, text: str, object_name: str = "KeyButton") -> None:
        super().__init__(text)
        self.setObjectName(object_name)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # a tap must not move a focus frame around


class OnScreenKeyboard(QWidget):
    """Digits, A-Z (as on a keyboard people know), Delete and Clear. ``text_changed`` comes on every key."""

    text_changed = Signal(str)

    def __init__(self, texts: Texts, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._texts = texts
        self._text = ""
        self.keys: dict[str, KeyButton] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(8)
        for row, letters in enumerate(ROWS):
            indent = (COLUMNS - len(letters)) // 2  # the shorter rows centred, as on a keyboard
            for column, char in enumerate(letters):
                key = KeyButton(char)
                key.setAccessibleName(char)
                key.clicked.connect(lambda _checked=False, char=char: self.press(char))
                grid.addWidget(key, row, indent + column)
                self.keys[char] = key
        self.delete_key = KeyButton("", "WideKeyButton")
        self.delete_key.clicked.connect(self.backspace)
        self.clear_key = KeyButton("", "WideKeyButton")
        self.clear_key.clicked.connect(self.clear)
        half = COLUMNS // 2
        grid.addWidget(self.delete_key, len(ROWS), 0, 1, half)
        grid.addWidget(self.clear_key, len(ROWS), half, 1, COLUMNS - half)
        for column in range(COLUMNS):
            grid.setColumnStretch(column, 1)
        self.retranslate()

    @property
    def text(self) -> str:
        return self._text

    def press(self, char: str) -> None:
        if len(self._text) < MAX_CHARS:
            self._set(self._text + char)

    def backspace(self) -> None:
        self._set(self._text[:-1])

    def clear(self) -> None:
        self._set("")

    def set_text(self, text: str) -> None:
        """Start from ``text`` (empty when the search opens), without telling anyone."""
        self._text = text[:MAX_CHARS]

    def _set(self, text: str) -> None:
        if text != self._text:
            self._text = text
            self.text_changed.emit(text)

    def retranslate(self) -> None:
        self.delete_key.setText(self._texts("keyboard.delete"))
        self.clear_key.setText(self._texts("keyboard.clear"))
