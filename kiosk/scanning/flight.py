"""A boarding pass's flight on the live board: a pure function over the board's flights."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bus.messages.flights import Direction, Flight
from hardware.scanner.bcbp import BoardingPass, Leg

DAYS_AROUND = 1  # a pass read just after midnight, or a board in another zone's day: one day either side


@dataclass(frozen=True)
class PassFlight:
    """What the result screen shows: the leg that leaves here (or the first), and its flight if the board has it."""

    leg: Leg
    flight: Flight | None
    initials: str


def find_flight(boarding_pass: BoardingPass, flights: Iterable[Flight], site: str, tz: str, today: date) -> PassFlight:
    """The pass's departure from ``site`` on the board ``flights`` (times shown in ``tz``), on the pass's
    day of the year nearest ``today``.

    Matched by flight number (the operating carrier's, or a codeshare's), then by date; a pass without a
    date matches the flight on the board nearest to today. No flight: ``flight`` is None.
    """
    leg = next((leg for leg in boarding_pass.legs if leg.from_airport == site), boarding_pass.legs[0])
    zone = _zone(tz)
    wanted = flight_date(leg.date_of_flight, today)
    candidates = [
        flight
        for flight in flights
        if flight.direction is Direction.DEPARTURES
        and (leg.flight_number == flight.number or leg.flight_number in flight.codeshares)
        and (not leg.to_airport or leg.to_airport == flight.other_airport or _via(flight, leg.to_airport))
    ]
    best: Flight | None = None
    best_gap: int | None = None
    for flight in candidates:
        day = flight.scheduled.astimezone(zone).date()
        gap = abs((day - (wanted or today)).days)
        if wanted is not None and gap != 0:
            continue
        if gap <= DAYS_AROUND and (best_gap is None or gap < best_gap):
            best, best_gap = flight, gap
    return PassFlight(leg=leg, flight=best, initials=boarding_pass.initials)


def local_time(moment: datetime, tz: str) -> str:
    """``HH:MM`` in the board's zone."""
    return moment.astimezone(_zone(tz)).strftime("%H:%M")


def _via(flight: Flight, code: str) -> bool:
    return any(stop.code == code for stop in flight.via)


def flight_date(day_of_year: int | None, today: date) -> date | None:
    """The date of ``day_of_year`` nearest ``today`` (a pass for 2 January read on 31 December is next year's)."""
    if day_of_year is None:
        return None
    options = []
    for year in (today.year - 1, today.year, today.year + 1):
        length = 366 if _leap(year) else 365
        if day_of_year <= length:
            options.append(date(year, 1, 1) + timedelta(days=day_of_year - 1))
    return min(options, key=lambda option: abs((option - today).days))


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz) if tz else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError, OSError):  # a folder's name ("America") is an OSError
        return ZoneInfo("UTC")


@dataclass(frozen=True)
class Departures:
    """The board a pass is looked up on: its flights, the site's code and its time zone."""

    flights: tuple[Flight, ...] = ()
    site: str = ""
    tz: str = ""
