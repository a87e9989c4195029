"""Free Wi-Fi: the voucher being printed, and the same network QR on screen so a phone can join by
scanning it, with or without paper."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from device.ui.text import Texts
from kiosk.ui.print_status import PrintStatus, PrintStatusLabel
from kiosk.ui.qr import qr_image
from kiosk.ui.widgets import WrappedLabel, as_screen, label, nav_button

QR_SIZE_PX = 300  # a phone camera reads it from an arm's length; small enough for 800x1280 with large text


class WifiScreen(QWidget):
    """Shows one voucher: the printing status, the network's QR, and the network name and code typed out."""

    home_requested = Signal()

    def __init__(self, texts: Texts, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        as_screen(self)
        self._texts = texts
        self.ssid = ""
        self.code = ""
        self.qr_text = ""
        centre = Qt.AlignmentFlag.AlignCenter
        self.title = label("ScreenTitle", wrap=True)
        self.home_button = nav_button(self.home_requested)
        self.status = PrintStatusLabel(texts)
        self.qr = QLabel()
        self.qr.setAlignment(centre)
        self.scan_hint = label("Hint", wrap=True, alignment=centre)
        self.network = WrappedLabel("InfoBody")  # the network's name comes from settings: plain text
        self.network.setAlignment(centre)
        self.code_line = WrappedLabel("WifiCode")  # large: some type the code by hand
        self.code_line.setAlignment(centre)

        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(self.home_button, 0, Qt.AlignmentFlag.AlignRight)
        words = QVBoxLayout()
        words.setSpacing(12)
        words.addWidget(self.network)
        words.addWidget(self.code_line)
        words.addWidget(self.scan_hint)
        self._body = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self._body.setSpacing(16)
        self._body.addWidget(self.qr, 0, centre)
        self._body.addLayout(words, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(64, 40, 64, 32)
        layout.setSpacing(20)
        layout.addLayout(header)
        layout.addWidget(self.status)
        layout.addLayout(self._body)
        layout.addStretch(1)
        self.retranslate()

    def set_landscape(self, landscape: bool) -> None:
        self._body.setDirection(QBoxLayout.Direction.LeftToRight if landscape else QBoxLayout.Direction.TopToBottom)

    def show_voucher(self, ssid: str, code: str, qr_text: str) -> None:
        """A new voucher: its network, code and QR; the status is set by whoever prints it."""
        self.ssid, self.code, self.qr_text = ssid, code, qr_text
        self.qr.setPixmap(QPixmap.fromImage(qr_image(qr_text, QR_SIZE_PX)))
        self.status.clear_status()
        self.retranslate()

    def show_no_codes(self, ssid: str) -> None:
        """No code to hand out: no QR (it would not join), the network's name and where to ask."""
        self.ssid, self.code, self.qr_text = ssid, "", ""
        self.qr.clear()
        self.status.show_status(PrintStatus.NO_CODES)
        self.retranslate()

    def retranslate(self) -> None:
        t = self._texts
        self.title.setText(t("wifi.title"))
        self.home_button.setText(t("nav.home"))
        self.network.setText(t("wifi.network", ssid=self.ssid) if self.ssid else "")
        self.code_line.setText(t("wifi.code", code=self.code) if self.code else "")
        self.scan_hint.setText(t("wifi.scan") if self.qr_text else "")
        for widget in (self.network, self.code_line, self.scan_hint):
            widget.setVisible(bool(widget.text()))
        self.qr.setVisible(bool(self.qr_text))
        self.status.retranslate()
