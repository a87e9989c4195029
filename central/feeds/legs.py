"""What every feed parser produces: flight legs as the source describes them, and how a leg becomes a flight
on one of the site's boards.

A leg is an airline's flight between two airports on one day (AIDX's LegIdentifier). The same leg is a
departure at its origin and an arrival at its destination; :func:`flights_for_site` keeps the side that
touches the configured site and names the other airport in both languages from :mod:`bus.airports`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from bus.airports import airline, airport
from bus.messages.flights import Direction, EventTimes, Flight, FlightEvent, FlightStatus, Via

MAX_FIELD_CHARS = 200


class FeedError(ValueError):
    """A record or document a parser refuses; the message names what is wrong and is safe to log."""


@dataclass(frozen=True)
class LegKey:
    """AIDX's LegIdentifier: which leg a record is about."""

    airline: str  # IATA designator, e.g. HU
    number: str  # digits with an optional suffix letter, e.g. 7181
    origin: str
    destination: str
    origin_date: date  # the scheduled day at the origin, in its local time
    repeat_index: int = 1  # > 1: the leg flown again after a diversion or return


@dataclass(frozen=True)
class EventTime:
    scheduled: datetime | None = None
    estimated: datetime | None = None
    actual: datetime | None = None


@dataclass(frozen=True)
class Leg:
    """One leg, in the source's terms; times are aware datetimes (a parser rejects any without an offset)."""

    key: LegKey
    status: FlightStatus | None = None  # None: derive from the times
    times: dict[FlightEvent, EventTime] = field(default_factory=dict)
    departure_gate: str = ""
    arrival_gate: str = ""
    departure_stand: str = ""
    arrival_stand: str = ""
    departure_terminal: str = ""
    arrival_terminal: str = ""
    check_in: str = ""
    belt: str = ""
    codeshares: tuple[str, ...] = ()
    via: tuple[str, ...] = ()
    remarks_en: str = ""
    remarks_zh: str = ""
    diverted_to: str | None = None
    airline_name_en: str = ""
    airline_name_zh: str = ""
    cleared: frozenset[tuple[FlightEvent, str]] = frozenset()  # (event, "scheduled"|"estimated"|"actual")


@dataclass(frozen=True)
class LegRemoval:
    """A leg taken off the schedule (not cancelled: gone)."""

    key: LegKey


LegChange = Leg | LegRemoval


_TEXT_FIELDS = (
    "departure_gate",
    "arrival_gate",
    "departure_stand",
    "arrival_stand",
    "departure_terminal",
    "arrival_terminal",
    "check_in",
    "belt",
    "remarks_en",
    "remarks_zh",
    "airline_name_en",
    "airline_name_zh",
)


def merge(old: Leg, new: Leg) -> Leg:
    """``new`` said of the leg ``old`` already knew: what it leaves out stays as it was; a cleared time goes.

    AIDX notifications may carry only what changed (a new status, an estimate), so an empty field means
    "not said", never "now empty"; a time is taken back only with ``xsi:nil``.
    """
    times: dict[FlightEvent, dict[str, datetime | None]] = {
        event: {"scheduled": t.scheduled, "estimated": t.estimated, "actual": t.actual}
        for event, t in old.times.items()
    }
    for event, t in new.times.items():
        slot = times.setdefault(event, {"scheduled": None, "estimated": None, "actual": None})
        for kind in ("scheduled", "estimated", "actual"):
            value = getattr(t, kind)
            if value is not None:
                slot[kind] = value
    for event, kind in new.cleared:
        if event in times:
            times[event][kind] = None
    merged_times = {
        event: EventTime(**values) for event, values in times.items() if any(v is not None for v in values.values())
    }
    texts = {name: getattr(new, name) or getattr(old, name) for name in _TEXT_FIELDS}
    return Leg(
        key=new.key,
        status=new.status if new.status is not None else old.status,
        times=merged_times,
        codeshares=new.codeshares or old.codeshares,
        via=new.via or old.via,
        diverted_to=new.diverted_to or old.diverted_to,
        **texts,
    )


def flight_id(key: LegKey, direction: Direction) -> str:
    """Stable across updates: ``HU7181-20261123-D``. A leg flown again (RepeatIndex > 1) keeps the id, so
    the board shows the flight once, as it is now."""
    side = "D" if direction is Direction.DEPARTURES else "A"
    return f"{key.airline}{key.number}-{key.origin_date:%Y%m%d}-{side}"


def directions_at(key: LegKey, site: str) -> list[Direction]:
    """Which of the site's boards a leg belongs on: none when it neither leaves nor reaches the site."""
    result = []
    if key.origin == site:
        result.append(Direction.DEPARTURES)
    if key.destination == site:
        result.append(Direction.ARRIVALS)
    return result


