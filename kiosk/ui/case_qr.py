"""A follow-up case the agent opened during the call, on the passenger's screen: the QR of the case's own
page (to follow it on a phone), Print (the same QR on a slip) and, only if the passenger chooses, a phone
number for a callback typed on a large keypad, checked here and at central, and kept with the case only.

The agent's console sends it as a QR push marked with the case's number (``data.case``); anything else
in that push is the agent's text, shown as typed."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QVBoxLayout, QWidget

from device.ui.text import Texts
from kiosk.case_callback import post_callback, valid_phone
from kiosk.ui.call.pushes import PushCard
from kiosk.ui.keyboard import KeyButton
from kiosk.ui.print_status import PrintStatusLabel
from kiosk.ui.widgets import WrappedLabel, button_row, choice_button

if TYPE_CHECKING:
    from bus.messages.call import Push

CallbackPoster = Callable[[str, str], Awaitable[bool]]
MAX_DIGITS = 15
KEYPAD = ("123", "456", "789")


def case_number(push: Push) -> int | None:
    """The case a QR push stands for, or None when it is an ordinary QR."""
    number = push.data.get("case")
    if push.kind != "qr" or not push.url or isinstance(number, bool) or not isinstance(number, int) or number < 1:
        return None
    return number


class CallbackState(StrEnum):
    OFFERED = "offered"  # the choice: a button, nothing typed
    TYPING = "typing"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class PhoneKeypad(QWidget):
    """Digits in three columns, as on a phone, with Delete and Clear."""

    changed = Signal(str)

    def __init__(self, texts: Texts, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._texts = texts
        self.number = ""
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(8)
        self.keys: dict[str, KeyButton] = {}
        for row, digits in enumerate((*KEYPAD, "-0-")):
            for column, digit in enumerate(digits):
                if digit == "-":
                    continue
                key = KeyButton(digit)
                key.clicked.connect(lambda _checked=False, digit=digit: self.press(digit))
                grid.addWidget(key, row, column)
                self.keys[digit] = key
        self.delete_key = KeyButton("", "WideKeyButton")
        self.delete_key.clicked.connect(lambda: self._set(self.number[:-1]))
        self.clear_key = KeyButton("", "WideKeyButton")
        self.clear_key.clicked.connect(lambda: self._set(""))
        grid.addWidget(self.delete_key, 3, 0)
        grid.addWidget(self.clear_key, 3, 2)
        self.retranslate()

    def press(self, digit: str) -> None:
        if len(self.number) < MAX_DIGITS:
            self._set(self.number + digit)

    def _set(self, number: str) -> None:
        self.number = number
        self.changed.emit(number)

    def retranslate(self) -> None:
        self.delete_key.setText(self._texts("keyboard.delete"))
        self.clear_key.setText(self._texts("keyboard.clear"))


class CaseCard(PushCard):
    """See the module. ``print_tapped`` asks for the slip (the window's printing says how it went, on
    ``print_status``)."""

    print_tapped = Signal(object)
    keypad_shown = Signal(bool)  # the in-call screen gives the card room for the keypad while it is up

    def __init__(
        self, texts: Texts, push: Push, parent: QWidget | None = None, *, poster: CallbackPoster = post_callback
    ) -> None:
        super().__init__(texts, push, parent)
        self.number = case_number(push) or 0
        self._poster = poster
        self._task: asyncio.Task[None] | None = None
        self.callback_state = CallbackState.OFFERED
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        self.print_button = choice_button(self._print)
        self.case_print_status = PrintStatusLabel(texts)
        self.case_print_status.hide()
        self.callback_button = choice_button(self.offer_keypad)
        buttons = button_row(self.print_button, self.callback_button)
        self.callback_hint = WrappedLabel("InfoBody")
        self.phone_shown = WrappedLabel("InfoTitle")
        self.phone_shown.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.keypad = PhoneKeypad(texts)
        self.keypad.changed.connect(self._typed)
        self.send_button = choice_button(self.send_number)
        self.cancel_button = choice_button(self.cancel)
        actions = button_row(self.send_button, self.cancel_button)
        self.callback_line = WrappedLabel("InfoBody")
        layout.addLayout(buttons)
        layout.addWidget(self.case_print_status)
        layout.addWidget(self.callback_hint)
        layout.addWidget(self.phone_shown)
        layout.addWidget(self.keypad)
        layout.addLayout(actions)
        layout.insertWidget(1, self.callback_line)  # under the title: the answer in view without scrolling
        self._show()

    # --- printing ----------------------------------------------------------------------------------------

    def _print(self) -> None:
        self.print_status = self.case_print_status  # from now on the printing reports here
        self.case_print_status.show()
        self.print_tapped.emit(self)

    # --- the callback number -------------------------------------------------------------------------------

    def offer_keypad(self) -> None:
        self.callback_state = CallbackState.TYPING
        self._show()

    def cancel(self) -> None:
        self.keypad._set("")
        self.callback_state = CallbackState.OFFERED
        self._show()

    def _typed(self, number: str) -> None:
        self.phone_shown.setText(number)
        self.send_button.setEnabled(valid_phone(number))

    def send_number(self) -> None:
        number = self.keypad.number
        if not valid_phone(number) or self.push.url is None:
            return
        self.callback_state = CallbackState.SENDING
        self._show()
        self._task = asyncio.ensure_future(self._send(self.push.url, number))

    async def _send(self, url: str, number: str) -> None:
        sent = await self._poster(url, number)
        self.keypad._set("")  # off the screen either way: the next person at the kiosk must not see it
        self.callback_state = CallbackState.SENT if sent else CallbackState.FAILED
        self._show()

    def _show(self) -> None:
        state = self.callback_state
        typing = state in (CallbackState.TYPING, CallbackState.FAILED)
        # while the keypad is up it takes the QR's room (the push panel is short on a portrait screen); the QR
        # comes back with the answer
        self.image.setVisible(not typing and not self.image.pixmap().isNull())
        self.body.setVisible(not typing)
        self.print_button.setVisible(not typing)
        self.callback_button.setVisible(state is CallbackState.OFFERED)
        self.callback_hint.setVisible(typing)
        self.phone_shown.setVisible(typing)
        self.keypad.setVisible(typing)
        self.send_button.setVisible(typing)
        self.cancel_button.setVisible(typing)
        self.send_button.setEnabled(valid_phone(self.keypad.number))
        self.callback_line.setVisible(state in (CallbackState.SENDING, CallbackState.SENT, CallbackState.FAILED))
        self.retranslate()
        self.keypad_shown.emit(typing)

    def retranslate(self) -> None:
        super().retranslate()
        if not hasattr(self, "keypad"):
            return  # the base class's first retranslate, before this card's own parts exist
        t = self._texts
        self.title.setText(t("case_card.title", number=self.number))
        # while the keypad is up the hint says what to do, and the keys need the room (the number comes back)
        self.title.setVisible(self.callback_state not in (CallbackState.TYPING, CallbackState.FAILED))
        self.print_button.setText(t("case_card.print"))
        self.callback_button.setText(t("case_card.callback"))
        self.callback_hint.setText(t("case_card.callback_hint"))
        self.send_button.setText(t("case_card.send"))
        self.cancel_button.setText(t("case_card.cancel"))
        self.callback_line.setText(t(f"case_card.{self.callback_state.value}"))
        self.keypad.retranslate()
        self.case_print_status.retranslate()
