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


FlightId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")]


class Flight(Part):
    """One flight as a board shows it. ``id`` is stable across updates (e.g. ``HU7181-20261123-D``)."""

    id: FlightId
    number: Annotated[str, Field(pattern=r"^[A-Z0-9]{2,3}[0-9]{1,4}[A-Z]?$")]
    airline: ShortText = ""
    direction: Direction
    other_airport: Annotated[str, Field(pattern=IATA)] = Field(
        description="destination of a departure, origin of an arrival"
    )
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


class FlightBoard(Message):
    """The whole board for one direction; devices start from it and cache it on disk."""

    direction: Direction
    revision: Annotated[int, Field(ge=0)]
    ts: Timestamp = Field(default_factory=utc_now)
    flights: Annotated[list[Flight], Field(max_length=MAX_FLIGHTS_PER_BOARD)]


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
