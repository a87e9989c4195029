"""What the agent sends to the screen during a call: a card per push, newest first, in a panel that
scrolls instead of growing (the video gives up room to it, the Hang up button never moves)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from device.ui.text import Texts
from kiosk.ui.print_status import PrintStatus, PrintStatusLabel
from kiosk.ui.qr import qr_image
from kiosk.ui.widgets import WrappedLabel, label

if TYPE_CHECKING:  # the message models load with the bus, after the first paint
    from bus.messages.call import Push

QR_SIZE_PX = 300
MAX_PUSHES_SHOWN = 5  # older ones are dropped: a passenger acts on the latest few, not on a history
FlightFinder = Callable[[Mapping[str, object]], "str | None"]


class PushCard(QFrame):
    """One thing the agent sent: a note, a QR code, a flight, a slip to print. Everything in it is the
    agent's text, shown as typed (never as markup), wrapped to the card's width however long its words are.

    A slip to print is shown in full as well (its QR, its text), with a line saying whether it prints: if
    the printer cannot, the passenger still has it on screen. Until someone prints it, that line says the
    printer is not available, which is true of a kiosk without one."""

    details_requested = Signal(str)  # the id of the flight a flight card names, to open its details

    def __init__(
        self, texts: Texts, push: Push, parent: QWidget | None = None, *, flight_id: str | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("InfoCard")
        self.push = push
        self._texts = texts
        self.print_status: PrintStatusLabel | None = None
        self.flight_id = flight_id
        self.details_button: QPushButton | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 20, 28, 20)
        self.title = WrappedLabel("InfoTitle")
        self.body = WrappedLabel("InfoBody")
        self.image = QLabel()
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.title)
        layout.addWidget(self.image)
        layout.addWidget(self.body)
        if push.kind == "print":
            self.print_status = PrintStatusLabel(texts)
            layout.insertWidget(1, self.print_status)
            self.print_status.show_status(PrintStatus.UNAVAILABLE, has_qr=bool(push.url))
        if push.kind in ("qr", "print") and push.url:
            self.image.setPixmap(QPixmap.fromImage(qr_image(push.url, QR_SIZE_PX)))
            self.body.setText("\n".join(part for part in (push.text, push.url) if part))
        elif push.kind == "flight":
            data = push.data
            number, airport = str(data.get("number", "")), str(data.get("airport", ""))
            self.title.setText(texts("call.flight_card", number=number, airport=airport))
            self.body.setText(
                texts(
                    "call.flight_details",
                    time=str(data.get("time", "")),
                    gate=str(data.get("gate", "—") or "—"),
                    status=str(data.get("status", "")),
                )
            )
            if flight_id is not None:  # on the board: its details are one tap away
                self.details_button = QPushButton()
                self.details_button.setObjectName("ChoiceButton")
                self.details_button.clicked.connect(lambda: self.details_requested.emit(flight_id))
                layout.addWidget(self.details_button, 0, Qt.AlignmentFlag.AlignLeft)
        else:
            self.body.setText("\n".join(part for part in (push.text, push.url or "") if part))
        self.image.setVisible(not self.image.pixmap().isNull())
        self.retranslate()

    def retranslate(self) -> None:
        if self.details_button is not None:
            self.details_button.setText(self._texts("flights.show_details"))
        if self.print_status is not None:
            self.title.setText(self._texts("call.print_card"))
            self.print_status.retranslate()
        self.title.setVisible(bool(self.title.text()))


class PushPanel(QWidget):
    """A title and the cards under it, in a scroll area; hidden while there is nothing to show."""

    flight_details_requested = Signal(str)  # a flight card's "Show details": the flight's id
    print_requested = Signal(object)  # a case card's Print: the card, whose print_status tells how it goes
    keypad_shown = Signal(bool)  # a case card's keypad for a callback number came up (True) or went (False)

    def __init__(self, texts: Texts, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._texts = texts
        # which flight on the boards a flight card names (the window sets it to the Flights screen's)
        self.find_flight: FlightFinder | None = None
        self.title = label("Hint")
        self._cards = QVBoxLayout()
        self._cards.setContentsMargins(0, 0, 0, 0)
        self._cards.setSpacing(16)
        content = QWidget()
        content.setObjectName("Screen")
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(self._cards)
        column.addStretch(1)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setWidget(content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self.title)
        layout.addWidget(self.scroll_area, 1)
        self.setVisible(False)

    @property
    def cards(self) -> list[PushCard]:
        cards = []
        for index in range(self._cards.count()):
            item = self._cards.itemAt(index)
            widget = item.widget() if item is not None else None
            if isinstance(widget, PushCard):
                cards.append(widget)
        return cards

    def add(self, push: Push) -> PushCard:
        from kiosk.ui.case_qr import CaseCard, case_number  # a card kind of its own, built on PushCard

        flight_id = None
        if push.kind == "flight" and self.find_flight is not None:
            flight_id = self.find_flight(push.data)
        card: PushCard
        if case_number(push) is not None:  # a follow-up case the agent opened: its QR, Print, a callback
            card = CaseCard(self._texts, push)
            card.print_tapped.connect(self.print_requested)
            card.keypad_shown.connect(self.keypad_shown)
            card.keypad_shown.connect(lambda shown, card=card: self._keep_send_in_view(card) if shown else None)
        else:
            card = PushCard(self._texts, push, flight_id=flight_id)
        card.details_requested.connect(self.flight_details_requested)
        self._cards.insertWidget(0, card)
        for old in self.cards[MAX_PUSHES_SHOWN:]:
            self._remove(old)
        self.scroll_area.verticalScrollBar().setValue(0)  # the newest, at the top, is what the agent talks about
        self.setVisible(True)
        return card

    def _keep_send_in_view(self, card: QWidget) -> None:
        """With the keypad up, Send and Cancel stay in view: on a short screen the card's title scrolls away
        first (the screen has made what room it can; see InCallScreen)."""
        send = getattr(card, "send_button", None)
        if isinstance(send, QWidget):
            QTimer.singleShot(0, lambda: self.scroll_area.ensureWidgetVisible(send, 0, 16))

    def clear(self) -> None:
        for card in self.cards:
            self._remove(card)
        self.setVisible(False)

    def retranslate(self) -> None:
        self.title.setText(self._texts("call.pushed_title"))
        for card in self.cards:
            card.retranslate()

    def _remove(self, card: PushCard) -> None:
        self._cards.removeWidget(card)
        card.hide()  # at once: deleteLater waits for the event loop, and a parentless card would float
        card.deleteLater()
