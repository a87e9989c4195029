"""The signage display: a header (what is shown, how fresh, the time, the connection), the body (a flight
board turning its pages, a gate, or a belt; "no data" before any board), and a footer (the notice ticker
and where the display is). Every text turns through the languages; sizes follow the display's short side.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLayout,
    QSizePolicy,
    QStackedLayout,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from bus.messages.flights import Direction
from device.flights.store import BoardChange, FlightStore, Freshness
from device.i18n import Catalogue
from device.notice import NoticeBoard
from device.ui.text import Texts
from device.ui.widgets import ConnectionLight, ElidedLabel
from signage.screen import ScreenControl, ScreenSchedule
from signage.settings import DisplaySection, ScheduleSection
from signage.ui.clock import SiteClock
from signage.ui.flight_model import FlightTableModel
from signage.ui.pages import BeltPage, BoardPage, GatePage, NoDataPage

DESIGN_SHORT_SIDE_PX = 1080  # the sizes below are for a full-HD display, either way round
FONT_PX = {"Title": 56, "Clock": 56, "ClockDate": 24, "Fresh": 30, "Connection": 24, "Footer": 30,
           "Header": 26, "Big": 150, "Large": 90, "Medium": 60, "NoData": 80, "NoDataHint": 40}  # fmt: skip
DOT_COLOURS = {"online": "#1f9d55", "connecting": "#e0a800", "offline": "#c53030", "refused": "#c53030"}
MOST_PAGES = 4  # a board shows the next few hours, not the whole day: 4 pages of rows
CHECK_S = 30  # how often the age of a cached board and the screen schedule are looked at again
BOARD_KEYS = {"dep": Direction.DEPARTURES, "arr": Direction.ARRIVALS}


def board_style(scale: float, width: int) -> str:
    """The board's looks with every text size scaled by ``scale`` (1.0 on a full-HD display)."""
    px = {name: max(11, round(size * scale)) for name, size in FONT_PX.items()}
    dots = "\n".join(
        f'#ConnectionDot[state="{state}"] {{ background: {colour}; }}' for state, colour in DOT_COLOURS.items()
    )
    return f"""
#SignageBoard, #Body {{ background: #0d2a4f; }}
#Dark {{ background: #000000; }}
QLabel {{ color: #ffffff; font-family: "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif; }}
#Title {{ font-size: {px["Title"]}px; font-weight: 700; }}
#Clock {{ font-size: {px["Clock"]}px; font-weight: 600; }}
#ClockDate {{ font-size: {px["ClockDate"]}px; color: #c9d7ea; }}
#Fresh {{ font-size: {px["Fresh"]}px; color: #1a1a1a; background: #ffd23f; padding: 2px 12px; }}
#Connection {{ font-size: {px["Connection"]}px; }}
#ConnectionDot {{ border-radius: {dot_px(scale) // 2}px; }}
#Ticker, #Location {{ font-size: {px["Footer"]}px; color: #c9d7ea; }}
#Footer {{ background: #08203d; }}
QTableView {{ background: #0d2a4f; alternate-background-color: #123764; color: #ffffff; border: none;
  font-family: "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif; font-size: {_row_px(scale, width)}px; }}
QHeaderView::section {{ background: #08203d; color: #c9d7ea; border: none; padding: 4px 8px;
  font-size: {px["Header"]}px; }}
QTableView::item {{ padding: 0 8px; }}
#GateFlight, #BeltFlight {{ font-size: {px["Large"]}px; font-weight: 700; }}
#GateCity {{ font-size: {px["Big"]}px; font-weight: 700; }}
#GateCodeshares, #GateTime, #GateNext, #BeltNext, #BeltCity, #BeltStatus {{ font-size: {px["Medium"]}px; }}
#GateStatus {{ font-size: {px["Large"]}px; font-weight: 700; }}
#GateNone, #BeltNone, #NoData {{ font-size: {px["NoData"]}px; font-weight: 700; }}
#NoDataHint {{ font-size: {px["NoDataHint"]}px; color: #c9d7ea; }}
#Rule {{ background: #3a5a85; }}
{dots}
"""


def dot_px(scale: float) -> int:
    return max(10, round(18 * scale))


