"""The boards on the bus: per direction a retained snapshot on ``flights/{dep|arr}`` and, for each change,
an update on ``flights/update`` whose ``base_revision`` is the revision before it.

Feed changes are coalesced (a burst becomes one revision, the first change of a quiet spell goes out on
the next turn of the loop). Revisions are consecutive within a run and start at central's start time in
seconds, so a restarted central never publishes a revision older than one a device already holds. After
every reconnect the snapshots are published again: a broker without persistence forgets retained messages.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from bus.codec import encode
from bus.link import BusLink, Publication
from bus.messages.flights import Direction, Flight, FlightBoard, FlightUpdate
from bus.topics import TopicKind, Topics
from central.calls.coalesce import Coalescer
from central.flights.board import FlightBoards, diff

log = logging.getLogger(__name__)

PUBLISH_INTERVAL_S = 0.2
_BOARD_TOPIC = {Direction.DEPARTURES: TopicKind.FLIGHTS_DEP, Direction.ARRIVALS: TopicKind.FLIGHTS_ARR}

Sent = Callable[[Direction, FlightUpdate, FlightBoard], None]


class BoardPublisher:
    """Keeps ``flights/dep``, ``flights/arr`` and ``flights/update`` in step with :class:`FlightBoards`."""

    def __init__(
        self,
        link: BusLink,
        topics: Topics,
        boards: FlightBoards,
        tz: str,
        interval_s: float = PUBLISH_INTERVAL_S,
        first_revision: int | None = None,
    ) -> None:
        self._link = link
        self._topics = topics
        self._boards = boards
        self._tz = tz
        self._coalescer = Coalescer(self.flush, interval_s)
        start = int(time.time()) if first_revision is None else first_revision
        self._published: dict[Direction, dict[str, Flight]] = {d: {} for d in Direction}
        self._revision: dict[Direction, int] = dict.fromkeys(Direction, start)
        self._snapshot: dict[Direction, FlightBoard] = {
            d: FlightBoard(direction=d, revision=start, flights=[], site=boards.site, tz=tz) for d in Direction
        }
        self._first_revision = start
        self._listeners: list[Sent] = []

    def start(self) -> None:
        self._boards.add_listener(self._coalescer.poke)
        self._link.add_connected_listener(self._reconnected)

    def close(self) -> None:
        self._coalescer.close()

    def add_listener(self, listener: Sent) -> None:
        """Told of every new revision (the flight pages follow it)."""
        self._listeners.append(listener)

    def snapshot(self, direction: Direction) -> FlightBoard:
        """The board as last published."""
        return self._snapshot[direction]

    def flight(self, id_: str) -> Flight | None:
        for board in self._published.values():
            if id_ in board:
                return board[id_]
        return None

    def flush(self) -> None:
        """A new revision for each board that changed; both messages are published right away."""
        for direction in Direction:
            current = self._boards.flights(direction)
            change = diff(self._published[direction], current)
            if not change:
                continue
            base = self._revision[direction]
            revision = base + 1
            update = FlightUpdate(
                direction=direction,
                base_revision=base,
                revision=revision,
                changed=change.changed,
                removed=change.removed,
            )
            board = FlightBoard(
                direction=direction,
                revision=revision,
                flights=sorted(current.values(), key=lambda f: (f.scheduled, f.number)),
                site=self._boards.site,
                tz=self._tz,
            )
            self._published[direction] = current
            self._revision[direction] = revision
            self._snapshot[direction] = board
            self._send(self._topics.site(TopicKind.FLIGHTS_UPDATE), update, retain=False)
            self._send(self._topics.site(_BOARD_TOPIC[direction]), board, retain=True)
            for listener in self._listeners:
                try:
                    listener(direction, update, board)
                except Exception:
                    log.exception("flight board listener failed")

    def _reconnected(self) -> None:
        for direction in Direction:
            if self._revision[direction] > self._first_revision:  # never an empty board before any feed spoke
                self._send(self._topics.site(_BOARD_TOPIC[direction]), self._snapshot[direction], retain=True)

    def _send(self, topic: str, message: FlightBoard | FlightUpdate, retain: bool) -> None:
        if not self._link.publish(Publication(topic, encode(message), qos=1, retain=retain)):
            log.debug("bus down: %s revision %d kept for the next connect", topic, message.revision)
