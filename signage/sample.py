"""A believable board of flights at HAK for pictures and benchmarks, with no broker and no central.

Deterministic: the same ``seed`` and ``now`` give the same board.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from bus.airports import airport
from bus.messages.flights import Direction, Flight, FlightBoard, FlightStatus

SITE = "HAK"
TZ = "Asia/Shanghai"
CITIES = ("PEK", "PVG", "CAN", "SZX", "CTU", "CKG", "KMG", "XIY", "HGH", "WUH", "NKG", "TAO", "CSX", "XMN",
          "SHA", "PKX", "HKG", "SIN", "BKK", "KUL", "ICN", "HRB", "SHE", "TSN")  # fmt: skip
AIRLINES = ("HU", "CZ", "MU", "CA", "3U", "GS", "ZH", "MF", "PN", "GX")


def departure_status(minutes_to_go: float, delayed: bool) -> FlightStatus:
    if minutes_to_go < 0:
        return FlightStatus.DEPARTED
    if delayed:
        return FlightStatus.DELAYED
    for limit, status in ((10, FlightStatus.GATE_CLOSED), (20, FlightStatus.FINAL_CALL), (45, FlightStatus.BOARDING)):
        if minutes_to_go < limit:
            return status
    return FlightStatus.CHECK_IN if minutes_to_go < 150 else FlightStatus.SCHEDULED


def arrival_status(minutes_to_go: float, delayed: bool) -> FlightStatus:
    if minutes_to_go < -6:
        return FlightStatus.ARRIVED
    if minutes_to_go < 0:
        return FlightStatus.LANDED
    if delayed:
        return FlightStatus.DELAYED
    return FlightStatus.APPROACHING if minutes_to_go < 40 else FlightStatus.SCHEDULED


def sample_flights(direction: Direction, now: datetime, count: int = 40, seed: int = 8) -> list[Flight]:
    """``count`` flights from a quarter hour before ``now`` onwards, every few minutes."""
    rng = random.Random(f"{seed}-{direction.value}")  # noqa: S311 (a made-up board, not a secret)
    flights: list[Flight] = []
    start = now.replace(second=0, microsecond=0) - timedelta(minutes=12)
    for n in range(count):
        scheduled = start + timedelta(minutes=5 * n + rng.randrange(0, 4))
        carrier = rng.choice(AIRLINES)
        number = f"{carrier}{rng.randrange(1000, 9999)}"
        other = airport(rng.choice(CITIES))
        delayed = rng.random() < 0.2
        estimated = scheduled + timedelta(minutes=rng.randrange(25, 90)) if delayed else None
        minutes = ((estimated or scheduled) - now).total_seconds() / 60
        if direction is Direction.DEPARTURES:
            status = departure_status(minutes, delayed)
        else:
            status = arrival_status(minutes, delayed)
        if rng.random() < 0.04:
            status, estimated = FlightStatus.CANCELLED, None
        done = status in (FlightStatus.DEPARTED, FlightStatus.LANDED, FlightStatus.ARRIVED)
        flights.append(
            Flight(
                id=f"{number}-{scheduled:%Y%m%d}-{'D' if direction is Direction.DEPARTURES else 'A'}",
                number=number,
                airline_code=carrier,
                direction=direction,
                other_airport=other.code,
                city_en=other.city_en,
                city_zh=other.city_zh,
                scheduled=scheduled,
                estimated=estimated,
                actual=(estimated or scheduled) if done else None,
                status=status,
                gate=f"{rng.randrange(1, 30)}" if direction is Direction.DEPARTURES else "",
                belt=f"{rng.randrange(1, 9)}" if direction is Direction.ARRIVALS else "",
                codeshares=[f"{rng.choice(AIRLINES)}{rng.randrange(1000, 9999)}"] if rng.random() < 0.3 else [],
            )
        )
    return flights


def sample_board(direction: Direction, now: datetime, count: int = 40, revision: int = 1) -> FlightBoard:
    flights = sample_flights(direction, now, count)
    return FlightBoard(direction=direction, revision=revision, flights=flights, site=SITE, tz=TZ)