def _row_px(scale: float, width: int) -> int:
    """The rows' text: large, but never so large that a city's name no longer fits its column."""
    return max(12, min(round(40 * scale), width // 44))


class LanguageRotation:
    """The language shown now; moves to the next one every period."""

    def __init__(self, languages: Sequence[str]) -> None:
        self._languages = list(languages)
        self._index = 0

    @property
    def language(self) -> str:
        return self._languages[self._index]

    @property
    def turns(self) -> int:
        return len(self._languages)

    def advance(self) -> None:
        self._index = (self._index + 1) % len(self._languages)


class SignageBoard(QWidget):
    """What the display shows, fed by ``store``; the mode, rows and timings come from ``display``."""

    def __init__(
        self,
        site: str,
        location: str,
        display: DisplaySection,
        catalogue: Catalogue,
        store: FlightStore,
        screen: ScreenControl | None = None,
        notices: NoticeBoard | None = None,
    ) -> None:
        super().__init__()
        self.setObjectName("SignageBoard")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setWindowTitle("Airport signage")
        self.display = display
        self.store = store
        self.screen_control = screen or ScreenControl(ScreenSchedule(ScheduleSection()))
        self.site = site
        self.scale = 0.0
        self.rotation = LanguageRotation(display.languages)
        self.texts = Texts(catalogue, self.rotation)
        self._location = location
        self._notice = 0
        self.notices = notices or NoticeBoard()  # facilities staff's show_notice, before the configured ones
        self.boards = [BOARD_KEYS[name] for name in display.boards]
        self.direction = self.boards[0] if display.mode == "board" else _mode_direction(display.mode)
        self.models = {direction: FlightTableModel(direction, self.texts, store.site_tz()) for direction in Direction}

        # header
        self.title = ElidedLabel()
        self.title.setObjectName("Title")
        self.fresh = QLabel()
        self.fresh.setObjectName("Fresh")
        self.fresh.setTextFormat(Qt.TextFormat.PlainText)
        self.clock = SiteClock(self.texts, store.site_tz())
        self.clock.time_label.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.clock.date_label.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.connection = ConnectionLight(self.texts)
        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(self.fresh, 0, Qt.AlignmentFlag.AlignVCenter)
        side = QVBoxLayout()
        side.setSpacing(2)
        side.addWidget(self.clock)
        side.addWidget(self.connection, 0, Qt.AlignmentFlag.AlignRight)
        header.addLayout(side)

        # body
        self.table = BoardPage(display.rows)
        self.table.setModel(self.models[self.direction])
        self.gate = GatePage(display.gate, self.texts)
        self.belt = BeltPage(display.belt, self.texts)
        self.no_data = NoDataPage(self.texts)
        self.body = QStackedWidget()
        self.body.setObjectName("Body")
        for page in (self.table, self.gate, self.belt, self.no_data):
            # the hidden pages must not make the display ask for more room than the screen has
            page.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
            self.body.addWidget(page)

        # footer
        self.ticker = ElidedLabel()
        self.ticker.setObjectName("Ticker")
        self.location = ElidedLabel()
        self.location.setObjectName("Location")
        self.location.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        footer_box = QWidget()
        footer_box.setObjectName("Footer")
        footer_box.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        footer = QHBoxLayout(footer_box)
        footer.addWidget(self.ticker, 1)
        footer.addWidget(self.location)  # where the display is: whole when there is room, else it gives way
        self.footer = footer_box

        content = QWidget()
        self._main = QVBoxLayout(content)
        self._main.addLayout(header)
        self._main.addWidget(self.body, 1)
        self._main.addWidget(footer_box)
        self.dark = QWidget()
        self.dark.setObjectName("Dark")
        self.dark.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.screens = QStackedLayout(self)
        self.screens.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)  # the display's size is given
        self.screens.addWidget(content)
        self.screens.addWidget(self.dark)
        self._content = content

        self.rotation_timer = QTimer(self)
        self.rotation_timer.setInterval(round(display.language_period_s * 1000))
        self.rotation_timer.timeout.connect(self.next_language)
        self.page_timer = QTimer(self)
        self.page_timer.setInterval(round(display.page_s * 1000))
        self.page_timer.timeout.connect(self.next_page)
        self.check_timer = QTimer(self)
        self.check_timer.setInterval(CHECK_S * 1000)
        self.check_timer.timeout.connect(self.check)

        self.resize(display.width, display.height)
        for direction in Direction:
            self.models[direction].reset(store.flights(direction))
        store.add_listener(self.board_changed)
        self.notice_end = QTimer(self)
        self.notice_end.setSingleShot(True)
        self.notice_end.timeout.connect(self.notice_changed)
        self.notices.add_listener(lambda _notice: self.notice_changed())
        self.apply_screen()
        self.retranslate()
        self.check_timer.start()

    # --- what moves it ------------------------------------------------------------------------------------

    def board_changed(self, change: BoardChange) -> None:
        """The store's listener: rows of the model change one by one; the gate or belt is looked at again."""
        if change.reset:
            self.models[change.direction].set_zone(self.store.site_tz())
            self.clock.set_zone(self.store.site_tz())
        self.models[change.direction].apply(change, lambda: self.store.flights(change.direction))
        if change.direction is self.direction:
            self.show_body()

    def next_language(self) -> None:
        self.rotation.advance()
        if self.rotation.language == self.display.languages[0]:
            self._notice += 1  # a new notice once it has been shown in every language
            for model in self.models.values():
                model.next_number()  # and a flight's next codeshare number, repainted just below
        self.retranslate()

    def next_page(self) -> None:
        """The next page of the board; after its last page the next board (departures, then arrivals)."""
        pages = self.table.pages(MOST_PAGES)
        if self.table.page + 1 < pages:
            self.table.show_page(self.table.page + 1)
        else:
            if self.display.mode == "board":
                at = self.boards.index(self.direction)
                self.direction = self.boards[(at + 1) % len(self.boards)]
                self.table.setModel(self.models[self.direction])
                self.table.fit()
            self.table.show_page(0)
        self.show_body()

    def set_connection(self, state: str) -> None:
        self.connection.set_state(state)

    def check(self) -> None:
        """Every half minute: a cached board's age, the schedule, and flights that have gone."""
        for model in self.models.values():
            model.prune()
        self.apply_screen()
        self.show_body()

    def apply_screen(self) -> None:
        """Dark or lit as the schedule and commands say; a dark screen runs no timers but the check."""
        lit = self.screen_control.lit()
        self.screens.setCurrentWidget(self._content if lit else self.dark)
        for timer in (self.rotation_timer, self.page_timer):
            if lit and not timer.isActive():
                timer.start()
            elif not lit:
                timer.stop()

    @property
    def lit(self) -> bool:
        return self.screens.currentWidget() is self._content

    # --- what it shows ------------------------------------------------------------------------------------

    def show_body(self) -> None:
        freshness = self.store.freshness(self.direction)
        texts = self.texts
        if freshness is Freshness.NONE:
            self.body.setCurrentWidget(self.no_data)
        elif self.display.mode == "gate":
            self.gate.show_flights(self.store.flights(Direction.DEPARTURES), self.store.site_tz())
            self.body.setCurrentWidget(self.gate)
        elif self.display.mode == "belt":
            self.belt.show_flights(self.store.flights(Direction.ARRIVALS), self.store.site_tz())
            self.body.setCurrentWidget(self.belt)
        else:
            self.body.setCurrentWidget(self.table)
        if freshness is Freshness.CACHED:
            age = self.store.age_s(self.direction)
            minutes = 0 if age is None else int(age // 60)
            self.fresh.setText(texts("board.stale", minutes=minutes))
            self.fresh.show()
        else:
            self.fresh.hide()
        self.title.setText(self._title())

    def _title(self) -> str:
        texts = self.texts
        if self.display.mode == "gate":
            return texts("gate.title", gate=self.display.gate)
        if self.display.mode == "belt":
            return texts("belt.title", belt=self.display.belt)
        name = texts("board.departures" if self.direction is Direction.DEPARTURES else "board.arrivals")
        pages = self.table.pages(MOST_PAGES)
        return f"{name}  {self.table.page + 1}/{pages}" if pages > 1 else name

    def notice_changed(self) -> None:
        """A notice came, went or ended: the ticker shows it now, in the language shown now."""
        left = self.notices.seconds_left()
        if left is None:
            self.notice_end.stop()
        else:
            self.notice_end.start(max(1, int(left * 1000) + 50))
        self.ticker.setText(self.notice())

    def notice(self) -> str:
        staff_notice = self.notices.current()
        if staff_notice is not None:
            return staff_notice.text(self.rotation.language)
        notices = self.display.notices
        if not notices:
            return ""
        shown = notices[self._notice % len(notices)]
        return shown.zh if self.rotation.language.startswith("zh") else shown.en

    def retranslate(self) -> None:
        for model in self.models.values():
            model.retranslate()
        self.no_data.retranslate()
        self.ticker.setText(self.notice())
        self.location.setText(self._location)
        self.clock.refresh()
        self.connection.retranslate()
        self.show_body()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        size = event.size()
        scale = min(size.width(), size.height()) / DESIGN_SHORT_SIDE_PX
        if abs(scale - self.scale) > 0.01:
            self.scale = scale
            margin = round(32 * scale)
            self._main.setContentsMargins(margin, round(16 * scale), margin, round(12 * scale))
            self.setStyleSheet(board_style(scale, size.width()))
            self.connection.dot.setFixedSize(dot_px(scale), dot_px(scale))
            self.table.text_px = _row_px(scale, size.width())
        self.table.fit()

    def stop(self) -> None:
        for timer in (self.rotation_timer, self.page_timer, self.check_timer, self.notice_end):
            timer.stop()


def _mode_direction(mode: str) -> Direction:
    return Direction.ARRIVALS if mode == "belt" else Direction.DEPARTURES
