"""The kiosk window: a top bar (clock, connection, language, large text) over the passenger screens."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLayout, QStackedWidget, QVBoxLayout, QWidget

from device.i18n import Catalogue
from device.notice import NoticeBoard
from device.ui.notice import NoticeBanner
from device.ui.text import Texts
from kiosk.session import PassengerSession
from kiosk.settings import KioskSettings
from kiosk.ui.flights.style import flights_stylesheet, row_height_px
from kiosk.ui.home import HomeScreen
from kiosk.ui.idle import IdleWatch
from kiosk.ui.theme import stylesheet
from kiosk.ui.top_bar import TopBar
from kiosk.ui.video_help_state import VideoHelp, video_help

if TYPE_CHECKING:  # imported when the screens are built, after the home screen's first paint
    from kiosk.ui.call.choose import CallChoiceScreen
    from kiosk.ui.call.ended import CallEndedScreen
    from kiosk.ui.call.in_call import InCallScreen
    from kiosk.ui.call.rating import RatingScreen
    from kiosk.ui.call.thanks import ThanksScreen
    from kiosk.ui.call.waiting import WaitingScreen
    from kiosk.ui.feedback.screen import FeedbackScreen
    from kiosk.ui.flights.screen import FlightsScreen
    from kiosk.ui.info import InfoScreen
    from kiosk.ui.scan.result import ScanResultScreen
    from kiosk.ui.scan.screen import ScanScreen
    from kiosk.ui.wifi import WifiScreen

log = logging.getLogger(__name__)


class TextedScreen(Protocol):
    def retranslate(self) -> None: ...


class ShapedScreen(Protocol):
    def set_landscape(self, landscape: bool) -> None: ...


LATER_SCREENS = frozenset(
    {
        "info",
        "wifi",
        "feedback",
        "flights",
        "call_choice",
        "waiting",
        "in_call",
        "rating",
        "call_ended",
        "thanks",
        "scan",
        "scan_result",
    }
)
"""The screens built after the home screen: on the first use of any of them, or by :meth:`build_screens`."""


class KioskWindow(QWidget):
    """The one window of the kiosk. Observes the passenger session; the app controller feeds it bus state.

    Only the top bar and the home screen are built with the window: the other screens (and their imports,
    about half of the start) come with :meth:`build_screens`, which the app calls once the home screen has
    painted, or with the first use of any of them (``window.flights`` builds them all).
    """

    went_home = Signal()
    info: InfoScreen
    feedback: FeedbackScreen
    wifi: WifiScreen
    flights: FlightsScreen
    call_choice: CallChoiceScreen
    waiting: WaitingScreen
    in_call: InCallScreen
    rating: RatingScreen
    call_ended: CallEndedScreen
    thanks: ThanksScreen
    scan: ScanScreen
    scan_result: ScanResultScreen
    _before_flights: QWidget

    def __init__(self, settings: KioskSettings, catalogue: Catalogue, session: PassengerSession) -> None:
        super().__init__()
        self.setObjectName("KioskWindow")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setWindowTitle("Airport kiosk")
        self._settings = settings
        self._catalogue = catalogue
        self._session = session
        self.texts = Texts(catalogue, session)

        self.top_bar = TopBar(self.texts, settings.bus.site)
        self.notices = NoticeBoard()  # facilities staff's show_notice
        self.notice_banner = NoticeBanner(self.texts, self.notices)
        self.home = HomeScreen(self.texts, settings.bus.location)
        self.screens = QStackedWidget()
        self._texted: tuple[TextedScreen, ...] = (self.home,)
        self._shaped: tuple[ShapedScreen, ...] = (self.home,)
        self.screens_built = False
        self.landscape: bool | None = None
        self._central_online: bool | None = None  # central's retained status; None: not heard yet
        self.video_help = VideoHelp.AVAILABLE
        self.screens.addWidget(self.home)
        # while a passenger waits for or talks to an agent they may not touch the screen for minutes
        self._call_active = False
        self._idle_resumes = False

        layout = QVBoxLayout(self)
        # A kiosk's screen has one size: what is shown must fit it, never make the window grow past it.
        # The screens arrange themselves to the size they get (see resizeEvent and the layout tests).
        layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.top_bar)
        layout.addWidget(self.notice_banner)
        layout.addWidget(self.screens, 1)

        self.home.info_requested.connect(lambda: self.show_screen(self.info))
        self.home.video_requested.connect(lambda: self.show_screen(self.call_choice))
        self.home.flights_requested.connect(self._open_flights)
        self.home.feedback_requested.connect(self.open_feedback)
        self.top_bar.language_button.clicked.connect(self._switch_language)
        self.top_bar.large_text_button.clicked.connect(self._session.set_large_text)

        self.idle = IdleWatch(settings.ui.idle_timeout_s, self)
        self.idle.idle.connect(self._on_idle)
        session.add_listener(lambda _session: self._apply_session())
        self._apply_session()

    def __getattr__(self, name: str) -> Any:
        # only called for attributes not set yet: a later screen asked for before build_screens
        if name in LATER_SCREENS and not self.__dict__.get("screens_built", True):
            self.build_screens()
            return getattr(self, name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def build_screens(self) -> None:
        """Build every screen besides the home screen (once): their texts, shape and size follow the window's."""
        if self.screens_built:
            return
        self.screens_built = True
        from kiosk.ui.call.choose import CallChoiceScreen
        from kiosk.ui.call.ended import CallEndedScreen
        from kiosk.ui.call.in_call import InCallScreen
        from kiosk.ui.call.rating import RatingScreen
        from kiosk.ui.call.thanks import ThanksScreen
        from kiosk.ui.call.waiting import WaitingScreen
        from kiosk.ui.feedback.screen import FeedbackScreen
        from kiosk.ui.flights.screen import FlightsScreen
        from kiosk.ui.info import InfoScreen
        from kiosk.ui.scan.result import ScanResultScreen
        from kiosk.ui.scan.screen import ScanScreen
        from kiosk.ui.wifi import WifiScreen

        settings, session = self._settings, self._session
        self.info = InfoScreen(self.texts, settings.info)
        self.wifi = WifiScreen(self.texts)
        self.flights = FlightsScreen(self.texts, settings.info.central_url, settings.bus.site)
        self.call_choice = CallChoiceScreen(self.texts)
        self.waiting = WaitingScreen(self.texts)
        self.waiting.show_monitoring_notice(settings.ui.monitoring_notice)
        self.in_call = InCallScreen(self.texts)
        self.rating = RatingScreen(self.texts)
        self.call_ended = CallEndedScreen(self.texts)
        self.thanks = ThanksScreen(self.texts)
        self.scan = ScanScreen(self.texts)
        self.scan_result = ScanResultScreen(self.texts)
        self.feedback = FeedbackScreen(self.texts)
        later: tuple[TextedScreen, ...] = (
            self.info,
            self.wifi,
            self.flights,
            self.call_choice,
            self.waiting,
            self.in_call,
            self.rating,
            self.call_ended,
            self.thanks,
            self.scan,
            self.scan_result,
            self.feedback,
        )
        self._texted = (self.home, *later)
        shaped: tuple[ShapedScreen, ...] = (self.wifi, self.flights, self.call_choice, self.in_call, self.scan)
        self._shaped = (self.home, *shaped)
        for screen in later:
            assert isinstance(screen, QWidget)
            self.screens.addWidget(screen)
        if self.landscape is not None:
            for shaped_screen in shaped:
                shaped_screen.set_landscape(self.landscape)

        self.info.home_requested.connect(self.go_home)
        self.flights.home_requested.connect(self.go_home)
        self.flights.shown_requested.connect(self._bring_flights_forward)
        self.flights.closed.connect(lambda: self.show_screen(self._before_flights))
        self.flights.looked_at.connect(session.look_at_flight)
        self.flights.looked_up.connect(session.looked_up)
        self._before_flights = self.home
        # an agent's flight card naming a flight on the board offers its details
        self.in_call.push_panel.find_flight = self.flights.find_flight
        self.in_call.push_panel.flight_details_requested.connect(self.flights.show_flight)
        self.wifi.home_requested.connect(self.go_home)
        self.call_choice.home_requested.connect(self.go_home)
        self.call_choice.info_requested.connect(lambda: self.show_screen(self.info))
        self.call_choice.flights_requested.connect(self._open_flights)
        self.call_choice.wifi_requested.connect(self.home.wifi_requested)  # the home tile's voucher and QR
        self.call_choice.set_video_help(self.video_help)
        self.call_ended.home_requested.connect(self.go_home)
        self.thanks.home_requested.connect(self.go_home)
        self.scan.home_requested.connect(self.go_home)
        self.scan_result.home_requested.connect(self.go_home)
        self.scan_result.scan_again_requested.connect(self.open_scan)
        self.scan_result.flight_details_requested.connect(self.flights.show_flight)
        self.flights.scan_requested.connect(self.open_scan)
        self.feedback.home_requested.connect(self.go_home)
        large = session.large_text
        self.flights.set_large_text(large, row_height_px(large))
        for screen in later:
            screen.retranslate()

    @property
    def call_active(self) -> bool:
        return self._call_active

    @call_active.setter
    def call_active(self, active: bool) -> None:
        """A call waiting or in progress: the idle watch rests until it ends, then starts its wait afresh.

        Resting, not only ignoring its time-out: it watches every event of the application (a filter in
        Python), and a call brings some two thousand a second (each video frame, each asyncio callback).
        """
        if active == self._call_active:
            return
        self._call_active = active
        if active:
            self._idle_resumes = self.idle.remaining_ms >= 0  # -1: it was not running
            self.idle.stop()
        elif self._idle_resumes:
            self.idle.start()

    @property
    def location(self) -> str:
        return self._settings.bus.location

    @property
    def current_screen(self) -> QWidget:
        screen = self.screens.currentWidget()
        assert screen is not None, "the stack always holds the screens"
        return screen

    def show_screen(self, screen: QWidget) -> None:
        self.screens.setCurrentWidget(screen)

    def open_scan(self) -> None:
        """The Scan screen (from the Flights screen's "Scan boarding pass", or "scan again"; the home screen
        has no room for a fourth tile at 800x1280); the scan flow runs the camera only while it shows."""
        self.show_screen(self.scan)

    def open_feedback(self) -> None:
        """The suggestion or complaint form, empty, its categories asked of central."""
        self.feedback.start()
        self.show_screen(self.feedback)

    @property
    def session(self) -> PassengerSession:
        return self._session

    def _open_flights(self) -> None:
        self.flights.open_board()
        self.show_screen(self.flights)

    def _bring_flights_forward(self) -> None:
        """A flight opened from elsewhere (an agent's card, a scanned pass): Back returns there."""
        if self.current_screen is not self.flights:
            self._before_flights = self.current_screen
            self.show_screen(self.flights)

    def show_thanks(self) -> None:
        """After a rating: a short thank-you, then home by itself."""
        self.show_screen(self.thanks)
        self.thanks.start()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        landscape = event.size().width() > event.size().height()
        if landscape != self.landscape:
            self.landscape = landscape
            for screen in self._shaped:
                screen.set_landscape(landscape)

    def go_home(self) -> None:
        """Back to the home screen, forgetting the passenger's choices."""
        if self.screens_built:
            self.thanks.stop()
        self.screens.setCurrentWidget(self.home)
        self._session.reset()
        self.went_home.emit()

    def set_connection(self, state: str) -> None:
        self.top_bar.connection.set_state(state)
        self._follow_video_help()

    def set_central_online(self, online: bool | None) -> None:
        """Central's retained status (kiosk.ui.video_help_state.central_online): video help needs it there."""
        self._central_online = online
        self._follow_video_help()

    def _follow_video_help(self) -> None:
        state = video_help(self.top_bar.connection.state, self._central_online)
        if state is self.video_help:
            return
        self.video_help = state
        self.home.set_video_help(state)
        if self.screens_built:  # the choice screen, if it shows, changes under the passenger's eyes
            self.call_choice.set_video_help(state)

    def _switch_language(self) -> None:
        languages = self._catalogue.languages
        index = languages.index(self._session.language) if self._session.language in languages else -1
        self._session.set_language(languages[(index + 1) % len(languages)])

    def _on_idle(self) -> None:
        if self.call_active:
            self.idle.start()
            return
        if (
            self.current_screen is not self.home
            or self._session.large_text
            or (self._session.language != self._settings.ui.language)
        ):
            log.info("passenger idle for %.0f s: session cleared, back home", self._settings.ui.idle_timeout_s)
        self.go_home()
        self.idle.start()

    def _apply_session(self) -> None:
        large = self._session.large_text
        self.setStyleSheet(stylesheet(large) + flights_stylesheet(large))
        if self.screens_built:
            self.flights.set_large_text(large, row_height_px(large))
        self.top_bar.retranslate(self._session.large_text)
        self.notice_banner.refresh()
        for screen in self._texted:
            screen.retranslate()
