"""Flight boards on ``flights/dep``, ``flights/arr`` (retained snapshots) and ``flights/update`` (changes)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field, model_validator

from bus.messages.base import IATA, Message, Part, ShortText, Timestamp, utc_now

MAX_FLIGHTS_PER_BOARD = 5000


class Direction(StrEnum):
    DEPARTURES = "dep"
    ARRIVALS = "arr"


class FlightStatus(StrEnum):
    SCHEDULED = "scheduled"
    CHECK_IN = "check_in"
    BOARDING = "boarding"
    FINAL_CALL = "final_call"
    GATE_CLOSED = "gate_closed"
    DEPARTED = "departed"
    DELAYED = "delayed"
    CANCELLED = "cancelled"
    DIVERTED = "diverted"
    APPROACHING = "approaching"
    LANDED = "landed"
    ARRIVED = "arrived"


class FlightEvent(StrEnum):
    """The moments of a flight a feed may give times for (AIDX's OperationQualifier: OFB, TKO, TDN, ONB)."""

    OFF_BLOCK = "off_block"
    TAKEOFF = "takeoff"
    TOUCHDOWN = "touchdown"
    ON_BLOCK = "on_block"


FlightId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")]
AirportCode = Annotated[str, Field(pattern=IATA)]
AirlineCode = Annotated[str, Field(pattern=r"^([A-Z0-9]{2}[A-Z]?)?$")]
MAX_VIA = 6
MAX_EVENT_TIMES = 8


class EventTimes(Part):
    """Scheduled, estimated and actual time of one event of a flight, each with its offset."""

    event: FlightEvent
    scheduled: Timestamp | None = None
    estimated: Timestamp | None = None
    actual: Timestamp | None = None


class Via(Part):
    """An intermediate stop, named in both languages."""

    code: AirportCode
    city_en: ShortText = ""
    city_zh: ShortText = ""


class Flight(Part):
    """One flight as a board shows it. ``id`` is stable across updates (e.g. ``HU7181-20261123-D``)."""

    id: FlightId
    number: Annotated[str, Field(pattern=r"^[A-Z0-9]{2,3}[0-9]{1,4}[A-Z]?$")]
    airline: ShortText = ""
    direction: Direction
    other_airport: AirportCode = Field(description="destination of a departure, origin of an arrival")
    other_airport_name: ShortText = ""
    scheduled: Timestamp
    estimated: Timestamp | None = None
    actual: Timestamp | None = None
    status: FlightStatus = FlightStatus.SCHEDULED
    terminal: ShortText = ""
    gate: ShortText = ""
    check_in: ShortText = ""
    belt: ShortText = ""
    codeshares: Annotated[list[ShortText], Field(max_length=12)] = Field(default_factory=list)
    # Added within v1 (older receivers ignore them, older senders leave the defaults):
    airline_code: AirlineCode = ""
    airline_zh: ShortText = ""
    city_en: ShortText = Field(default="", description="city of other_airport in English")
    city_zh: ShortText = Field(default="", description="city of other_airport in Chinese")
    other_airport_name_zh: ShortText = ""
    via: Annotated[list[Via], Field(max_length=MAX_VIA)] = Field(default_factory=list)
    stand: ShortText = ""
    remarks_en: ShortText = ""
    remarks_zh: ShortText = ""
    times: Annotated[list[EventTimes], Field(max_length=MAX_EVENT_TIMES)] = Field(default_factory=list)
    diverted_to: AirportCode | None = None


class FlightBoard(Message):
    """The whole board for one direction; devices start from it and cache it on disk."""

    direction: Direction
    revision: Annotated[int, Field(ge=0)]
    ts: Timestamp = Field(default_factory=utc_now)
    flights: Annotated[list[Flight], Field(max_length=MAX_FLIGHTS_PER_BOARD)]
    # Added within v1: which airport the board is for and its IANA time zone, so that a screen shows
    # local times without a table of its own ("" from older senders).
    site: Annotated[str, Field(pattern=r"^([A-Z]{3})?$")] = ""
    tz: Annotated[str, Field(max_length=64)] = ""


class FlightUpdate(Message):
    """Changed flights only; a device whose revision is not ``base_revision`` re-reads the snapshot."""

    direction: Direction
    base_revision: Annotated[int, Field(ge=0)]
    revision: Annotated[int, Field(ge=1)]
    ts: Timestamp = Field(default_factory=utc_now)
    changed: Annotated[list[Flight], Field(max_length=MAX_FLIGHTS_PER_BOARD)] = Field(default_factory=list)
    removed: Annotated[list[FlightId], Field(max_length=MAX_FLIGHTS_PER_BOARD)] = Field(default_factory=list)

    @model_validator(mode="after")
    def _moves_forward(self) -> FlightUpdate:
        if self.revision <= self.base_revision:
            raise ValueError("revision must be greater than base_revision")
        return self


def apply_update(flights: dict[str, Flight], update: FlightUpdate) -> dict[str, Flight]:
    """The board after ``update``: changed flights replace theirs by ``id``, removed ids go. The caller
    checks ``base_revision`` first; ``flights`` itself is left as it was."""
    result = dict(flights)
    for flight_id in update.removed:
        result.pop(flight_id, None)
    for flight in update.changed:
        result[flight.id] = flight
    return result
