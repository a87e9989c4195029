"""A simulated day at Haikou Meilan (HAK): the default feed, so that the demo and the tests have flights.

Pure: :func:`schedule` makes a day's flights from a seed (the same seed and day give the same flights),
and :func:`legs_at` says what every flight looks like at a given moment. Statuses move with the moment:
check-in opens, boarding, final call, gate closed, departed; approaching, landed, arrived. Some flights
are delayed (announced three hours ahead), some change gate, a few are cancelled or diverted. The
poller in :mod:`central.feeds.pollers` runs it on a clock of its own at a configurable speed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bus.messages.flights import FlightEvent, FlightStatus
from central.feeds.legs import EventTime, Leg, LegKey

# Where flights from Haikou go, with the airlines that fly there and the block time in minutes.
ROUTES: tuple[tuple[str, tuple[str, ...], int], ...] = (
    ("PEK", ("HU", "CA"), 230),
    ("PKX", ("HU", "CZ", "MU"), 235),
    ("PVG", ("MU", "HU", "HO"), 170),
    ("SHA", ("MU", "HU"), 170),
    ("CAN", ("CZ", "HU"), 75),
    ("SZX", ("ZH", "CZ", "HU"), 75),
    ("CTU", ("3U", "CA", "HU"), 130),
    ("TFU", ("3U", "CA"), 135),
    ("CKG", ("PN", "HU", "CZ"), 110),
    ("KMG", ("KY", "MU", "HU"), 100),
    ("XIY", ("HU", "MU"), 160),
    ("HGH", ("HU", "CZ", "GJ"), 160),
    ("NKG", ("HU", "MU"), 170),
    ("WUH", ("CZ", "HU"), 120),
    ("CSX", ("HU", "CZ", "GS"), 100),
    ("XMN", ("MF", "HU"), 110),
    ("CGO", ("HU", "CZ"), 160),
    ("TSN", ("GS", "HU"), 220),
    ("SHE", ("CZ", "HU"), 250),
    ("HRB", ("HU", "CZ"), 285),
    ("DLC", ("HU", "CZ"), 230),
    ("TAO", ("HU", "SC"), 200),
    ("NNG", ("GX", "HU"), 60),
    ("KWE", ("HU", "CZ"), 90),
    ("URC", ("HU", "CZ"), 320),
    ("LHW", ("HU", "GS"), 190),
    ("TYN", ("HU", "GS"), 190),
    ("HKG", ("HX", "CX"), 75),
    ("SIN", ("TR", "HU"), 210),
    ("BKK", ("FD", "HU"), 140),
    ("KUL", ("AK", "HU"), 200),
    ("ICN", ("KE", "HU"), 240),
)
BUSY = {"PEK", "PKX", "PVG", "SHA", "CAN", "SZX", "CTU", "CKG", "HGH", "WUH"}  # several flights a day
DIVERSION_AIRPORTS = ("SYX", "ZHA", "NNG")
FIRST_HOUR, LAST_HOUR = 6, 23
DELAY_KNOWN_MIN = 180  # a delay is announced this long before the scheduled time


@dataclass(frozen=True)
class SimFlight:
    """One flight of the simulated day and what will happen to it."""

    key: LegKey
    departing: bool  # from the site (else to it)
    scheduled_off: datetime  # off-block at the origin
    scheduled_on: datetime  # on-block at the destination
    delay_min: int
    cancelled: bool
    diverted_to: str | None
    gate: str
    new_gate: str | None  # the gate it moves to 50 min before departure
    stand: str
    check_in: str
    belt: str
    codeshares: tuple[str, ...]


def schedule(day: date, site: str, zone: ZoneInfo, seed: int) -> list[SimFlight]:
    """The day's flights at ``site``, always the same for the same day and seed."""
    rng = random.Random(f"{seed}:{site}:{day.isoformat()}")  # noqa: S311 - repeatable on purpose, no secret
    flights: list[SimFlight] = []
    used: set[str] = set()
    for other, carriers, block_min in ROUTES:
        per_day = rng.randint(3, 6) if other in BUSY else rng.randint(1, 2)
        for _ in range(per_day):
            carrier = rng.choice(carriers)
            number = _number(rng, carrier, used)
            back = _number(rng, carrier, used)
            out_minute = rng.randrange(FIRST_HOUR * 60, LAST_HOUR * 60, 5)
            in_minute = rng.randrange(FIRST_HOUR * 60, LAST_HOUR * 60, 5)
            departure_off = datetime.combine(day, time(0), zone) + timedelta(minutes=out_minute)
            arrival_on = datetime.combine(day, time(0), zone) + timedelta(minutes=in_minute)
            flights.append(_flight(rng, carrier, number, site, other, departure_off, block_min, True))
            flights.append(
                _flight(rng, carrier, back, other, site, arrival_on - timedelta(minutes=block_min), block_min, False)
            )
    return flights


