"""Airport reference data: English names and time zones from ``airportsdata``; Chinese names, the pinyin
of their cities and the English city as passengers say it from ``names_zh.csv`` beside this file.

The pinyin is shipped in the file rather than computed with pypinyin: a kiosk then needs no 30 MB
dictionary at start, city names are a closed list, and polyphonic readings (长治 chang zhi, 重庆 chong
qing) are checked once, by hand, instead of trusted to a guesser.

It lives in ``bus`` because the contract carries bare IATA codes, and both ends must read a code the same
way: ``central`` fills a flight's city names from here when it publishes, and a device falls back to here
when it shows a code a feed sent without names. ``bus`` is the lowest layer both import, and it is Qt-free.
Nothing is read at import time: the tables load on the first look-up, once.
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

NAMES_FILE = Path(__file__).with_name("names_zh.csv")


@dataclass(frozen=True)
class Airport:
    """What a screen needs to name an airport in both languages, and its local time zone."""

    code: str
    city_en: str
    city_zh: str
    name_en: str
    name_zh: str
    city_pinyin: str  # syllables separated by spaces, no tones: "bei jing"
    tz: str  # IANA name, "" when unknown
    country: str  # ISO 3166 alpha-2, "" when unknown

    @property
    def initials(self) -> str:
        """The first letter of each pinyin syllable: ``bj`` for 北京."""
        return "".join(syllable[0] for syllable in self.city_pinyin.split())

    def city(self, language: str) -> str:
        """The city in ``language`` (``zh…`` or anything else for English), the code when unnamed."""
        if language.startswith("zh"):
            return self.city_zh or self.city_en or self.code
        return self.city_en or self.city_zh or self.code

    def zone(self) -> ZoneInfo | None:
        return ZoneInfo(self.tz) if self.tz else None


@dataclass(frozen=True)
class ChineseName:
    city: str
    airport: str
    pinyin: str
    region: str  # "cn" (China, Hong Kong, Macao, Taiwan) or "intl"
    city_en: str


@functools.cache
def chinese_names() -> dict[str, ChineseName]:
    """The Chinese names file, by IATA code."""
    names: dict[str, ChineseName] = {}
    with NAMES_FILE.open(encoding="utf-8", newline="") as file:
        for row in csv.reader(line for line in file if not line.startswith("#")):
            code, city, airport, pinyin, region, city_en = row
            names[code] = ChineseName(city, airport, pinyin, region, city_en)
    return names


@functools.cache
def _airportsdata() -> Mapping[str, Mapping[str, Any]]:
    import airportsdata  # some 8,000 airports: loaded on the first look-up, not at import

    return airportsdata.load("IATA")


@functools.cache
def airport(code: str) -> Airport:
    """The airport with IATA ``code``; an unknown code gives an Airport whose names are the code itself."""
    data = _airportsdata().get(code, {})
    zh = chinese_names().get(code)
    city_en = (zh.city_en if zh else str(data.get("city", ""))) or code
    name_en = _short_name(str(data.get("name", ""))) or city_en
    return Airport(
        code=code,
        city_en=city_en,
        city_zh=zh.city if zh else "",
        name_en=name_en,
        name_zh=f"{zh.city}{zh.airport}" if zh and zh.airport != zh.city else (zh.city if zh else ""),
        city_pinyin=zh.pinyin if zh else "",
        tz=str(data.get("tz", "")),
        country=str(data.get("country", "")),
    )


def _short_name(name: str) -> str:
    """``Haikou Meilan International Airport`` -> ``Haikou Meilan``: what fits on a board."""
    for suffix in (" International Airport", " Airport", " Air Base"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def site_zone(code: str) -> ZoneInfo:
    """The local time zone of the airport a program serves; UTC when the code is unknown."""
    return airport(code).zone() or ZoneInfo("UTC")


AIRLINES_FILE = Path(__file__).with_name("airlines.csv")


@dataclass(frozen=True)
class Airline:
    code: str
    name_en: str
    name_zh: str


@functools.cache
def airlines() -> dict[str, Airline]:
    """The airlines file, by IATA designator."""
    found: dict[str, Airline] = {}
    with AIRLINES_FILE.open(encoding="utf-8", newline="") as file:
        for code, name_en, name_zh in csv.reader(line for line in file if not line.startswith("#")):
            found[code] = Airline(code, name_en, name_zh)
    return found


def airline(code: str) -> Airline:
    """The airline with IATA designator ``code``; an unknown one is named by its code."""
    return airlines().get(code) or Airline(code, code, code)
