"""Finding a flight without typing Chinese: pure functions over a board. Qt-free.

A query matches a flight by its number or a codeshare's (``HU7181``, ``hu71``, ``7181``), by airline code
(``HU``), or by the other airport's or a via point's city: its English name (``beijing``, ``hong k``), its
pinyin (``beijing``, ``bei jing``), the initials of its pinyin (``bj``), its Chinese name (``北京``) or its
IATA code (``PEK``). Case, spaces, hyphens and apostrophes do not matter. Flight matches come before city
matches, each in time order.

Build a :class:`FlightIndex` once per board change (2,000 flights take a few milliseconds) and call
:meth:`FlightIndex.search` on every keystroke.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from bus.airports import airport
from bus.messages.flights import Flight

_NOISE = re.compile(r"[\s'’\-_.·]+")
_NUMBER = re.compile(r"^([a-z0-9]{2}[a-z]?)([0-9]{1,4}[a-z]?)$")


def normalise(text: str) -> str:
    """Lower case without spaces, hyphens or apostrophes: what both a query and a key become."""
    return _NOISE.sub("", text).lower()


@dataclass(frozen=True)
class City:
    """A city flights serve, as a one-tap button shows it."""

    key: str  # the Chinese name when known, else the English one: several airports of a city share it
    name_en: str
    name_zh: str
    codes: tuple[str, ...]  # its airports on the board
    flights: int

    def name(self, language: str) -> str:
        return (self.name_zh or self.name_en) if language.startswith("zh") else (self.name_en or self.name_zh)


@dataclass(frozen=True)
class _Entry:
    flight: Flight
    numbers: tuple[str, ...]  # "hu7181", "7181", and the same for each codeshare
    places: tuple[str, ...]  # english, pinyin, initials, code of every city the flight touches
    chinese: str  # Chinese city names, joined
    city: str  # the key of the flight's city


def city_key(code: str, city_zh: str = "", city_en: str = "") -> str:
    names = airport(code)
    return city_zh or names.city_zh or city_en or names.city_en or code


class FlightIndex:
    """One board (or both), ready to search."""

    def __init__(self, flights: Iterable[Flight]) -> None:
        ordered = sorted(flights, key=lambda f: (f.scheduled, f.number))
        self._entries = [_entry(flight) for flight in ordered]

    def __len__(self) -> int:
        return len(self._entries)

    def search(self, query: str, limit: int | None = None) -> list[Flight]:
        """Flights matching ``query``: by flight number first, then by place; each group in time order."""
        wanted = normalise(query)
        raw = query.strip()
        if not wanted:
            return []
        by_number: list[Flight] = []
        by_place: list[Flight] = []
        for entry in self._entries:
            if any(key.startswith(wanted) for key in entry.numbers):
                by_number.append(entry.flight)
            elif any(key.startswith(wanted) for key in entry.places) or (raw and raw in entry.chinese):
                by_place.append(entry.flight)
        found = by_number + by_place
        return found if limit is None else found[:limit]

    def by_city(self, key: str) -> list[Flight]:
        """Flights to or from the city of a :class:`City` button, in time order."""
        return [entry.flight for entry in self._entries if entry.city == key]

    def top_cities(self, count: int) -> list[City]:
        """The ``count`` cities with the most flights on the board, most first (then by English name)."""
        tally: Counter[str] = Counter(entry.city for entry in self._entries)
        names: dict[str, tuple[str, str, set[str]]] = {}
        for entry in self._entries:
            flight = entry.flight
            found = airport(flight.other_airport)
            known = names.setdefault(
                entry.city, (flight.city_en or found.city_en, flight.city_zh or found.city_zh, set())
            )
            known[2].add(flight.other_airport)
        ranked = sorted(tally.items(), key=lambda item: (-item[1], names[item[0]][0]))
        return [
            City(key=key, name_en=names[key][0], name_zh=names[key][1], codes=tuple(sorted(names[key][2])), flights=n)
            for key, n in ranked[:count]
        ]


def _entry(flight: Flight) -> _Entry:
    numbers: list[str] = []
    for number in (flight.number, *flight.codeshares):
        key = normalise(number)
        numbers.append(key)
        parts = _NUMBER.match(key)
        if parts is not None:
            numbers.append(parts.group(2))  # "7181" alone finds HU7181
    places: list[str] = []
    chinese: list[str] = []
    stops = [(flight.other_airport, flight.city_en, flight.city_zh)]
    stops += [(via.code, via.city_en, via.city_zh) for via in flight.via]
    for code, city_en, city_zh in stops:
        names = airport(code)
        english = city_en or names.city_en
        pinyin = names.city_pinyin
        places += [normalise(english), normalise(pinyin), normalise(names.initials), code.lower()]
        places += [normalise(word) for word in english.split()[1:]]  # "kong" finds Hong Kong
        chinese.append(city_zh or names.city_zh)
    return _Entry(
        flight=flight,
        numbers=tuple(dict.fromkeys(key for key in numbers if key)),
        places=tuple(dict.fromkeys(key for key in places if key)),
        chinese=" ".join(chinese),
        city=city_key(flight.other_airport, flight.city_zh, flight.city_en),
    )
