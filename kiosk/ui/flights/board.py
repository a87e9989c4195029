"""What the Flights screen reads the boards from: the device's FlightStore, or a fixed board for the
screenshots and layout tests."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from bus.messages.flights import Direction, Flight
    from device.flights.store import BoardChange, Freshness


class FlightBoards(Protocol):
    """The part of device.flights.store.FlightStore the screen uses."""

    def add_listener(self, listener: Callable[[BoardChange], None]) -> None: ...

    def flights(self, direction: Direction) -> list[Flight]: ...

    def flight(self, flight_id: str) -> Flight | None: ...

    def freshness(self, direction: Direction) -> Freshness: ...

    def age_s(self, direction: Direction) -> float | None: ...

    def site_tz(self) -> str: ...


class FixedBoards:
    """Both boards as given, never changing: what the screenshots show (no broker, no disk)."""

    def __init__(self, flights: Iterable[Flight], tz: str, *, live: bool = True, age_s: float = 0.0) -> None:
        self._flights = {flight.id: flight for flight in flights}
        self._tz = tz
        self._live = live
        self._age_s = age_s

    def add_listener(self, listener: Callable[[Any], None]) -> None:
        pass  # nothing ever changes

    def flights(self, direction: Direction) -> list[Flight]:
        chosen = [flight for flight in self._flights.values() if flight.direction is direction]
        return sorted(chosen, key=lambda f: (f.scheduled, f.number))

    def flight(self, flight_id: str) -> Flight | None:
        return self._flights.get(flight_id)

    def freshness(self, direction: Direction) -> Freshness:
        from device.flights.store import Freshness

        if not self._flights:
            return Freshness.NONE
        return Freshness.LIVE if self._live else Freshness.CACHED

    def age_s(self, direction: Direction) -> float | None:
        return self._age_s if self._flights else None

    def site_tz(self) -> str:
        return self._tz
