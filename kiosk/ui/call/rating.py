"""Video help, afterwards: 1 to 5 stars and "was your question answered?"."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from device.ui.text import Texts
from kiosk.ui.widgets import label

STAR_FULL = "★"
STAR_EMPTY = "☆"


class RatingScreen(QWidget):
    """Emits ``rated(stars, answered)`` on Done; ``answered`` is True, False or None (not said)."""

    rated = Signal(int, object)

    def __init__(self, texts: Texts, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Screen")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._texts = texts
        self.stars = 0
        self.answered: bool | None = None
        centre = Qt.AlignmentFlag.AlignCenter
        self.title = label("Greeting", wrap=True, alignment=centre)
        self.hint = label("Hint", wrap=True, alignment=centre)
        self.star_buttons = [QPushButton() for _ in range(5)]
        stars = QHBoxLayout()
        stars.setSpacing(12)
        stars.addStretch(1)
        for number, button in enumerate(self.star_buttons, start=1):
            button.setObjectName("StarButton")
            button.setAccessibleName(str(number))
            button.clicked.connect(lambda _checked=False, number=number: self._set_stars(number))
            stars.addWidget(button)
        stars.addStretch(1)
        self.question = label("ScreenTitle", wrap=True, alignment=centre)
        self.yes = QPushButton()
        self.no = QPushButton()
        for choice in (self.yes, self.no):
            choice.setObjectName("ChoiceButton")
            choice.setCheckable(True)
        self.yes.clicked.connect(lambda: self._set_answered(True))
        self.no.clicked.connect(lambda: self._set_answered(False))
        answers = QHBoxLayout()
        answers.setSpacing(32)
        answers.addStretch(1)
        answers.addWidget(self.yes)
        answers.addWidget(self.no)
        answers.addStretch(1)
        self.done = QPushButton()
        self.done.setObjectName("NavButton")
        self.done.clicked.connect(lambda: self.rated.emit(self.stars, self.answered))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(64, 48, 64, 48)
        layout.setSpacing(28)
        layout.addStretch(1)
        layout.addWidget(self.title)
        layout.addWidget(self.hint)
        layout.addLayout(stars)
        layout.addStretch(1)
        layout.addWidget(self.question)
        layout.addLayout(answers)
        layout.addStretch(2)
        layout.addWidget(self.done, 0, centre)
        self.reset()

    def reset(self) -> None:
        self.stars = 0
        self.answered = None
        self.retranslate()

    def _set_stars(self, number: int) -> None:
        self.stars = number
        self.retranslate()

    def _set_answered(self, answered: bool) -> None:
        self.answered = answered
        self.retranslate()

    def retranslate(self) -> None:
        t = self._texts
        self.title.setText(t("call.rate_title"))
        self.hint.setText(t("call.rate_stars"))
        for number, button in enumerate(self.star_buttons, start=1):
            button.setText(STAR_FULL if number <= self.stars else STAR_EMPTY)
        self.question.setText(t("call.answered_question"))
        self.yes.setText(t("call.yes"))
        self.no.setText(t("call.no"))
        self.yes.setChecked(self.answered is True)
        self.no.setChecked(self.answered is False)
        self.done.setText(t("call.done"))
        self.done.setEnabled(self.stars > 0)
