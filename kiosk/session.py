"""The current passenger's choices, cleared when they walk away (idle timeout or "Home"), and what their
flight lookups tell central about demand (``flights.looked_up`` events, limited so a passenger tapping around
never floods: see :class:`LookupLimit`)."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any

SessionListener = Callable[["PassengerSession"], None]
EventSender = Callable[[str, dict[str, Any]], object]  # device.events.DeviceEvents.emit

LOOKED_UP = "flights.looked_up"
SEARCH_PAUSE_S = 1.5  # a search counts once the passenger stopped typing this long, not on every keystroke
FEW_FLIGHTS = 3  # a search that settles on more than this is a browse, not a question about one flight
PER_PASSENGER_MAX = 12  # flights one passenger can report, however long they tap around
PER_MINUTE_MAX = 30  # flights this kiosk reports in any minute, across passengers (Home and back again)


class SearchPause:
    """Tells when a search has settled: the same few flights found, with no other result in between, for
    ``pause_s``. Pure: the caller passes the time and looks again when :meth:`found` says."""

    def __init__(self, pause_s: float = SEARCH_PAUSE_S) -> None:
        self.pause_s = pause_s
        self._found: tuple[str, ...] = ()
        self._since = 0.0
        self._settled: tuple[str, ...] = ()

    def found(self, numbers: Sequence[str], now: float) -> float | None:
        """The flights the search shows now (after a keystroke or a board redraw): when to look again, or
        None when they do not count (none, too many, or the ones that settled last)."""
        found = tuple(dict.fromkeys(numbers))
        if not 0 < len(found) <= FEW_FLIGHTS or found == self._settled:
            self._found = ()
            if found != self._settled:
                self._settled = ()
            return None
        if found != self._found:  # a redraw with the same results keeps its place in the pause
            self._found, self._since = found, now
        return self._since + self.pause_s

    def settled(self, now: float) -> list[str]:
        """The flights, once, if they have stood for the pause; else nothing."""
        if not self._found or now < self._since + self.pause_s:
            return []
        self._settled, self._found = self._found, ()
        return list(self._settled)

    def cancel(self) -> None:
        """The passenger left the search: what they were typing never settles."""
        self._found = self._settled = ()


class LookupLimit:
    """Which looked-up flights are worth telling central: each flight once per passenger, at most
    ``per_passenger`` flights per passenger and ``per_minute`` per kiosk."""

    def __init__(self, per_passenger: int = PER_PASSENGER_MAX, per_minute: int = PER_MINUTE_MAX) -> None:
        self.per_passenger = per_passenger
        self.per_minute = per_minute
        self._told: set[str] = set()
        self._recent: deque[float] = deque()  # when each flight was told, for the per-minute limit

    def allow(self, numbers: Sequence[str], now: float) -> list[str]:
        """The flights among ``numbers`` to report now (and counted as reported)."""
        while self._recent and self._recent[0] <= now - 60:
            self._recent.popleft()
        room = min(self.per_passenger - len(self._told), self.per_minute - len(self._recent))
        fresh = [number for number in dict.fromkeys(numbers) if number not in self._told][: max(room, 0)]
        self._told.update(fresh)
        self._recent.extend(now for _ in fresh)
        return fresh

    def new_passenger(self) -> None:
        self._told.clear()


class PassengerSession:
    """Language and accessibility chosen by the passenger at the kiosk now, and the flight they looked at."""

    def __init__(self, default_language: str, clock: Callable[[], float] = time.monotonic) -> None:
        self._default_language = default_language
        self._clock = clock
        self.language = default_language
        self.large_text = False
        # the flight they last opened, as the agent's console shows it in the passenger's context
        self.flight: str | None = None
        self._listeners: list[SessionListener] = []
        self.lookups = LookupLimit()
        self._send_event: EventSender | None = None

    def report_lookups_to(self, send: EventSender) -> None:
        """Send ``flights.looked_up`` events with ``send`` (the device's outbox) from now on."""
        self._send_event = send

    def looked_up(self, numbers: Sequence[str], via: str) -> None:
        """The passenger opened a flight (``via`` "detail") or a search settled on a few (``via`` "search"):
        central counts each flight toward its demand alerts. Flight numbers only, nothing about the person."""
        allowed = self.lookups.allow(numbers, self._clock())
        if allowed and self._send_event is not None:
            self._send_event(LOOKED_UP, {"flights": allowed, "via": via})

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
        self.lookups.new_passenger()
        changed = self.language != self._default_language or self.large_text
        self.language = self._default_language
        self.large_text = False
        if changed:
            self._changed()

    def _changed(self) -> None:
        for listener in self._listeners:
            listener(self)
