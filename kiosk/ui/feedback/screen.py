"""A suggestion or a complaint, left at the kiosk without a call: what it is about (central's case
categories), the text on the large keyboard (Latin letters and digits: Chinese is written in pinyin, the
screen says so), then, only if the passenger chooses, a phone number for a reply on the keypad. Central
makes it a case in the category's department and answers with its number; the screen says so, or says
plainly why it could not be sent.

The steps scroll as one page, so every one fits at every screen size, language and text size."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from enum import StrEnum

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from device.ui.text import Texts
from kiosk.case_callback import FeedbackAnswer, FeedbackCategory, valid_phone
from kiosk.ui.case_qr import PhoneKeypad
from kiosk.ui.keyboard import COLUMNS, ROWS, KeyButton, OnScreenKeyboard
from kiosk.ui.widgets import WrappedLabel, as_screen, button_row, choice_button, label, nav_button

MAX_TEXT_CHARS = 500  # central takes 1000; a kiosk keyboard is slow, and a long text here is a stuck key
SIDE_MARGINS_PX = 32 * 2 + 24  # the screen's margins and the scroll bar beside the form
CategoryFetcher = Callable[[], Awaitable["list[FeedbackCategory] | None"]]
FeedbackSender = Callable[[str, str, "str | None"], Awaitable[FeedbackAnswer]]


class Step(StrEnum):
    LOADING = "loading"
    UNAVAILABLE = "unavailable"
    WRITE = "write"
    CONTACT = "contact"
    SENDING = "sending"
    DONE = "done"
    FAILED = "failed"


class FeedbackKeyboard(OnScreenKeyboard):
    """The search keyboard with a space bar, in lower case, taking a few sentences."""

    def __init__(self, texts: Texts, parent: QWidget | None = None) -> None:
        super().__init__(texts, parent)
        grid = self.layout()
        assert isinstance(grid, QGridLayout)
        self.space_key = KeyButton("", "WideKeyButton")
        self.space_key.clicked.connect(lambda: self.press(" "))
        grid.addWidget(self.space_key, len(ROWS) + 1, 0, 1, COLUMNS)
        self.retranslate()

    def press(self, char: str) -> None:
        if len(self.text) < MAX_TEXT_CHARS and not (char == " " and self.text.endswith(" ")):
            self._set(self.text + char.lower())

    def retranslate(self) -> None:
        super().retranslate()
        if hasattr(self, "space_key"):
            self.space_key.setText(self._texts("feedback.space"))


class FeedbackScreen(QWidget):
    home_requested = Signal()

    def __init__(self, texts: Texts, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        as_screen(self)
        self._texts = texts
        # set by the app once central's address is known; without them the form says it is unavailable
        self.fetch_categories: CategoryFetcher | None = None
        self.send_feedback: FeedbackSender | None = None
        self.categories: list[FeedbackCategory] = []
        self.step = Step.LOADING
        self.answer: FeedbackAnswer | None = None
        self._task: asyncio.Task[None] | None = None

        self.title = label("ScreenTitle", wrap=True)
        self.home_button = nav_button(self.home_requested)
        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(self.home_button, 0, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)

        self.message = WrappedLabel("InfoBody")  # loading, unavailable, sending, the answer
        self.category_hint = label("Hint", wrap=True)
        self.category_group = QButtonGroup(self)
        self.category_group.setExclusive(True)
        self.category_group.buttonClicked.connect(lambda _button: self._update())
        self.category_group.buttonClicked.connect(lambda _button: self._bring_keyboard_into_view())
        self._category_grid = QGridLayout()
        self._category_grid.setSpacing(12)
        self.text_hint = label("Hint", wrap=True)
        self.text_card = QFrame()
        self.text_card.setObjectName("InfoCard")
        self.text_shown = WrappedLabel("InfoBody")
        card_layout = QVBoxLayout(self.text_card)
        card_layout.setContentsMargins(24, 16, 24, 16)
        card_layout.addWidget(self.text_shown)
        self.keyboard = FeedbackKeyboard(texts)
        self.keyboard.text_changed.connect(lambda _text: self._update())
        self.next_button = nav_button(lambda: self.show_step(Step.CONTACT))

        self.contact_question = WrappedLabel("InfoBody")
        self.send_without = choice_button(lambda: self.send(with_phone=False))
        self.contact_hint = label("Hint", wrap=True)
        self.phone_shown = WrappedLabel("InfoTitle")
        self.phone_shown.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.keypad = PhoneKeypad(texts)
        self.keypad.changed.connect(lambda _number: self._update())
        self.send_with = nav_button(lambda: self.send(with_phone=True))
        self.back_button = choice_button(lambda: self.show_step(Step.WRITE))

        # after a refusal: back to the form, nothing typed lost
        self.retry_button = choice_button(lambda: self.show_step(Step.WRITE))

        self.pages = QStackedWidget()
        self.message_page = self._page(self.message)
        self.write_page = self._page(
            self.category_hint, self._category_grid, self.text_hint, self.text_card, self.keyboard
        )
        self.contact_page = self._page(
            self.contact_question, self.send_without, self.contact_hint, self.phone_shown, self.keypad
        )
        # each step's way on, under the page and never scrolled away: Next, Send with the number, Back, retry
        footer = button_row(self.next_button, self.send_with, self.back_button, self.retry_button)
        for page in (self.message_page, self.write_page, self.contact_page):
            self.pages.addWidget(page)
        self._scroll = scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self.pages)
        self.scroll_area = scroll

        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 24, 32, 24)  # the keyboard's ten keys need the width on 800 px
        layout.setSpacing(20)
        layout.addLayout(header)
        layout.addWidget(scroll, 1)
        layout.addLayout(footer)
        self.show_step(Step.LOADING)

    @staticmethod
    def _page(*parts: QWidget | QGridLayout | QHBoxLayout) -> QWidget:
        page = QWidget()
        page.setObjectName("Screen")
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(16)
        for part in parts:
            if isinstance(part, QWidget):
                column.addWidget(part)
            else:
                column.addLayout(part)
        column.addStretch(1)
        return page

    # --- the steps ---------------------------------------------------------------------------------------

    def start(self) -> None:
        """A new form: nothing chosen or typed; the categories asked of central afresh."""
        self.keyboard.set_text("")
        self.keypad._set("")
        self.answer = None
        self.set_categories([])
        if self.fetch_categories is None:
            self.show_step(Step.UNAVAILABLE)
            return
        self.show_step(Step.LOADING)
        self._task = asyncio.ensure_future(self._load(self.fetch_categories))

    async def _load(self, fetch: CategoryFetcher) -> None:
        found = await fetch()
        if self.step is not Step.LOADING:
            return  # the passenger left meanwhile
        if not found:
            self.show_step(Step.UNAVAILABLE)
            return
        self.set_categories(found)
        self.show_step(Step.WRITE)

    def set_categories(self, categories: Sequence[FeedbackCategory]) -> None:
        for button in self.category_group.buttons():
            self.category_group.removeButton(button)
            self._category_grid.removeWidget(button)
            button.hide()  # at once: deleteLater waits for the event loop, and the new buttons take its place now
            button.deleteLater()
        self.categories = list(categories)
        for index, _category in enumerate(self.categories):
            button = QPushButton()
            button.setObjectName("ChoiceButton")
            button.setCheckable(True)
            self.category_group.addButton(button, index)
        self._place_categories()
        self.retranslate()

    def _place_categories(self) -> None:
        # Two side by side wherever every category's name fits half the width, in the passenger's language and
        # text size: one column of five takes the keyboard's room on a portrait screen.
        buttons = self.category_group.buttons()
        half = (self.width() - SIDE_MARGINS_PX - self._category_grid.horizontalSpacing()) // 2
        widest = max((button.sizeHint().width() for button in buttons), default=0)
        columns = 2 if widest <= half else 1
        for index, button in enumerate(buttons):
            self._category_grid.removeWidget(button)
            self._category_grid.addWidget(button, index // columns, index % columns)

    def _bring_keyboard_into_view(self) -> None:
        """Once a category is chosen the text comes next: on a short screen the form scrolls so that the whole
        keyboard shows (the categories above may scroll away; the choice stays marked)."""
        QTimer.singleShot(0, lambda: self._scroll.ensureWidgetVisible(self.keyboard.space_key, 0, 8))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place_categories()

    def choose(self, category_id: str) -> None:
        for index, category in enumerate(self.categories):
            if category.id == category_id:
                button = self.category_group.button(index)
                button.setChecked(True)
        self._update()

    @property
    def chosen(self) -> FeedbackCategory | None:
        index = self.category_group.checkedId()
        return self.categories[index] if 0 <= index < len(self.categories) else None

    def show_step(self, step: Step) -> None:
        self.step = step
        page = {Step.WRITE: self.write_page, Step.CONTACT: self.contact_page}.get(step, self.message_page)
        self.pages.setCurrentWidget(page)
        self.scroll_area.verticalScrollBar().setValue(0)
        self._update()

    def send(self, *, with_phone: bool) -> None:
        chosen = self.chosen
        phone = self.keypad.number if with_phone else None
        text = self.keyboard.text.strip()
        if chosen is None or not text or (with_phone and not valid_phone(phone or "")):
            return
        if self.send_feedback is None:
            self.show_step(Step.UNAVAILABLE)
            return
        self.show_step(Step.SENDING)
        self._task = asyncio.ensure_future(self._send(self.send_feedback, chosen.id, text, phone))

    async def _send(self, sender: FeedbackSender, category: str, text: str, phone: str | None) -> None:
        answer = await sender(category, text, phone)
        self.show_answer(answer)

    def show_answer(self, answer: FeedbackAnswer) -> None:
        self.answer = answer
        if answer.number is not None:
            self.keyboard.set_text("")  # what was said and the number leave the screen with the answer
            self.keypad._set("")
        self.show_step(Step.DONE if answer.number is not None else Step.FAILED)

    def _update(self) -> None:
        self.text_shown.setText(self.keyboard.text or " ")
        self.next_button.setEnabled(self.chosen is not None and bool(self.keyboard.text.strip()))
        self.phone_shown.setText(self.keypad.number)
        self.phone_shown.setVisible(bool(self.keypad.number))
        self.send_with.setEnabled(valid_phone(self.keypad.number))
        self.next_button.setVisible(self.step is Step.WRITE)
        self.send_with.setVisible(self.step is Step.CONTACT)
        self.back_button.setVisible(self.step is Step.CONTACT)
        self.retry_button.setVisible(self.step is Step.FAILED)
        self.retranslate()

    def retranslate(self) -> None:
        t = self._texts
        self.title.setText(t("feedback.title"))
        self.home_button.setText(t("nav.home"))
        zh = t.language.startswith("zh")
        for index, category in enumerate(self.categories):
            button = self.category_group.button(index)
            if button is not None:
                button.setText(category.zh if zh else category.en)
        self.category_hint.setText(t("feedback.category"))
        self.text_hint.setText(t("feedback.text_hint"))
        self.next_button.setText(t("feedback.next"))
        self.contact_question.setText(t("feedback.contact_question"))
        self.send_without.setText(t("feedback.send_without"))
        self.contact_hint.setText(t("feedback.contact_hint"))
        self.send_with.setText(t("feedback.send_with"))
        self.back_button.setText(t("feedback.back"))
        self.retry_button.setText(t("feedback.retry"))
        self.keyboard.retranslate()
        self.keypad.retranslate()
        self.message.setText(self._message())
        self._place_categories()  # a name in the other language or text size may no longer fit half the width

    def _message(self) -> str:
        t = self._texts
        if self.step is Step.DONE and self.answer is not None:
            return t("feedback.sent", number=self.answer.number or 0)
        if self.step is Step.FAILED and self.answer is not None:
            known = ("too_many", "text_too_long", "text_refused", "bad_phone", "offline")
            return t(f"feedback.error_{self.answer.error if self.answer.error in known else 'other'}")
        return t(f"feedback.{self.step.value}") if self.step in (Step.LOADING, Step.UNAVAILABLE, Step.SENDING) else ""