_BOARD_EVENT = {Direction.DEPARTURES: FlightEvent.OFF_BLOCK, Direction.ARRIVALS: FlightEvent.ON_BLOCK}
_FALLBACK_EVENT = {Direction.DEPARTURES: FlightEvent.TAKEOFF, Direction.ARRIVALS: FlightEvent.TOUCHDOWN}


def flights_for_site(leg: Leg, site: str) -> list[Flight]:
    """The leg as a flight on each of the site's boards it belongs on (usually one, none for other legs)."""
    return [_flight(leg, direction) for direction in directions_at(leg.key, site)]


def _flight(leg: Leg, direction: Direction) -> Flight:
    key = leg.key
    departing = direction is Direction.DEPARTURES
    other = key.destination if departing else key.origin
    main = leg.times.get(_BOARD_EVENT[direction]) or leg.times.get(_FALLBACK_EVENT[direction]) or EventTime()
    if main.scheduled is None:
        raise FeedError(f"{key.airline}{key.number}: no scheduled {'departure' if departing else 'arrival'} time")
    names = airport(other)
    carrier = key.airline
    return Flight(
        id=flight_id(key, direction),
        number=f"{carrier}{key.number}",
        airline=_cut(leg.airline_name_en) or airline(carrier).name_en,
        airline_code=carrier,
        airline_zh=_cut(leg.airline_name_zh) or airline(carrier).name_zh,
        direction=direction,
        other_airport=other,
        other_airport_name=names.name_en,
        other_airport_name_zh=names.name_zh,
        city_en=names.city_en,
        city_zh=names.city_zh,
        scheduled=main.scheduled,
        estimated=main.estimated,
        actual=main.actual,
        status=_status(leg, direction),
        terminal=_cut(leg.departure_terminal if departing else leg.arrival_terminal),
        gate=_cut(leg.departure_gate if departing else leg.arrival_gate),
        stand=_cut(leg.departure_stand if departing else leg.arrival_stand),
        check_in=_cut(leg.check_in) if departing else "",
        belt="" if departing else _cut(leg.belt),
        codeshares=[_cut(code) for code in leg.codeshares[:12]],
        via=[Via(code=code, city_en=airport(code).city_en, city_zh=airport(code).city_zh) for code in leg.via[:6]],
        remarks_en=_cut(leg.remarks_en),
        remarks_zh=_cut(leg.remarks_zh),
        times=[
            EventTimes(event=event, scheduled=t.scheduled, estimated=t.estimated, actual=t.actual)
            for event, t in sorted(leg.times.items())
        ],
        diverted_to=leg.diverted_to,
    )


_BEFORE_DEPARTURE = {
    FlightStatus.SCHEDULED,
    FlightStatus.CHECK_IN,
    FlightStatus.BOARDING,
    FlightStatus.FINAL_CALL,
    FlightStatus.GATE_CLOSED,
    FlightStatus.DELAYED,
}
_BEFORE_ARRIVAL = {FlightStatus.SCHEDULED, FlightStatus.DELAYED, FlightStatus.APPROACHING, FlightStatus.DEPARTED}


def _status(leg: Leg, direction: Direction) -> FlightStatus:
    """The source's status, moved on by actual times it has not caught up with (an off-block time sent
    alone means the flight left, whatever the last status said); a cancellation or diversion stands."""
    from_times = _status_from_times(leg, direction)
    if leg.status is None:
        return from_times
    moved_on = from_times in {FlightStatus.DEPARTED, FlightStatus.LANDED, FlightStatus.ARRIVED}
    if moved_on and leg.status in (_BEFORE_DEPARTURE if direction is Direction.DEPARTURES else _BEFORE_ARRIVAL):
        return from_times
    if leg.status is FlightStatus.LANDED and from_times is FlightStatus.ARRIVED:
        return from_times
    return leg.status


def _status_from_times(leg: Leg, direction: Direction) -> FlightStatus:
    """A status when the source gave none: what the actual times say, else scheduled."""

    def actual(event: FlightEvent) -> bool:
        times = leg.times.get(event)
        return times is not None and times.actual is not None

    if direction is Direction.DEPARTURES:
        return FlightStatus.DEPARTED if actual(FlightEvent.OFF_BLOCK) or actual(FlightEvent.TAKEOFF) else _plain(leg)
    if actual(FlightEvent.ON_BLOCK):
        return FlightStatus.ARRIVED
    if actual(FlightEvent.TOUCHDOWN):
        return FlightStatus.LANDED
    return _plain(leg)


def _plain(leg: Leg) -> FlightStatus:
    return FlightStatus.DIVERTED if leg.diverted_to else FlightStatus.SCHEDULED


def _cut(text: str) -> str:
    return text.strip()[:MAX_FIELD_CHARS]
