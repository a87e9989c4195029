"""The site's two boards as the feeds describe them, and the difference between two boards.

Pure: no bus, no clock of its own. Each feed is a *source*. A source that knows the whole day (the
simulator, a JSON or CSV feed) replaces everything it said before with :meth:`FlightBoards.replace`;
a source that sends changes (AIDX) adds them with :meth:`FlightBoards.apply`, and what a change leaves
out stays as the source said it before (see :func:`central.feeds.legs.merge`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from bus.messages.flights import Direction, Flight
from central.feeds.legs import FeedError, Leg, LegChange, LegKey, LegRemoval, flight_id, flights_for_site, merge

log = logging.getLogger(__name__)

Listener = Callable[[], None]


@dataclass(frozen=True)
class BoardDiff:
    changed: list[Flight]
    removed: list[str]

    def __bool__(self) -> bool:
        return bool(self.changed or self.removed)


def diff(before: Mapping[str, Flight], after: Mapping[str, Flight]) -> BoardDiff:
    """What turns ``before`` into ``after``: flights new or different (whole), and ids gone."""
    changed = [flight for flight_id_, flight in after.items() if before.get(flight_id_) != flight]
    removed = [flight_id_ for flight_id_ in before if flight_id_ not in after]
    return BoardDiff(changed, removed)


class FlightBoards:
    """Departures and arrivals of one site, fed by any number of sources."""

    def __init__(self, site: str) -> None:
        self.site = site
        self._flights: dict[Direction, dict[str, Flight]] = {Direction.DEPARTURES: {}, Direction.ARRIVALS: {}}
        self._owner: dict[tuple[Direction, str], str] = {}
        self._legs: dict[LegKey, Leg] = {}
        self._listeners: list[Listener] = []

    def add_listener(self, listener: Listener) -> None:
        """Called after every change that may have moved a board."""
        self._listeners.append(listener)

    def flights(self, direction: Direction) -> dict[str, Flight]:
        """The board now, by flight id (a copy)."""
        return dict(self._flights[direction])

    def replace(self, source: str, legs: Iterable[Leg]) -> list[str]:
        """Everything ``source`` knows, replacing all it said before; returns the legs refused, with why."""
        fresh: dict[tuple[Direction, str], Flight] = {}
        refused: list[str] = []
        for leg in legs:
            try:
                for flight in flights_for_site(leg, self.site):
                    fresh[(flight.direction, flight.id)] = flight
            except (FeedError, ValueError) as exc:
                refused.append(_refusal(leg.key, exc))
        for slot, owner in list(self._owner.items()):
            if owner == source and slot not in fresh:
                self._drop(slot)
        for (direction, id_), flight in fresh.items():
            self._flights[direction][id_] = flight
            self._owner[(direction, id_)] = source
        self._changed()
        return refused

    def apply(self, source: str, changes: Iterable[LegChange]) -> list[str]:
        """Changes to some legs; returns the legs refused, with why. Nothing is half-applied per leg."""
        refused: list[str] = []
        for change in changes:
            if isinstance(change, LegRemoval):
                self._legs.pop(change.key, None)
                for direction in (Direction.DEPARTURES, Direction.ARRIVALS):
                    if self._owner.get((direction, flight_id(change.key, direction))) is not None:
                        self._drop((direction, flight_id(change.key, direction)))
                continue
            known = self._legs.get(change.key)
            leg = merge(known, change) if known is not None else change
            try:
                flights = flights_for_site(leg, self.site)
            except (FeedError, ValueError) as exc:
                refused.append(_refusal(change.key, exc))
                continue
            if flights:
                self._legs[change.key] = leg
            for flight in flights:
                self._flights[flight.direction][flight.id] = flight
                self._owner[(flight.direction, flight.id)] = source
        self._changed()
        return refused

    def prune(self, before: datetime) -> int:
        """Take off every flight whose time (actual, else estimated, else scheduled) is before ``before``,
        and forget legs from days before it; returns how many flights went. A feed that only sends changes
        never says a flight is over, so without this the boards would grow for ever."""
        gone = [
            (direction, id_)
            for direction, flights in self._flights.items()
            for id_, flight in flights.items()
            if (flight.actual or flight.estimated or flight.scheduled) < before
        ]
        for slot in gone:
            self._drop(slot)
        oldest_day = before.date() - timedelta(days=1)
        for key in [key for key in self._legs if key.origin_date < oldest_day]:
            del self._legs[key]
        if gone:
            self._changed()
        return len(gone)

    def _drop(self, slot: tuple[Direction, str]) -> None:
        direction, id_ = slot
        self._flights[direction].pop(id_, None)
        self._owner.pop(slot, None)

    def _changed(self) -> None:
        for listener in self._listeners:
            try:
                listener()
            except Exception:
                log.exception("board listener failed")


def _refusal(key: LegKey, exc: Exception) -> str:
    reason = str(exc).splitlines()[0][:200]
    return f"{key.airline}{key.number} {key.origin}-{key.destination} {key.origin_date}: {reason}"
