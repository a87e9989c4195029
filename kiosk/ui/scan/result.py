"""What a scan found: the passenger's flight, an info point, a pass that can't be read, or other text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QPushButton, QScrollArea, QVBoxLayout, QWidget

from bus.airports import airport
from bus.messages.flights import Flight
from device.ui.text import Texts
from kiosk.scanning.flight import PassFlight, flight_date, local_time
from kiosk.ui.widgets import WrappedLabel, label

if TYPE_CHECKING:
    from kiosk.scanning.points import PointInfo  # its HTTP client loads when a point is first scanned


@dataclass(frozen=True)
class FlightFound:
    found: PassFlight
    tz: str
    today: date


@dataclass(frozen=True)
class Unreadable:
    pass


@dataclass(frozen=True)
class PointLoading:
    point_id: str


@dataclass(frozen=True)
class PointShown:
    point: PointInfo


@dataclass(frozen=True)
class PointUnavailableShown:
    point_id: str


@dataclass(frozen=True)
class OtherText:
    shown: str  # already cleaned and cut (kiosk.scanning.codes.shown_text)


Outcome = FlightFound | Unreadable | PointLoading | PointShown | PointUnavailableShown | OtherText
ROWS = 5  # gate, time, status, passenger, seat (the most a result shows)


class ScanResultScreen(QWidget):
    """One result at a time; every text from a code or central is plain text in a label, never markup."""

    home_requested = Signal()
    scan_again_requested = Signal()
    flight_details_requested = Signal(str)
    """A flight on the board was found: its details (with a QR to take away and Print) on the Flights screen."""

    def __init__(self, texts: Texts, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Screen")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._texts = texts
        self.outcome: Outcome = Unreadable()
        self.title = label("ScreenTitle", wrap=True)
        self.home_button = QPushButton()
        self.home_button.setObjectName("NavButton")
        self.home_button.clicked.connect(self.home_requested)
        self.again_button = QPushButton()
        self.again_button.setObjectName("ChoiceButton")
        self.again_button.clicked.connect(self.scan_again_requested)
        self.details_button = QPushButton()
        self.details_button.setObjectName("ChoiceButton")
        self.details_button.clicked.connect(self._details)
        self.card = QFrame()
        self.card.setObjectName("InfoCard")
        self.headline = WrappedLabel("InfoTitle")
        self.body = WrappedLabel("InfoBody")
        self.names = [label("Hint") for _ in range(ROWS)]
        self.values = [WrappedLabel("ResultValue") for _ in range(ROWS)]

        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(self.home_button, 0, Qt.AlignmentFlag.AlignRight)
        rows = QGridLayout()
        rows.setHorizontalSpacing(24)
        rows.setVerticalSpacing(12)
        rows.setColumnStretch(1, 1)
        for row, (name, value) in enumerate(zip(self.names, self.values, strict=True)):
            rows.addWidget(name, row, 0, Qt.AlignmentFlag.AlignTop)
            rows.addWidget(value, row, 1)
        inside = QVBoxLayout(self.card)
        inside.setContentsMargins(36, 28, 36, 28)
        inside.setSpacing(16)
        inside.addWidget(self.headline)
        inside.addLayout(rows)
        inside.addWidget(self.body)

        content = QWidget()
        content.setObjectName("Screen")
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(24)
        column.addWidget(self.card)
        buttons = QHBoxLayout()
        buttons.setSpacing(24)
        buttons.addWidget(self.details_button)
        buttons.addWidget(self.again_button)
        buttons.addStretch(1)
        column.addLayout(buttons)
        column.addStretch(1)
        # a long code in large text on a small screen is taller than the screen: it scrolls, never squeezes
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(content)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(64, 40, 64, 32)
        layout.setSpacing(24)
        layout.addLayout(header)
        layout.addWidget(scroll, 1)
        self.retranslate()

    def show_outcome(self, outcome: Outcome) -> None:
        self.outcome = outcome
        self.retranslate()

    def retranslate(self) -> None:
        t = self._texts
        self.home_button.setText(t("nav.home"))
        self.again_button.setText(t("scan.scan_again"))
        self.details_button.setText(t("scan.details"))
        self.details_button.setVisible(self._flight_on_board() is not None)
        rows: list[tuple[str, str]] = []
        headline = body = ""
        outcome = self.outcome
        if isinstance(outcome, FlightFound):
            title = t("scan.result_title")
            headline, rows, body = self._flight(outcome)
        elif isinstance(outcome, Unreadable):
            title, body = t("scan.unreadable_title"), t("scan.unreadable")
        elif isinstance(outcome, PointLoading):
            title, body = t("scan.point_title"), t("scan.point_loading", point=outcome.point_id)
        elif isinstance(outcome, PointShown):
            title = t("scan.point_title")
            headline, body = self._point(outcome.point)
        elif isinstance(outcome, PointUnavailableShown):
            title, body = t("scan.point_title"), t("scan.point_unavailable", point=outcome.point_id)
        else:
            title, headline, body = t("scan.other_title"), t("scan.other"), outcome.shown
        self.title.setText(title)
        self.headline.setText(headline)
        self.headline.setVisible(bool(headline))
        self.body.setText(body)
        self.body.setVisible(bool(body))
        for index, (name, value) in enumerate(zip(self.names, self.values, strict=True)):
            shown = index < len(rows)
            name.setText(rows[index][0] if shown else "")
            value.setText(rows[index][1] if shown else "")
            name.setVisible(shown)
            value.setVisible(shown)

    def _flight_on_board(self) -> str | None:
        outcome = self.outcome
        if isinstance(outcome, FlightFound) and outcome.found.flight is not None:
            return outcome.found.flight.id
        return None

    def _details(self) -> None:
        flight_id = self._flight_on_board()
        if flight_id is not None:
            self.flight_details_requested.emit(flight_id)

    def _flight(self, outcome: FlightFound) -> tuple[str, list[tuple[str, str]], str]:
        t, language = self._texts, self._texts.language
        found, flight = outcome.found, outcome.found.flight
        leg = found.leg
        passenger = [(t("scan.passenger"), found.initials)] if found.initials else []
        seat = [(t("scan.seat"), leg.seat.lstrip("0"))] if leg.seat else []
        if flight is None:
            when = _day(leg.date_of_flight, outcome.today)
            headline = t("scan.flight_line", flight=leg.flight_number, city=_city(leg.to_airport, None, language))
            return headline, [*passenger, *seat], t("scan.not_on_board", flight=leg.flight_number, date=when)
        headline = t("scan.flight_line", flight=flight.number, city=_city(flight.other_airport, flight, language))
        times = local_time(flight.scheduled, outcome.tz)
        if flight.estimated is not None and local_time(flight.estimated, outcome.tz) != times:
            times = f"{times} → {local_time(flight.estimated, outcome.tz)}"
        rows = [
            (t("scan.gate"), flight.gate or t("scan.no_gate")),
            (t("scan.time"), times),
            (t("scan.status"), t(f"flight_status.{flight.status.value}")),
            *passenger,
            *seat,
        ]
        return headline, rows, ""

    def _point(self, point: PointInfo) -> tuple[str, str]:
        t, language = self._texts, self._texts.language
        lines = []
        if point.terminal or point.area or point.floor:
            lines.append(t("scan.point_place", terminal=point.terminal, area=point.area, floor=point.floor))
        services = "、" if language.startswith("zh") else ", "
        if point.services:
            lines.append(t("scan.point_services", services=services.join(s.text(language) for s in point.services)))
        return point.name.text(language) or point.id, "\n".join(lines)


def _city(code: str, flight: Flight | None, language: str) -> str:
    names = airport(code) if code else None
    if language.startswith("zh"):
        return (flight.city_zh if flight else "") or (names.city_zh if names else "") or code
    return (flight.city_en if flight else "") or (names.city_en if names else "") or code


def _day(day_of_year: int | None, today: date) -> str:
    return (flight_date(day_of_year, today) or today).isoformat()
