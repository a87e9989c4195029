"""The kiosk window: a top bar (clock, connection, language, large text) over the passenger screens."""

from __future__ import annotations

import logging
from typing import Protocol

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QStackedWidget, QVBoxLayout, QWidget

from device.i18n import Catalogue
from device.ui.text import Texts
from device.ui.widgets import Clock, ConnectionLight
from kiosk.session import PassengerSession
from kiosk.settings import KioskSettings
from kiosk.ui.call.choose import CallChoiceScreen
from kiosk.ui.call.ended import CallEndedScreen
from kiosk.ui.call.in_call import InCallScreen
from kiosk.ui.call.rating import RatingScreen
from kiosk.ui.call.waiting import WaitingScreen
from kiosk.ui.home import HomeScreen
from kiosk.ui.idle import IdleWatch
from kiosk.ui.info import InfoScreen
from kiosk.ui.theme import stylesheet

log = logging.getLogger(__name__)


class TextedScreen(Protocol):
    def retranslate(self) -> None: ...


class TopBar(QWidget):
    """Always visible: which airport, what time, whether we are connected, and the two passenger switches."""

    def __init__(self, texts: Texts, site: str, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="TopBar")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._texts = texts
        self.site = QLabel(site, objectName="Site")
        self.clock = Clock(texts)
        self.connection = ConnectionLight(texts)
        self.language_button = QPushButton(objectName="BarButton")
        self.large_text_button = QPushButton(objectName="BarButton", checkable=True)

        left = QVBoxLayout()
        left.setSpacing(4)
        left.addWidget(self.site)
        left.addWidget(self.connection)
        buttons = QHBoxLayout()
        buttons.setSpacing(16)
        buttons.addWidget(self.large_text_button)
        buttons.addWidget(self.language_button)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(40, 24, 40, 24)
        layout.setSpacing(24)
        layout.addLayout(left)
        layout.addStretch(1)
        layout.addWidget(self.clock)
        layout.addSpacing(24)
        layout.addLayout(buttons)

    def retranslate(self, large_text: bool) -> None:
        t = self._texts
        self.language_button.setText(t("language.switch_to"))
        self.large_text_button.setChecked(large_text)
        self.large_text_button.setText(t("access.large_on") if large_text else t("access.large_off"))
        self.clock.refresh()
        self.connection.retranslate()


class KioskWindow(QWidget):
    """The one window of the kiosk. Observes the passenger session; the app controller feeds it bus state."""

    went_home = Signal()

    def __init__(self, settings: KioskSettings, catalogue: Catalogue, session: PassengerSession) -> None:
        super().__init__(objectName="KioskWindow")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setWindowTitle("Airport kiosk")
        self._settings = settings
        self._catalogue = catalogue
        self._session = session
        self.texts = Texts(catalogue, session)

        self.top_bar = TopBar(self.texts, settings.bus.site)
        self.home = HomeScreen(self.texts, settings.bus.location)
        self.info = InfoScreen(self.texts, settings.info)
        self.call_choice = CallChoiceScreen(self.texts)
        self.waiting = WaitingScreen(self.texts)
        self.in_call = InCallScreen(self.texts)
        self.rating = RatingScreen(self.texts)
        self.call_ended = CallEndedScreen(self.texts)
        self.screens = QStackedWidget()
        self._texted: tuple[TextedScreen, ...] = (
            self.home,
            self.info,
            self.call_choice,
            self.waiting,
            self.in_call,
            self.rating,
            self.call_ended,
        )
        for screen in self._texted:
            self.screens.addWidget(screen)
        # while a passenger waits for or talks to an agent they may not touch the screen for minutes
        self.call_active = False

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.top_bar)
        layout.addWidget(self.screens, 1)

        self.home.info_requested.connect(lambda: self.show_screen(self.info))
        self.home.video_requested.connect(lambda: self.show_screen(self.call_choice))
        self.info.home_requested.connect(self.go_home)
        self.call_choice.home_requested.connect(self.go_home)
        self.call_choice.info_requested.connect(lambda: self.show_screen(self.info))
        self.call_ended.home_requested.connect(self.go_home)
        self.top_bar.language_button.clicked.connect(self._switch_language)
        self.top_bar.large_text_button.clicked.connect(self._session.set_large_text)

        self.idle = IdleWatch(settings.ui.idle_timeout_s, self)
        self.idle.idle.connect(self._on_idle)
        session.add_listener(lambda _session: self._apply_session())
        self._apply_session()

    @property
    def location(self) -> str:
        return self._settings.bus.location

    @property
    def current_screen(self) -> QWidget:
        return self.screens.currentWidget()

    def show_screen(self, screen: QWidget) -> None:
        self.screens.setCurrentWidget(screen)

    def go_home(self) -> None:
        """Back to the home screen, forgetting the passenger's choices."""
        self.screens.setCurrentWidget(self.home)
        self._session.reset()
        self.went_home.emit()

    def set_connection(self, state: str) -> None:
        self.top_bar.connection.set_state(state)

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
        self.setStyleSheet(stylesheet(self._session.large_text))
        self.top_bar.retranslate(self._session.large_text)
        for screen in self._texted:
            screen.retranslate()
