"""A small, believable day of flights at HAK around the current hour: what the screenshots and the
layout tests show on the Flights screen (long city names, many codeshares, every status)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from kiosk.ui.flights.words import hour_start, zone

if TYPE_CHECKING:
    from bus.messages.flights import Flight

SITE = "HAK"
TZ = "Asia/Shanghai"
DELAYED_ID_SUFFIX = "HU7181"
# number, other airport, minutes from the start of this hour, status, gate or belt, delay in minutes
DEPARTURES = (
    ("CZ6712", "CAN", -90, "departed", "3", 0),
    ("MU5324", "PVG", -40, "departed", "7", 5),
    ("HU7181", "PEK", 20, "delayed", "12", 35),
    ("CA1376", "PEK", 35, "boarding", "5", 0),
    ("3U8726", "CTU", 45, "final_call", "9", 0),
    ("HU7095", "PKX", 55, "check_in", "14", 0),
    ("AK1063", "KUL", 70, "scheduled", "21", 0),
    ("GS7411", "XIY", 80, "cancelled", "", 0),
    ("ZH9568", "SZX", 95, "scheduled", "2", 0),
    ("HU7381", "SHA", 110, "check_in", "11", 0),
    ("CZ3380", "CAN", 125, "scheduled", "4", 0),
    ("MF8356", "HGH", 140, "scheduled", "6", 0),
    ("HU7851", "CKG", 160, "scheduled", "8", 0),
    ("KE878", "ICN", 190, "scheduled", "22", 0),
    ("HU7011", "PEK", 220, "scheduled", "12", 0),
    ("PN6343", "KMG", 250, "scheduled", "10", 0),
)
ARRIVALS = (
    ("HU7180", "PEK", -60, "arrived", "2", 0),
    ("CZ6711", "CAN", -20, "landed", "4", 0),
    ("MU5323", "PVG", 15, "approaching", "", 10),
    ("CA1375", "PEK", 40, "scheduled", "", 0),
    ("3U8725", "CTU", 65, "delayed", "", 50),
    ("AK1062", "KUL", 90, "scheduled", "", 0),
    ("HU7094", "PKX", 120, "diverted", "", 0),
    ("ZH9567", "SZX", 150, "scheduled", "", 0),
)


def sample_flights(now: datetime | None = None) -> list[Flight]:
    from bus.messages.flights import Direction, Flight, FlightStatus

    tz = zone(TZ)
    start = hour_start(now or datetime.now(UTC), tz)
    day = start.strftime("%Y%m%d")
    flights: list[Flight] = []
    for direction, rows in ((Direction.DEPARTURES, DEPARTURES), (Direction.ARRIVALS, ARRIVALS)):
        for number, other, minutes, status, place, delay in rows:
            scheduled = start + timedelta(minutes=minutes)
            departure = direction is Direction.DEPARTURES
            done = status in ("departed", "landed", "arrived")
            flights.append(
                Flight(
                    id=f"{number}-{day}-{'D' if departure else 'A'}",
                    number=number,
                    airline_code=number[:2],
                    direction=direction,
                    other_airport=other,
                    scheduled=scheduled,
                    estimated=scheduled + timedelta(minutes=delay) if delay else None,
                    actual=scheduled + timedelta(minutes=delay) if done else None,
                    status=FlightStatus(status),
                    terminal="T1" if departure else "T2",
                    gate=place if departure else "",
                    belt=place if not departure else "",
                    check_in="A01-A12, B20-B24" if departure else "",
                    diverted_to="SYX" if status == "diverted" else None,
                    codeshares=["CA5167", "MU3011", "CZ9876", "SC1234", "KN5544", "JD5566", "GS7788", "8L9900"]
                    if number == DELAYED_ID_SUFFIX
                    else [],
                    remarks_en="Late arrival of the incoming aircraft" if number == DELAYED_ID_SUFFIX else "",
                    remarks_zh="前序航班晚到" if number == DELAYED_ID_SUFFIX else "",
                )
            )
    return flights


def delayed_flight_id(flights: list[Flight]) -> str:
    """The sample's delayed flight with many codeshares: the detail the screenshots show."""
    return next(f.id for f in flights if f.number == DELAYED_ID_SUFFIX)
