"""What the Flights screen says about a flight, in one language: times in the airport's zone, the delay,
the status, the city, the page a phone opens. Qt-free.

Flights come from the bus (``bus.messages.flights.Flight``); the models load with the bus, after the first
paint, so they are named here only for type checking and statuses are compared as their string values.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Protocol
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from bus.messages.flights import Flight
    from kiosk.printing.slips import FlightSlip

DEPARTURES = "dep"
ARRIVALS = "arr"

# The status colours of the signage boards (signage/rows.py), as a kiosk shows them: on the light screen
# a pill of that colour behind dark text; on the high-contrast (black) screen the colour is the text.
STATUS_COLOURS: dict[str, str] = {
    "scheduled": "#ffffff",
    "check_in": "#8fd3ff",
    "boarding": "#3ddc84",
    "final_call": "#ff9f1c",
    "gate_closed": "#ff6b6b",
    "departed": "#9aa8ba",
    "delayed": "#ffd23f",
    "cancelled": "#ff4d4d",
    "diverted": "#ff7eb6",
    "approaching": "#8fd3ff",
    "landed": "#3ddc84",
    "arrived": "#9aa8ba",
}
FINISHED = frozenset({"departed", "arrived", "cancelled", "diverted"})


class Texts(Protocol):
    """Words in the language shown now (device.ui.text.Texts)."""

    @property
    def language(self) -> str: ...

    def __call__(self, key: str, **params: object) -> str: ...


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name) if name else ZoneInfo("UTC")
    except (ValueError, KeyError, OSError):  # not found is a KeyError; a folder's name ("America") an OSError
        return ZoneInfo("UTC")


def clock(moment: datetime | None, tz: ZoneInfo) -> str:
    return "" if moment is None else moment.astimezone(tz).strftime("%H:%M")


def status_of(flight: Flight) -> str:
    return str(flight.status.value)


def expected(flight: Flight) -> datetime | None:
    """The time the flight goes (or went): actual, else estimated; None when only the schedule is known."""
    return flight.actual or flight.estimated


def delay_minutes(flight: Flight) -> int:
    """Minutes later than scheduled (0 when on time or early, or when nothing newer is known)."""
    later = expected(flight)
    if later is None:
        return 0
    return max(0, round((later - flight.scheduled).total_seconds() / 60))


def city(flight: Flight, language: str) -> str:
    """The other airport's city in ``language``, from the flight or else from the airport data."""
    named = flight.city_zh if language.startswith("zh") else flight.city_en
    if named:
        return named
    from bus.airports import airport

    return airport(flight.other_airport).city(language)


def via_cities(flight: Flight, language: str) -> list[str]:
    """The via points' cities in ``language``, in the order flown."""
    from bus.airports import airport

    zh = language.startswith("zh")
    return [(stop.city_zh if zh else stop.city_en) or airport(stop.code).city(language) for stop in flight.via]


def route(flight: Flight, language: str) -> str:
    """The other city with its via points, in the order flown ("Sanya - Beijing", "Beijing - Sanya")."""
    stops = via_cities(flight, language)
    if flight.direction.value == ARRIVALS:
        return " - ".join([city(flight, language), *stops])
    return " - ".join([*stops, city(flight, language)])


def remark(flight: Flight, texts: Texts, tz: ZoneInfo) -> str:
    """The status in words with the time that matters for it ("Delayed 14:35", "Departed 12:10")."""
    status = status_of(flight)
    word = texts(f"flight_status.{status}")
    moment: datetime | None = None
    if status in ("departed", "landed", "arrived"):
        moment = flight.actual
    elif status == "diverted" and flight.diverted_to:
        from bus.airports import airport

        word = texts("flights.diverted_to", city=airport(flight.diverted_to).city(texts.language))
    elif status != "cancelled" and flight.estimated and flight.estimated != flight.scheduled:
        moment = flight.estimated
        if status == "scheduled":
            word = texts("flights.expected")
    return f"{word} {clock(moment, tz)}".strip()


def place(flight: Flight) -> str:
    """The gate of a departure, the belt of an arrival."""
    return flight.gate if flight.direction.value == DEPARTURES else flight.belt


def hour_start(now: datetime, tz: ZoneInfo) -> datetime:
    """The start of the current hour at the airport: the first row a board shows when it opens."""
    return now.astimezone(tz).replace(minute=0, second=0, microsecond=0)


def first_row_of_hour(flights: Iterable[Flight], now: datetime, tz: ZoneInfo) -> int:
    """Index of the first flight of the current hour or later in a time-ordered list (the last row when all
    are earlier, 0 for an empty list)."""
    start = hour_start(now, tz)
    row = -1
    for row, flight in enumerate(flights):
        if flight.scheduled >= start:
            return row
    return max(row, 0)


def age_minutes(age_s: float | None) -> int:
    return 0 if age_s is None else int(age_s // 60)


def flight_url(central_url: str, flight_id: str) -> str:
    """The live page of the flight on central, as a phone opens it from the QR."""
    return f"{central_url.rstrip('/')}/flight/{flight_id}"


def flight_number_key(number: str) -> str:
    return "".join(number.split()).upper()


def find_pushed(flights: Iterable[Flight], data: Mapping[str, object], now: datetime) -> Flight | None:
    """The flight on the boards an agent's flight card names: by ``id`` if it carries one, else by its
    number or a codeshare (the one nearest to now when the number flies more than once a day)."""
    candidates = list(flights)
    flight_id = str(data.get("id", "") or "")
    if flight_id:
        for flight in candidates:
            if flight.id == flight_id:
                return flight
    number = flight_number_key(str(data.get("number", "") or ""))
    if not number:
        return None
    named = [f for f in candidates if number in (f.number, *(flight_number_key(c) for c in f.codeshares))]
    if not named:
        return None
    return min(named, key=lambda f: abs((f.scheduled - now).total_seconds()))


def context_text(flight: Flight, tz: ZoneInfo) -> str:
    """The flight as the agent's console shows it in the passenger's context (both languages: the agent
    may read either), with its id so the agent can open the same flight page."""
    arrow = "→" if flight.direction.value == DEPARTURES else "←"
    names = " ".join(dict.fromkeys(name for name in (city(flight, "zh-CN"), city(flight, "en")) if name))
    parts = [f"{flight.number} {arrow} {names} {clock(flight.scheduled, tz)}"]
    if place(flight):
        label = "gate" if flight.direction.value == DEPARTURES else "belt"
        parts.append(f"{label} {place(flight)}")
    parts.append(status_of(flight))
    parts.append(flight.id)
    return " · ".join(parts)[:200]


def flight_slip(flight: Flight, site: str, url: str) -> FlightSlip:
    """The printed slip of a flight: where it goes (the airport here for an arrival), its gate, its page."""
    from bus.airports import airport
    from kiosk.printing.slips import FlightSlip

    if flight.direction.value == DEPARTURES:
        to_zh, to_en = city(flight, "zh-CN"), city(flight, "en")
    else:
        here = airport(site or flight.other_airport)
        to_zh, to_en = here.city("zh-CN"), here.city("en")
    return FlightSlip(
        flight=flight.number,
        destination_zh=(to_zh or to_en or flight.other_airport)[:64],
        destination_en=(to_en or flight.other_airport)[:64],
        gate=flight.gate[:8] if flight.direction.value == DEPARTURES else "",
        url=url,
    )


def is_departure(flight: Flight) -> bool:
    return flight.direction.value == DEPARTURES


def in_time_order(flights: Iterable[Flight]) -> list[Flight]:
    return sorted(flights, key=lambda f: (f.scheduled, f.number, f.id))
