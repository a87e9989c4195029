"""The Flights screen: departures or arrivals with the current hour in view, a search on a large on-screen
keyboard and one-tap city buttons (no Chinese typing), and one flight's details.

It observes the device's flight store (kiosk/ui/app.py gives it one after the first paint). The store
calls its listeners on the loop, Qt's thread; a burst of board changes is redrawn once, on the next turn
of the loop, so a busy board never holds up a tap.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QResizeEvent, QShowEvent
from PySide6.QtWidgets import QBoxLayout, QButtonGroup, QHBoxLayout, QPushButton, QStackedWidget, QVBoxLayout, QWidget

from device.ui.text import Texts
from kiosk.session import SearchPause
from kiosk.ui.flights.board import FlightBoards
from kiosk.ui.flights.cities import CityGrid
from kiosk.ui.flights.detail import FlightDetail
from kiosk.ui.flights.model import FlightRows
from kiosk.ui.flights.table import FlightTable
from kiosk.ui.flights.words import (
    ARRIVALS,
    DEPARTURES,
    age_minutes,
    context_text,
    find_pushed,
    first_row_of_hour,
    flight_slip,
    flight_url,
    zone,
)
from kiosk.ui.keyboard import OnScreenKeyboard
from kiosk.ui.widgets import WrappedLabel, label

if TYPE_CHECKING:
    from bus.messages.flights import Direction, Flight
    from device.flights.search import FlightIndex

AGE_REFRESH_MS = 30_000  # "updated N min ago" moves on while the screen is shown
SEARCH_RESULTS_MAX = 200  # more than anyone scrolls through; keeps a one-letter query as quick as the rest


def _direction(value: str) -> Direction:
    from bus.messages.flights import Direction

    return Direction(value)


class FlightsScreen(QWidget):
    """Three pages: the board, the search and a flight's details."""

    home_requested = Signal()
    scan_requested = Signal()  # "Scan boarding pass": the scan screen is someone else's
    shown_requested = Signal()  # a flight was opened from elsewhere (an agent's card, a scanned pass)
    closed = Signal()  # Back from a flight opened from elsewhere: return to where the passenger was
    looked_at = Signal(str)  # the flight opened, as the agent's console shows it in the passenger's context
    print_requested = Signal(object)  # the FlightSlip of the flight shown
    # flight numbers the passenger asked about, and how ("detail" or "search"): demand, counted by central
    looked_up = Signal(list, str)

    def __init__(
        self,
        texts: Texts,
        central_url: str,
        site: str,
        parent: QWidget | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        super().__init__(parent)
        self.setObjectName("Screen")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._texts = texts
        self._central_url = central_url
        self._site = site
        self._now = now
        self.boards: FlightBoards | None = None
        self.direction = DEPARTURES
        self.query = ""
        self.city_key = ""
        self._index: FlightIndex | None = None
        self._redraw_pending = False
        self._from_elsewhere = False
        self._back_to = "browse"
        self._landscape = False
        self._stale = False

        # --- the board
        self.title = label("ScreenTitle")
        self.home_button = QPushButton()
        self.home_button.setObjectName("NavButton")
        self.home_button.clicked.connect(self.home_requested)
        self.departures_button = QPushButton()
        self.arrivals_button = QPushButton()
        self._directions = QButtonGroup(self)
        for button, value in ((self.departures_button, DEPARTURES), (self.arrivals_button, ARRIVALS)):
            button.setObjectName("ChoiceButton")
            button.setCheckable(True)
            button.clicked.connect(lambda _checked=False, value=value: self.set_direction(value))
            self._directions.addButton(button)
        self.departures_button.setChecked(True)
        self.search_button = QPushButton()
        self.search_button.setObjectName("NavButton")
        self.search_button.clicked.connect(self.open_search)
        self.scan_button = QPushButton()
        self.scan_button.setObjectName("NavButton")
        self.scan_button.clicked.connect(self.scan_requested)
        self.freshness = WrappedLabel("FreshnessBanner")
        self.empty = WrappedLabel("EmptyState")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.board_rows = FlightRows(texts)
        self.board_list = FlightTable(self.board_rows)
        self.board_list.flight_tapped.connect(lambda flight: self._open(flight, "browse"))

        header = QHBoxLayout()
        header.setSpacing(24)
        header.addWidget(self.title, 1)
        header.addWidget(self.home_button, 0, Qt.AlignmentFlag.AlignRight)
        toggles = QHBoxLayout()
        toggles.setSpacing(16)
        toggles.addWidget(self.departures_button, 1)
        toggles.addWidget(self.arrivals_button, 1)
        self._actions = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self._actions.setSpacing(16)
        self._actions.addWidget(self.search_button, 1)
        self._actions.addWidget(self.scan_button, 1)
        browse = QWidget()
        browse_layout = QVBoxLayout(browse)
        browse_layout.setContentsMargins(0, 0, 0, 0)
        browse_layout.setSpacing(16)
        browse_layout.addLayout(header)
        # one row on a landscape screen (the list keeps its height), two on a portrait one
        self._controls = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self._controls.setSpacing(16)
        self._controls.addLayout(toggles, 1)
        self._controls.addLayout(self._actions, 1)
        browse_layout.addLayout(self._controls)
        browse_layout.addWidget(self.freshness)
        browse_layout.addWidget(self.empty, 1)
        browse_layout.addWidget(self.board_list, 1)
        self.browse_page = browse

        # --- the search
        self.query_line = WrappedLabel("SearchQuery")
        self.search_back = QPushButton()
        self.search_back.setObjectName("NavButton")
        self.search_back.clicked.connect(self.close_search)
        self.search_hint = WrappedLabel("Hint")
        self.result_rows = FlightRows(texts)
        self.result_list = FlightTable(self.result_rows)
        self.result_list.flight_tapped.connect(lambda flight: self._open(flight, "search"))
        self.cities = CityGrid()
        self.cities.chosen.connect(self.choose_city)
        self.keyboard = OnScreenKeyboard(texts)
        self.keyboard.text_changed.connect(self.search)
        search_header = QHBoxLayout()
        search_header.setSpacing(24)
        search_header.addWidget(self.query_line, 1)
        search_header.addWidget(self.search_back, 0, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        results = QVBoxLayout()
        results.setSpacing(8)
        results.addWidget(self.search_hint)
        results.addWidget(self.cities)  # under "or tap a city", before anything is typed
        results.addWidget(self.result_list, 1)
        results.addStretch(0)  # takes the room while there are no results, so the rest stays at the top
        self.search_hint.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self._results = results
        keys = QVBoxLayout()
        keys.setSpacing(16)
        keys.addStretch(1)
        keys.addWidget(self.keyboard)
        self._search_body = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self._search_body.setSpacing(16)
        self._search_body.addLayout(results, 1)
        self._search_body.addLayout(keys)
        search = QWidget()
        search_layout = QVBoxLayout(search)
        search_layout.setContentsMargins(0, 0, 0, 0)
        search_layout.setSpacing(16)
        search_layout.addLayout(search_header)
        search_layout.addLayout(self._search_body, 1)
        self.search_page = search

        # --- a flight
        self.detail = FlightDetail(texts)
        self.detail.back_requested.connect(self._back_from_detail)
        self.detail.print_requested.connect(self._print)

        self.pages = QStackedWidget()
        for page in (self.browse_page, self.search_page, self.detail):
            page.setObjectName("Screen")
            self.pages.addWidget(page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 32, 48, 24)
        layout.addWidget(self.pages)
        self._layout = layout

        self.search_pause = SearchPause()
        self._pause_timer = QTimer(self)
        self._pause_timer.setSingleShot(True)
        self._pause_timer.timeout.connect(self._search_settled)

        self._age_timer = QTimer(self)
        self._age_timer.setInterval(AGE_REFRESH_MS)
        self._age_timer.timeout.connect(self._show_freshness)
        self.retranslate()

    # --- set-up ----------------------------------------------------------------------------------------

    def set_boards(self, boards: FlightBoards) -> None:
        """Follow ``boards`` (the device's FlightStore) from now on."""
        self.boards = boards
        boards.add_listener(lambda _change: self._redraw_soon())
        self._redraw(reset=True)

    @property
    def stale(self) -> bool:
        """A board changed while the screen was hidden: it redraws when it shows."""
        return self._stale

    def set_landscape(self, landscape: bool) -> None:
        self._search_body.setDirection(
            QBoxLayout.Direction.LeftToRight if landscape else QBoxLayout.Direction.TopToBottom
        )
        self._search_body.setStretch(1, 1 if landscape else 0)
        self._landscape = landscape
        self._controls.setDirection(QBoxLayout.Direction.LeftToRight if landscape else QBoxLayout.Direction.TopToBottom)
        self._arrange_actions(self.width())  # keys at least 64 px wide beside the results
        self.detail.set_landscape(landscape)

    def set_large_text(self, large: bool, row_px: int) -> None:
        for table in (self.board_list, self.result_list):
            table.set_row_height(row_px)
            table.rows.set_high_contrast(large)
        self.detail.set_high_contrast(large)

    def set_printer_available(self, available: bool) -> None:
        self.detail.set_printer_available(available)

    # --- what the passenger does ---------------------------------------------------------------------

    def open_board(self) -> None:
        """From the home screen: departures, the current hour at the top."""
        self._from_elsewhere = False
        self.direction = DEPARTURES
        self.departures_button.setChecked(True)
        self.pages.setCurrentWidget(self.browse_page)
        self._redraw(reset=True)

    def set_direction(self, direction: str) -> None:
        self.direction = direction
        (self.departures_button if direction == DEPARTURES else self.arrivals_button).setChecked(True)
        self._redraw(reset=True)

    def open_search(self) -> None:
        self.query = ""
        self.city_key = ""
        self.keyboard.set_text("")
        self.pages.setCurrentWidget(self.search_page)
        self._index = None
        self._redraw()

    def close_search(self) -> None:
        self._stop_search_pause()
        self.pages.setCurrentWidget(self.browse_page)
        self._redraw()

    def search(self, query: str) -> None:
        """One keystroke: the results for what is typed now."""
        self.query = query
        self.city_key = ""
        self._show_results()

    def choose_city(self, key: str) -> None:
        self.city_key = key
        self.query = ""
        self.keyboard.set_text("")
        self._show_results()

    def show_flight(self, flight_id: str) -> bool:
        """Open the details of a flight on the board (from a scanned boarding pass or an agent's card);
        False, and nothing changes, when no board holds it."""
        flight = self.boards.flight(flight_id) if self.boards is not None else None
        if flight is None:
            return False
        self._open(flight, "elsewhere")
        self.shown_requested.emit()
        return True

    def find_flight(self, data: Mapping[str, object]) -> str | None:
        """The id of the flight an agent's flight card names, if it is on a board."""
        if self.boards is None:
            return None
        flights = [*self.boards.flights(_direction(DEPARTURES)), *self.boards.flights(_direction(ARRIVALS))]
        found = find_pushed(flights, data, self._now())
        return found.id if found is not None else None

    def _open(self, flight: Flight, came_from: str) -> None:
        self._stop_search_pause()  # the flight opened says more than the search that found it
        self._from_elsewhere = came_from == "elsewhere"
        if not self._from_elsewhere:
            self._back_to = came_from
            # an agent's card or a scanned pass is no question the passenger asked: only their own taps count
            self.looked_up.emit([flight.number], "detail")
        self.detail.show_flight(flight, self._tz_name(), flight_url(self._central_url, flight.id))
        self.pages.setCurrentWidget(self.detail)
        self.looked_at.emit(context_text(flight, zone(self._tz_name())))

    def _back_from_detail(self) -> None:
        if self._from_elsewhere:
            self._from_elsewhere = False
            self.pages.setCurrentWidget(self.browse_page)
            self.closed.emit()
            return
        self.pages.setCurrentWidget(self.search_page if self._back_to == "search" else self.browse_page)

    def _print(self) -> None:
        flight = self.detail.flight
        if flight is not None:
            self.print_requested.emit(flight_slip(flight, self._site, self.detail.url))

    # --- drawing ---------------------------------------------------------------------------------------

    def _tz_name(self) -> str:
        return self.boards.site_tz() if self.boards is not None else ""

    def _redraw_soon(self) -> None:
        self._index = None
        if not self._redraw_pending:
            self._redraw_pending = True
            QTimer.singleShot(0, self._redraw_now)

    def _redraw_now(self) -> None:
        self._redraw_pending = False
        if not self.isVisible():
            self._stale = True  # a busy board costs nothing while the passenger is elsewhere
            return
        self._redraw()

    def _redraw(self, *, reset: bool = False) -> None:
        """Show the boards as they are now; ``reset`` puts the current hour at the top of the list."""
        self._show_freshness()
        page = self.pages.currentWidget()
        if page is self.browse_page:
            self._show_board(reset)
        elif page is self.search_page:
            self._show_results()
        elif page is self.detail and self.detail.flight is not None and self.boards is not None:
            flight = self.boards.flight(self.detail.flight.id)
            if flight is not None:  # gone from the board: keep what was shown
                self.detail.show_flight(flight, self._tz_name(), self.detail.url)

    def _show_board(self, reset: bool) -> None:
        flights = self.boards.flights(_direction(self.direction)) if self.boards is not None else []
        kept = -1 if reset else self.board_list.first_visible_row()
        kept_id = self.board_rows.flights[kept].id if 0 <= kept < len(self.board_rows.flights) else ""
        self.board_rows.set_flights(flights, self._tz_name())
        self.empty.setVisible(not flights)
        self.board_list.setVisible(bool(flights))
        if kept_id and (row := self.board_list.row_of(kept_id)) >= 0:
            self.board_list.scroll_to_row(row)  # a board change does not move what the passenger reads
        else:
            self.board_list.scroll_to_row(first_row_of_hour(flights, self._now(), zone(self._tz_name())))

    def _search_index(self) -> FlightIndex:
        if self._index is None:
            from device.flights.search import FlightIndex

            boards = self.boards
            flights = (
                []
                if boards is None
                else [*boards.flights(_direction(DEPARTURES)), *boards.flights(_direction(ARRIVALS))]
            )
            self._index = FlightIndex(flights)
            self.cities.set_cities(self._index.top_cities(8), self._texts.language)
        return self._index

    def _show_results(self) -> None:
        t = self._texts
        index = self._search_index()
        if self.city_key:
            found = index.by_city(self.city_key)
            name = next((c.name(t.language) for c in self.cities.cities if c.key == self.city_key), self.city_key)
            shown = name
        else:
            found = index.search(self.query, SEARCH_RESULTS_MAX) if self.query else []
            shown = self.query
        self.result_rows.set_flights(found, self._tz_name(), mixed=True)
        self._await_search_pause([flight.number for flight in found])
        if found:
            self.result_list.scroll_to_row(0)
        searching = bool(self.query or self.city_key)
        self.query_line.setText(shown if searching else t("flights.search_prompt"))
        if self.query_line.property("placeholder") != (not searching):
            self.query_line.setProperty("placeholder", not searching)
            self.query_line.style().unpolish(self.query_line)  # a dynamic property restyles only when re-polished
            self.query_line.style().polish(self.query_line)
        if not searching:
            hint = t("flights.search_hint") if len(index) else t("flights.empty")
        elif found:
            hint = t("flights.found", count=len(found))
        else:
            hint = t("flights.none_found")
        self.search_hint.setText(hint)
        # only what changes is touched: every layout change on a keystroke repaints the page around it
        if self.result_list.isVisibleTo(self.search_page) != bool(found):
            self.result_list.setVisible(bool(found))
            self._results.setStretch(self._results.count() - 1, 0 if found else 1)
        show_cities = not self.query and bool(self.cities.cities)
        if self.cities.isVisibleTo(self.search_page) != show_cities:
            self.cities.setVisible(show_cities)

    def _await_search_pause(self, numbers: list[str]) -> None:
        """Count a search once it settles on a few flights, after a pause in typing (SearchPause)."""
        now = time.monotonic()
        due = self.search_pause.found(numbers, now)
        if due is None:
            self._pause_timer.stop()
        elif not self._pause_timer.isActive():
            self._pause_timer.start(max(0, round((due - now) * 1000)))

    def _search_settled(self) -> None:
        now = time.monotonic()
        numbers = self.search_pause.settled(now)
        if numbers:
            self.looked_up.emit(numbers, "search")
        elif (due := self.search_pause.found([f.number for f in self.result_rows.flights], now)) is not None:
            self._pause_timer.start(max(0, round((due - now) * 1000)))  # the results changed meanwhile

    def _stop_search_pause(self) -> None:
        self.search_pause.cancel()
        self._pause_timer.stop()

    def _show_freshness(self) -> None:
        t = self._texts
        boards = self.boards
        if boards is None:
            freshness, age = "none", None
        else:
            direction = _direction(self.direction)
            freshness, age = str(boards.freshness(direction).value), boards.age_s(direction)
        if freshness == "cached":
            minutes = age_minutes(age)
            text = t("flights.offline_age", minutes=minutes) if minutes else t("flights.offline_now")
        else:
            text = ""
        self.freshness.setText(text)
        self.freshness.setVisible(bool(text))
        self.empty.setText(t("flights.empty"))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._arrange_actions(event.size().width())

    def _arrange_actions(self, width: int) -> None:
        """Search and Scan side by side when both fit, else one over the other (small screen, large text)."""
        margins = self._layout.contentsMargins()
        room = width - margins.left() - margins.right() - self._actions.spacing()
        if self._landscape:
            room = (room - self._controls.spacing()) // 2  # beside the Departures/Arrivals toggles
        needed = 2 * max(self.search_button.sizeHint().width(), self.scan_button.sizeHint().width())
        self._actions.setDirection(
            QBoxLayout.Direction.LeftToRight if needed <= room else QBoxLayout.Direction.TopToBottom
        )

    # --- Qt --------------------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._age_timer.start()
        if self._stale:
            self._stale = False
            self._redraw()
        else:
            self._show_freshness()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self._age_timer.stop()
        self._stop_search_pause()

    def retranslate(self) -> None:
        t = self._texts
        self.title.setText(t("flights.title"))
        self.home_button.setText(t("nav.home"))
        self.departures_button.setText(t("flights.departures"))
        self.arrivals_button.setText(t("flights.arrivals"))
        self.search_button.setText(t("flights.search"))
        self.scan_button.setText(t("flights.scan"))
        self.search_back.setText(t("nav.back"))
        self._arrange_actions(self.width())
        self.keyboard.retranslate()
        self.detail.retranslate()
        for rows in (self.board_rows, self.result_rows):
            rows.refresh_words()
        if self._index is not None:
            self.cities.set_cities(self.cities.cities, t.language)
        self._show_freshness()
        if self.pages.currentWidget() is self.search_page:
            self._show_results()
