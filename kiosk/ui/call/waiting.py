"""Video help, waiting: the place in the queue and the expected wait, with a way out, and "continue on your
phone": a QR that moves the waiting call to the passenger's phone, larger when the wait is long.

The same screen says "connecting you to a specialist" while an agent passes the call on (a transfer): the
passenger is still in their call, so there is no place in a queue to count and no phone to move to."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap, QResizeEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from device.ui.text import Texts
from kiosk.ui.call.expected_wait import expected_wait_text
from kiosk.ui.qr import qr_image
from kiosk.ui.widgets import label

LONG_WAIT_S = 300.0
"""The expected wait from which "continue on your phone" is offered prominently (``[ui]`` sets it)."""
QR_PX = 240  # read from an arm's length; beside the words, so it costs no height
QR_PROMINENT_PX = 280


class WaitingScreen(QWidget):
    cancel_requested = Signal()

    def __init__(self, texts: Texts, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Screen")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._texts = texts
        self._position: int | None = None
        self._eta_s: float | None = None
        self.passed_on = False
        self.held = False
        self.long_wait_s = LONG_WAIT_S
        self.handover_url: str | None = None
        self._qr_drawn: tuple[str, int] | None = None
        centre = Qt.AlignmentFlag.AlignCenter
        self.title = label("Greeting", wrap=True, alignment=centre)
        self.position = label("ScreenTitle", wrap=True, alignment=centre)
        self.eta = label("InfoBody", wrap=True, alignment=centre)
        # said while the call waits, before anyone answers: calls may be monitored for quality
        self.monitoring_notice = label("Hint", wrap=True, alignment=centre)
        self.monitoring_notice_shown = True  # [ui] monitoring_notice: calls may be monitored here
        self.cancel_button = QPushButton()
        self.cancel_button.setObjectName("NavButton")
        self.cancel_button.clicked.connect(self.cancel_requested)

        # continue on your phone: the QR beside its title and how it works
        self.phone_box = QFrame()
        self.phone_box.setObjectName("PhoneHandover")
        self.phone_qr = QLabel()
        self.phone_qr.setAlignment(centre)
        self.phone_title = label("ScreenTitle", wrap=True)
        self.phone_hint = label("Hint", wrap=True)
        words = QVBoxLayout()
        words.setSpacing(8)
        words.addStretch(1)
        words.addWidget(self.phone_title)
        words.addWidget(self.phone_hint)
        words.addStretch(1)
        box = QHBoxLayout(self.phone_box)
        self._box = box
        box.setContentsMargins(16, 16, 16, 16)
        box.setSpacing(24)
        box.addWidget(self.phone_qr, 0, centre)
        box.addLayout(words, 1)
        self.phone_box.hide()

        layout = QVBoxLayout(self)
        self._layout = layout
        layout.setContentsMargins(64, 48, 64, 48)
        layout.setSpacing(24)
        layout.addStretch(1)
        layout.addWidget(self.title)
        layout.addWidget(self.position)
        layout.addWidget(self.eta)
        layout.addWidget(self.monitoring_notice)
        layout.addStretch(1)
        layout.addWidget(self.phone_box)
        layout.addStretch(1)
        layout.addWidget(self.cancel_button, 0, centre)
        self.retranslate()

    @property
    def prominent(self) -> bool:
        """Whether the wait is long enough to offer the phone first."""
        return self._eta_s is not None and self._eta_s >= self.long_wait_s

    def set_queue(self, position: int | None, eta_s: float | None) -> None:
        self._position = position
        self._eta_s = eta_s
        self.retranslate()

    def show_monitoring_notice(self, shown: bool) -> None:
        self.monitoring_notice_shown = shown
        self.retranslate()

    def set_passed_on(self, passed_on: bool, *, held: bool = False) -> None:
        """Whether the call is being passed on to another agent ("connecting you to a specialist"), or, with
        ``held``, on hold while the agent asks a colleague."""
        self.passed_on = passed_on
        self.held = passed_on and held
        if passed_on:
            self.handover_url = None
        self.retranslate()

    def set_handover(self, url: str | None) -> None:
        """The address a phone takes this call over at (a one-time link), or None to offer nothing."""
        self.handover_url = url
        self.retranslate()

    def retranslate(self) -> None:
        t = self._texts
        self.monitoring_notice.setText(t("monitoring.notice"))
        self.monitoring_notice.setVisible(self.monitoring_notice_shown)
        if self.passed_on:
            self.title.setText(t("transfer.hold_title" if self.held else "transfer.title"))
            self.title.setProperty("compact", False)
            self.title.setVisible(True)
            self.position.setText("")
            self.eta.setText(t("transfer.hold_detail" if self.held else "transfer.detail"))
            self.cancel_button.setText(t("call.hang_up"))
            self.phone_box.setVisible(False)
            return
        self.title.setText(t("call.waiting_title"))
        # With the phone offered the greeting gets smaller, and on a long wait (the phone first) it gives
        # way: the place in the queue says enough.
        offered = self.handover_url is not None
        self.title.setProperty("compact", offered)
        self.title.style().unpolish(self.title)
        self.title.style().polish(self.title)
        # The notice that calls may be monitored takes its line too: with the phone offered, the greeting
        # gives way to it, or a short screen in large text cannot hold them all.
        self.title.setVisible(not (offered and (self.prominent or self.monitoring_notice_shown)))
        if self._position is None:
            self.position.setText("")
        elif self._position == 1:
            self.position.setText(t("call.next"))
        else:
            self.position.setText(t("call.position", position=self._position))
        self.eta.setText(expected_wait_text(t, self._eta_s))
        self.cancel_button.setText(t("call.cancel"))
        self._show_handover()

    def _show_handover(self) -> None:
        url = self.handover_url
        self.phone_box.setVisible(url is not None)
        if url is None:
            return
        t = self._texts
        prominent = self.prominent
        self.phone_title.setText(t("continue_on_phone.long_wait" if prominent else "continue_on_phone.title"))
        self.phone_hint.setText(t("continue_on_phone.hint"))
        size = QR_PROMINENT_PX if prominent else QR_PX
        if self._qr_drawn != (url, size):
            self._qr_drawn = (url, size)
            self.phone_qr.setPixmap(QPixmap.fromImage(qr_image(url, size)))
        self._fit_phone_box()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_phone_box()

    def _fit_phone_box(self) -> None:
        """Ask for the height the wrapped words need beside the QR: a box layout in a column does not ask
        its labels' height for their width, and on a narrow screen the words would be cut."""
        if self.handover_url is None:
            return
        margins = self._layout.contentsMargins()
        inner = self._box.contentsMargins()
        qr = self.phone_qr.sizeHint()
        words_w = self.width() - margins.left() - margins.right() - inner.left() - inner.right() - qr.width() - 24
        if words_w <= 0:
            return
        words_h = self.phone_title.heightForWidth(words_w) + 8 + self.phone_hint.heightForWidth(words_w)
        self.phone_box.setMinimumHeight(max(qr.height(), words_h) + inner.top() + inner.bottom())
