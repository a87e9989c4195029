"""The current passenger's choices, cleared when they walk away (idle timeout or "Home")."""

from __future__ import annotations

from collections.abc import Callable

SessionListener = Callable[["PassengerSession"], None]


class PassengerSession:
    """Language and accessibility chosen by the passenger at the kiosk now, and the flight they looked at."""

    def __init__(self, default_language: str) -> None:
        self._default_language = default_language
        self.language = default_language
        self.large_text = False
        # the flight they last opened, as the agent's console shows it in the passenger's context
        self.flight: str | None = None
        self._listeners: list[SessionListener] = []

    def add_listener(self, listener: SessionListener) -> None:
        self._listeners.append(listener)

    def set_language(self, language: str) -> None:
        if language != self.language:
            self.language = language
            self._changed()

    def set_large_text(self, on: bool) -> None:
        if on != self.large_text:
            self.large_text = on
            self._changed()

    def look_at_flight(self, flight: str) -> None:
        """The passenger opened a flight. Nothing on screen depends on it, so listeners are not told (they
        redraw every screen); a call request carries it to the agent."""
        self.flight = flight

    def reset(self) -> None:
        """Forget the passenger: back to the default language and normal text, no flight."""
        self.flight = None
        changed = self.language != self._default_language or self.large_text
        self.language = self._default_language
        self.large_text = False
        if changed:
            self._changed()

    def _changed(self) -> None:
        for listener in self._listeners:
            listener(self)