def _number(rng: random.Random, carrier: str, used: set[str]) -> str:
    while True:
        number = str(rng.randint(1001, 8999))
        if carrier + number not in used:
            used.add(carrier + number)
            return number


def _flight(
    rng: random.Random,
    carrier: str,
    number: str,
    origin: str,
    destination: str,
    off: datetime,
    block_min: int,
    departing: bool,
) -> SimFlight:
    roll = rng.random()
    delay = 0 if roll < 0.7 else rng.randrange(10, 65, 5) if roll < 0.93 else rng.randrange(65, 185, 5)
    cancelled = rng.random() < 0.02
    diverted = None if departing or cancelled or rng.random() >= 0.01 else rng.choice(DIVERSION_AIRPORTS)
    gate = str(rng.randint(1, 28))
    new_gate = str(rng.randint(1, 28)) if rng.random() < 0.08 else None
    shares = tuple(f"{c}{rng.randint(1001, 8999)}" for c in rng.sample(("CA", "MU", "CZ", "3U"), rng.randint(0, 2)))
    row = rng.choice("ABCDEFGH")
    start = rng.randint(1, 20)
    return SimFlight(
        key=LegKey(carrier, number, origin, destination, off.date()),
        departing=departing,
        scheduled_off=off,
        scheduled_on=off + timedelta(minutes=block_min),
        delay_min=delay,
        cancelled=cancelled,
        diverted_to=diverted,
        gate=gate,
        new_gate=None if new_gate == gate else new_gate,
        stand=str(rng.randint(101, 260)),
        check_in=f"{row}{start:02d}-{row}{start + 5:02d}",
        belt=str(rng.randint(1, 12)),
        codeshares=shares,
    )


def legs_at(flights: list[SimFlight], now: datetime, before: timedelta, after: timedelta) -> list[Leg]:
    """The flights whose board time falls within ``before`` and ``after`` of ``now``, as they are then."""
    result = []
    for flight in flights:
        board_time = flight.scheduled_off if flight.departing else flight.scheduled_on
        if now - before <= board_time <= now + after:
            result.append(_leg_at(flight, now))
    return result


def _leg_at(flight: SimFlight, now: datetime) -> Leg:
    delay = timedelta(minutes=flight.delay_min)
    known = now >= flight.scheduled_off - timedelta(minutes=DELAY_KNOWN_MIN)
    off = EventTime(scheduled=flight.scheduled_off, estimated=flight.scheduled_off + delay if known and delay else None)
    on = EventTime(scheduled=flight.scheduled_on, estimated=flight.scheduled_on + delay if known and delay else None)
    if flight.cancelled:
        status = FlightStatus.CANCELLED if known else FlightStatus.SCHEDULED
        remarks = ("Cancelled", "航班取消") if known else ("", "")
        return _leg(flight, status, off, on, flight.gate, remarks)
    if flight.departing:
        return _departure_at(flight, now, off, on, delay, known)
    return _arrival_at(flight, now, off, on, delay, known)


