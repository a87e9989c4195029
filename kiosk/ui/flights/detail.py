"""One flight in full: its status, scheduled beside expected or actual times with the delay, where to go
(terminal, check-in, gate, belt), codeshares; a QR of its live page to take away, and a Print button."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from device.ui.text import Texts
from kiosk.ui.flights.words import (
    STATUS_COLOURS,
    clock,
    delay_minutes,
    is_departure,
    remark,
    route,
    status_of,
    via_cities,
    zone,
)
from kiosk.ui.print_status import PrintStatusLabel
from kiosk.ui.qr import qr_image
from kiosk.ui.widgets import WrappedLabel, label

if TYPE_CHECKING:
    from bus.messages.flights import Flight

QR_SIZE_PX = 260  # read by a phone from an arm's length; leaves room for the facts on an 800 px screen
FACTS = ("scheduled", "expected", "delay", "terminal", "check_in", "gate", "belt", "via", "codeshares", "remarks")


class FlightDetail(QWidget):
    """The detail page of the Flights screen; ``show_flight`` fills it."""

    back_requested = Signal()
    print_requested = Signal()

    def __init__(self, texts: Texts, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._texts = texts
        self.flight: Flight | None = None
        self.url = ""
        self._tz = zone("")
        self._high_contrast = False
        self.printer_available: bool | None = None
        self.back_button = QPushButton()
        self.back_button.setObjectName("NavButton")
        self.back_button.clicked.connect(self.back_requested)
        self.title = label("ScreenTitle")
        self.route = WrappedLabel("InfoTitle")
        self.airline = WrappedLabel("Hint")
        self.status = label("StatusPill", alignment=Qt.AlignmentFlag.AlignCenter)
        self.names: dict[str, QLabel] = {}
        self.values: dict[str, WrappedLabel] = {}
        facts = QFrame()
        facts.setObjectName("InfoCard")
        grid = QGridLayout(facts)
        grid.setContentsMargins(28, 20, 28, 20)
        grid.setHorizontalSpacing(24)
        grid.setVerticalSpacing(10)
        for row, name in enumerate(FACTS):
            self.names[name] = label("Hint", wrap=True)
            self.values[name] = WrappedLabel("FactValue")
            grid.addWidget(self.names[name], row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(self.values[name], row, 1)
        grid.setColumnStretch(1, 1)
        self.qr = QLabel()
        self.qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.qr_hint = label("Hint", wrap=True, alignment=Qt.AlignmentFlag.AlignCenter)
        self.print_button = QPushButton()
        self.print_button.setObjectName("NavButton")
        self.print_button.clicked.connect(self.print_requested)
        self.print_reason = label("Hint", wrap=True, alignment=Qt.AlignmentFlag.AlignCenter)
        self.print_status = PrintStatusLabel(texts)

        take_away = QVBoxLayout()
        take_away.setSpacing(12)
        take_away.addWidget(self.qr, 0, Qt.AlignmentFlag.AlignHCenter)
        take_away.addWidget(self.qr_hint)
        take_away.addWidget(self.print_button, 0, Qt.AlignmentFlag.AlignHCenter)
        take_away.addWidget(self.print_reason)
        take_away.addWidget(self.print_status)
        take_away.addStretch(1)
        about = QVBoxLayout()
        about.setSpacing(12)
        about.addWidget(self.route)
        about.addWidget(self.airline)
        about.addWidget(self.status, 0, Qt.AlignmentFlag.AlignLeft)
        about.addWidget(facts)
        about.addStretch(1)
        self._body = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self._body.setSpacing(24)
        self._body.addLayout(about, 3)
        self._body.addLayout(take_away, 2)
        content = QWidget()
        content.setObjectName("Screen")
        content_layout = QVBoxLayout(content)
        content_layout.setContentsMargins(0, 0, 0, 0)
        content_layout.addLayout(self._body)
        content_layout.addStretch(1)
        self.scroll_area = QScrollArea()  # a long codeshare list or large text on a small screen scrolls
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setWidget(content)

        header = QHBoxLayout()
        header.setSpacing(24)
        header.addWidget(self.title, 1)
        header.addWidget(self.back_button, 0, Qt.AlignmentFlag.AlignRight)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(16)
        layout.addLayout(header)
        layout.addWidget(self.scroll_area, 1)

    def set_landscape(self, landscape: bool) -> None:
        self._body.setDirection(QBoxLayout.Direction.LeftToRight if landscape else QBoxLayout.Direction.TopToBottom)

    def set_high_contrast(self, on: bool) -> None:
        self._high_contrast = on
        self._paint_status()

    def show_flight(self, flight: Flight, tz: str, url: str) -> None:
        same = self.flight is not None and self.flight.id == flight.id
        self.flight = flight
        self._tz = zone(tz)
        if url != self.url:
            self.url = url
            self.qr.setPixmap(QPixmap.fromImage(qr_image(url, QR_SIZE_PX)))
        if not same:
            self.print_status.clear_status()
            self.scroll_area.verticalScrollBar().setValue(0)
        self.retranslate()

    def set_printer_available(self, available: bool | None) -> None:
        self.printer_available = available
        self.retranslate()

    def retranslate(self) -> None:
        t = self._texts
        self.back_button.setText(t("nav.back"))
        self.qr_hint.setText(t("flights.qr_hint"))
        self.print_button.setText(t("flights.print"))
        # not yet known (the printer starts after the first paint) is not "unavailable"
        self.print_button.setEnabled(self.printer_available is not False)
        self.print_reason.setText(t("flights.print_unavailable") if self.printer_available is False else "")
        self.print_reason.setVisible(self.printer_available is False)
        self.print_status.retranslate()
        for name in FACTS:
            self.names[name].setText(t(f"flights.fact_{name}"))
        flight = self.flight
        if flight is None:
            self.title.setText(t("flights.title"))
            for name in FACTS:
                self._show_fact(name, "")
            return
        language = t.language
        self.title.setText(flight.number)
        to_or_from = "flights.to_city" if is_departure(flight) else "flights.from_city"
        self.route.setText(t(to_or_from, city=route(flight, language)))
        zh = language.startswith("zh")
        airline = (flight.airline_zh if zh else flight.airline) or flight.airline or flight.airline_zh
        self.airline.setText(airline)
        self.airline.setVisible(bool(airline))
        self.status.setText(remark(flight, t, self._tz))
        self._paint_status()
        self._show_times(flight)
        self._show_fact("terminal", flight.terminal)
        self._show_fact("check_in", flight.check_in if is_departure(flight) else "")
        self._show_fact("gate", flight.gate if is_departure(flight) else "")
        self._show_fact("belt", flight.belt if not is_departure(flight) else "")
        self._show_fact("via", " - ".join(via_cities(flight, language)))
        self._show_fact("codeshares", "  ".join(flight.codeshares))
        self._show_fact("remarks", (flight.remarks_zh if zh else flight.remarks_en) or flight.remarks_en)

    def _show_times(self, flight: Flight) -> None:
        t = self._texts
        self._show_fact("scheduled", clock(flight.scheduled, self._tz))
        if flight.actual is not None:
            self.names["expected"].setText(t("flights.fact_actual"))
            self._show_fact("expected", clock(flight.actual, self._tz))
        else:
            self._show_fact("expected", clock(flight.estimated, self._tz))
        delay = delay_minutes(flight)
        self._show_fact("delay", t("flights.delay_minutes", minutes=delay) if delay else "")

    def _show_fact(self, name: str, value: str) -> None:
        self.values[name].setText(value)
        self.values[name].setVisible(bool(value))
        self.names[name].setVisible(bool(value))

    def _paint_status(self) -> None:
        flight = self.flight
        colour = STATUS_COLOURS.get(status_of(flight), "#ffffff") if flight is not None else "#ffffff"
        if self._high_contrast:
            look = f"color: {colour}; background: #000000; border: 4px solid {colour};"
        else:
            look = f"color: #14213d; background: {colour}; border: 2px solid #c9d3e0;"
        self.status.setStyleSheet(f"#StatusPill {{ {look} }}")
