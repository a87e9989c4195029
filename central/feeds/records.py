"""Flat flight records (one JSON object or one CSV row) to legs: the field names both feeds share.

A record is a mapping of our field names to values; the JSON feed renames the source's keys to these
first (``[feeds] json_fields``), the CSV feed reads them from its header row.

| field | meaning |
| --- | --- |
| ``flight`` | ``HU7181`` (or ``airline`` ``HU`` and ``number`` ``7181``) |
| ``origin``, ``destination`` | IATA airport codes |
| ``date`` | scheduled day at the origin, ``2026-11-23``; optional when ``std`` is given |
| ``std``, ``etd``, ``atd`` | scheduled / estimated / actual off-block, ISO 8601 with an offset |
| ``sta``, ``eta``, ``ata`` | the same for on-block |
| ``status`` | a board status (``boarding``, ``delayed``…, see the protocol) or empty |
| ``gate``, ``stand``, ``terminal``, ``check_in``, ``belt`` | at the site |
| ``codeshares``, ``via`` | lists, or text separated by spaces or commas |
| ``remarks_en``, ``remarks_zh`` | free text |
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime

from bus.messages.flights import FlightEvent, FlightStatus
from central.feeds.legs import EventTime, FeedError, Leg, LegKey

FIELDS = (
    "flight",
    "airline",
    "number",
    "origin",
    "destination",
    "date",
    "std",
    "etd",
    "atd",
    "sta",
    "eta",
    "ata",
    "status",
    "gate",
    "stand",
    "terminal",
    "check_in",
    "belt",
    "codeshares",
    "via",
    "remarks_en",
    "remarks_zh",
)
_FLIGHT = re.compile(r"^([A-Z0-9]{2}[A-Z]?)\s*([0-9]{1,4}[A-Z]?)$")
_AIRLINE = re.compile(r"^[A-Z0-9]{2}[A-Z]?$")
_AIRPORT = re.compile(r"^[A-Z]{3}$")
_CODE = re.compile(r"^[A-Z0-9]{2,3}[0-9]{1,4}[A-Z]?$")
MAX_TEXT = 200


def leg_from_record(record: Mapping[str, object]) -> Leg:
    """The leg a record describes; raises :class:`FeedError` naming the first thing wrong."""
    airline, number = _flight(record)
    origin = _airport(record, "origin")
    destination = _airport(record, "destination")
    times = {
        FlightEvent.OFF_BLOCK: EventTime(_time(record, "std"), _time(record, "etd"), _time(record, "atd")),
        FlightEvent.ON_BLOCK: EventTime(_time(record, "sta"), _time(record, "eta"), _time(record, "ata")),
    }
    times = {event: t for event, t in times.items() if t.scheduled or t.estimated or t.actual}
    day_text = _text(record, "date")
    if day_text:
        try:
            day = date.fromisoformat(day_text)
        except ValueError:
            raise FeedError(f"date {day_text[:20]!r} is not like 2026-11-23") from None
    else:
        scheduled = times.get(FlightEvent.OFF_BLOCK, EventTime()).scheduled
        if scheduled is None:
            raise FeedError("neither date nor std given")
        day = scheduled.date()
    status_text = _text(record, "status").lower()
    try:
        status = FlightStatus(status_text) if status_text else None
    except ValueError:
        raise FeedError(f"status {status_text[:20]!r} is not a board status") from None
    gate, stand, terminal = _text(record, "gate"), _text(record, "stand"), _text(record, "terminal")
    return Leg(
        key=LegKey(airline, number, origin, destination, day),
        status=status,
        times=times,
        departure_gate=gate,
        arrival_gate=gate,
        departure_stand=stand,
        arrival_stand=stand,
        departure_terminal=terminal,
        arrival_terminal=terminal,
        check_in=_text(record, "check_in"),
        belt=_text(record, "belt"),
        codeshares=tuple(code for code in _list(record, "codeshares") if _CODE.match(code))[:12],
        via=tuple(code for code in _list(record, "via") if _AIRPORT.match(code))[:6],
        remarks_en=_text(record, "remarks_en"),
        remarks_zh=_text(record, "remarks_zh"),
    )


def _text(record: Mapping[str, object], name: str) -> str:
    value = record.get(name)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise FeedError(f"{name} is a {type(value).__name__}, not text")
    return str(value).strip()[:MAX_TEXT]


def _flight(record: Mapping[str, object]) -> tuple[str, str]:
    text = _text(record, "flight").upper()
    if text:
        match = _FLIGHT.match(text)
        if match is None:
            raise FeedError(f"flight {text[:20]!r} is not like HU7181")
        return match.group(1), match.group(2).lstrip("0") or "0"
    airline, number = _text(record, "airline").upper(), _text(record, "number").upper().lstrip("0")
    if not _AIRLINE.match(airline) or not re.match(r"^[0-9]{1,4}[A-Z]?$", number):
        raise FeedError("no flight (or airline and number) like HU7181")
    return airline, number


def _airport(record: Mapping[str, object], name: str) -> str:
    code = _text(record, name).upper()
    if not _AIRPORT.match(code):
        raise FeedError(f"{name} {code[:10]!r} is not an IATA airport code")
    return code


def _time(record: Mapping[str, object], name: str) -> datetime | None:
    text = _text(record, name)
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise FeedError(f"{name} {text[:40]!r} is not an ISO 8601 time") from None
    if value.tzinfo is None:
        raise FeedError(f"{name} {text[:40]!r} has no time zone (add Z or an offset)")
    return value


def _list(record: Mapping[str, object], name: str) -> list[str]:
    value = record.get(name)
    if value is None:
        return []
    if isinstance(value, list):
        items = [item for item in value if isinstance(item, str)]
    elif isinstance(value, str):
        items = re.split(r"[\s,;]+", value)
    else:
        raise FeedError(f"{name} is a {type(value).__name__}, not a list")
    return [item.strip().upper() for item in items[:20] if item.strip()]