def _departure_at(
    flight: SimFlight, now: datetime, off: EventTime, on: EventTime, delay: timedelta, known: bool
) -> Leg:
    leaves = flight.scheduled_off + delay
    minutes_left = (leaves - now).total_seconds() / 60
    gate = flight.new_gate if flight.new_gate and minutes_left <= 50 else flight.gate
    remarks = ("Gate changed", "登机口变更") if flight.new_gate and 0 < minutes_left <= 50 else ("", "")
    if minutes_left <= 0:
        off = EventTime(off.scheduled, off.estimated, leaves)
        takeoff = EventTime(actual=leaves + timedelta(minutes=12)) if minutes_left <= -12 else None
        return _leg(flight, FlightStatus.DEPARTED, off, on, gate, ("", ""), takeoff=takeoff)
    if minutes_left <= 10:
        status = FlightStatus.GATE_CLOSED
    elif minutes_left <= 20:
        status = FlightStatus.FINAL_CALL
    elif minutes_left <= 45:
        status = FlightStatus.BOARDING
    elif known and delay >= timedelta(minutes=15):
        status = FlightStatus.DELAYED
        remarks = remarks if remarks[0] else ("Delayed", "延误")
    elif minutes_left <= 150:
        status = FlightStatus.CHECK_IN
    else:
        status = FlightStatus.SCHEDULED
    return _leg(flight, status, off, on, gate, remarks)


def _arrival_at(flight: SimFlight, now: datetime, off: EventTime, on: EventTime, delay: timedelta, known: bool) -> Leg:
    lands = flight.scheduled_on + delay
    minutes_left = (lands - now).total_seconds() / 60
    if flight.diverted_to and minutes_left <= 30:
        remarks = (f"Diverted to {flight.diverted_to}", f"备降{flight.diverted_to}")
        return _leg(flight, FlightStatus.DIVERTED, off, on, "", remarks, diverted_to=flight.diverted_to)
    took_off = now >= flight.scheduled_off + delay
    if took_off:
        off = EventTime(off.scheduled, off.estimated, flight.scheduled_off + delay)
    if minutes_left <= 0:
        on = EventTime(on.scheduled, on.estimated, lands)
        touchdown = EventTime(actual=lands - timedelta(minutes=6))
        return _leg(flight, FlightStatus.ARRIVED, off, on, flight.gate, ("", ""), touchdown=touchdown, belt=True)
    if minutes_left <= 6:
        touchdown = EventTime(actual=lands - timedelta(minutes=6))
        return _leg(flight, FlightStatus.LANDED, off, on, flight.gate, ("", ""), touchdown=touchdown, belt=True)
    if minutes_left <= 40:
        return _leg(flight, FlightStatus.APPROACHING, off, on, flight.gate, ("", ""))
    if known and delay >= timedelta(minutes=15):
        return _leg(flight, FlightStatus.DELAYED, off, on, flight.gate, ("Delayed", "延误"))
    return _leg(flight, FlightStatus.SCHEDULED, off, on, flight.gate, ("", ""))


def _leg(
    flight: SimFlight,
    status: FlightStatus,
    off: EventTime,
    on: EventTime,
    gate: str,
    remarks: tuple[str, str],
    takeoff: EventTime | None = None,
    touchdown: EventTime | None = None,
    diverted_to: str | None = None,
    belt: bool = False,
) -> Leg:
    times = {FlightEvent.OFF_BLOCK: off, FlightEvent.ON_BLOCK: on}
    if takeoff is not None:
        times[FlightEvent.TAKEOFF] = takeoff
    if touchdown is not None:
        times[FlightEvent.TOUCHDOWN] = touchdown
    departing = flight.departing
    return Leg(
        key=flight.key,
        status=status,
        times=times,
        departure_gate=gate if departing else "",
        arrival_gate="" if departing else gate,
        departure_stand=flight.stand if departing else "",
        arrival_stand="" if departing else flight.stand,
        departure_terminal="T1" if departing else "",
        arrival_terminal="" if departing else "T1",
        check_in=flight.check_in if departing and status is not FlightStatus.CANCELLED else "",
        belt=flight.belt if belt else "",
        codeshares=flight.codeshares,
        remarks_en=remarks[0],
        remarks_zh=remarks[1],
        diverted_to=diverted_to,
    )
