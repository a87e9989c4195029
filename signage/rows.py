"""What a board row, a gate display and a belt display say about a flight, in one language. Qt-free.

The screens ask these functions for words and colours; the Qt model only places them in rows, so the
rules (which flights a board still shows, what the remark says, which colour a status has) are tested
without a display.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo

from bus.airports import airport
from bus.messages.flights import Direction, Flight, FlightStatus


class Texts(Protocol):
    """Words in the language shown now (device.ui.text.Texts)."""

    @property
    def language(self) -> str: ...

    def __call__(self, key: str, **params: object) -> str: ...


# Colour of the remark per status on the dark board: green for "go to your gate now", amber for "later
# than planned", red for "this flight will not go as planned", grey for "done", white for the rest.
STATUS_COLOURS: dict[FlightStatus, str] = {
    FlightStatus.SCHEDULED: "#ffffff",
    FlightStatus.CHECK_IN: "#8fd3ff",
    FlightStatus.BOARDING: "#3ddc84",
    FlightStatus.FINAL_CALL: "#ff9f1c",
    FlightStatus.GATE_CLOSED: "#ff6b6b",
    FlightStatus.DEPARTED: "#9aa8ba",
    FlightStatus.DELAYED: "#ffd23f",
    FlightStatus.CANCELLED: "#ff4d4d",
    FlightStatus.DIVERTED: "#ff7eb6",
    FlightStatus.APPROACHING: "#8fd3ff",
    FlightStatus.LANDED: "#3ddc84",
    FlightStatus.ARRIVED: "#9aa8ba",
}
FINISHED = {FlightStatus.DEPARTED, FlightStatus.ARRIVED, FlightStatus.CANCELLED, FlightStatus.DIVERTED}
STAYS_AFTER_FINISHED = timedelta(minutes=15)  # a departed flight leaves the board a quarter hour later
GATE_STILL_OPEN = {
    FlightStatus.SCHEDULED,
    FlightStatus.CHECK_IN,
    FlightStatus.BOARDING,
    FlightStatus.FINAL_CALL,
    FlightStatus.GATE_CLOSED,
    FlightStatus.DELAYED,
}
AT_THE_BELT = {FlightStatus.LANDED, FlightStatus.ARRIVED}
BELT_SHOWN_FOR = timedelta(minutes=45)  # bags of a flight arrived this long ago are off the belt


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name) if name else ZoneInfo("UTC")
    except (ValueError, KeyError, OSError):  # not found is a KeyError; a folder's name ("America") an OSError
        return ZoneInfo("UTC")


def best_time(flight: Flight) -> datetime:
    return flight.actual or flight.estimated or flight.scheduled


def still_shown(flight: Flight, now: datetime) -> bool:
    """A board drops a flight a quarter hour after it has gone (departed, arrived, cancelled, diverted)."""
    if flight.status not in FINISHED:
        return True
    return best_time(flight) + STAYS_AFTER_FINISHED > now


def city(flight: Flight, language: str) -> str:
    """The other airport's city in ``language``, from the flight or else from the airport data."""
    zh = language.startswith("zh")
    named = flight.city_zh if zh else flight.city_en
    if named:
        return named
    return airport(flight.other_airport).city(language)


def via_and_city(flight: Flight, language: str) -> str:
    zh = language.startswith("zh")
    stops = [(stop.city_zh if zh else stop.city_en) or airport(stop.code).city(language) for stop in flight.via]
    return " - ".join([*stops, city(flight, language)])


@lru_cache(maxsize=4096)  # a board shows each of a few hundred times again at every repaint; strftime is slow
def clock(moment: datetime | None, tz: ZoneInfo) -> str:
    return "" if moment is None else moment.astimezone(tz).strftime("%H:%M")


def remark(flight: Flight, texts: Texts, tz: ZoneInfo) -> str:
    """The status in words, with the time that matters for it ("Delayed 14:35", "Departed 12:10")."""
    status = flight.status
    word = texts(f"flight_status.{status.value}")
    moment: datetime | None = None
    if status in (FlightStatus.DEPARTED, FlightStatus.LANDED, FlightStatus.ARRIVED):
        moment = flight.actual
    elif status is FlightStatus.DIVERTED and flight.diverted_to:
        word = texts("remark.diverted_to", city=airport(flight.diverted_to).city(texts.language))
    elif status is not FlightStatus.CANCELLED and flight.estimated and flight.estimated != flight.scheduled:
        moment = flight.estimated
        if status is FlightStatus.SCHEDULED:
            word = texts("remark.expected")
    said = f"{word} {clock(moment, tz)}".strip()
    free = flight.remarks_zh if texts.language.startswith("zh") else flight.remarks_en
    return f"{said} · {free}" if free else said


def place(flight: Flight) -> str:
    """The gate of a departure, the belt of an arrival."""
    return flight.gate if flight.direction is Direction.DEPARTURES else flight.belt


@dataclass(frozen=True)
class GateView:
    """A gate display: the flight boarding (or next to board) at the gate, and the one after it."""

    now: Flight | None
    next: Flight | None


def at_gate(flights: Iterable[Flight], gate: str, now: datetime) -> GateView:
    waiting = [f for f in flights if f.gate == gate and f.status in GATE_STILL_OPEN and still_shown(f, now)]
    waiting.sort(key=lambda f: (best_time(f), f.number))
    return GateView(waiting[0] if waiting else None, waiting[1] if len(waiting) > 1 else None)


@dataclass(frozen=True)
class BeltView:
    """A belt display: the flights whose bags are on the belt now, and the next one expected."""

    now: list[Flight]
    next: Flight | None


def at_belt(flights: Iterable[Flight], belt: str, now: datetime, most: int = 3) -> BeltView:
    mine = sorted((f for f in flights if f.belt == belt), key=lambda f: (best_time(f), f.number))
    on_belt = [f for f in mine if f.status in AT_THE_BELT and best_time(f) + BELT_SHOWN_FOR > now]
    coming = [f for f in mine if f.status not in AT_THE_BELT and f.status not in FINISHED]
    return BeltView(on_belt[-most:], coming[0] if coming else None)
