"""A device's copy of the flight boards: the retained snapshots and the updates from the bus, kept on disk.

The store follows the contract (docs/protocol.md 3.11-3.12): a snapshot replaces a board whole (or, when
it does not decode, not at all); an update applies only on top of the revision it names, and on any other
revision the store asks the broker for the snapshot again (:meth:`bus.link.BusLink.resubscribe`) and
ignores updates until it comes. The last board of each direction is written to the state dir as JSON
(to a temporary file, then renamed over the old one, so a power cut leaves the old file or the new one),
and a store starts from those files, so a screen has its last board before, or without, the broker.

Qt-free: screens observe it through :meth:`FlightStore.add_listener` (see ``docs/flights.md``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from bus.codec import MalformedLog, MalformedMessage, decode
from bus.link import BusLink, LinkState
from bus.messages.flights import Direction, Flight, FlightBoard, FlightUpdate
from bus.topics import TopicKind, Topics

log = logging.getLogger(__name__)

CACHE_FILE = "flights-{direction}.json"
SAVE_INTERVAL_S = 5.0  # a busy board changes several times a second: the disk gets at most one write per this
_TOPIC_KIND = {Direction.DEPARTURES: TopicKind.FLIGHTS_DEP, Direction.ARRIVALS: TopicKind.FLIGHTS_ARR}


class Freshness(StrEnum):
    """Where a board shown now comes from."""

    NONE = "none"  # no board yet: show "no data"
    CACHED = "cached"  # the last board known, from disk or from before the link went down: show its age
    LIVE = "live"  # received from the broker on the current connection


@dataclass(frozen=True)
class BoardChange:
    """What moved on one board: ``reset`` means "everything" (a snapshot), else the flights named (none:
    only the board's freshness changed)."""

    direction: Direction
    changed: tuple[Flight, ...] = ()
    removed: tuple[str, ...] = ()
    reset: bool = False


Listener = Callable[[BoardChange], None]


@dataclass
class _Board:
    revision: int = -1
    flights: dict[str, Flight] = field(default_factory=dict)
    site: str = ""
    tz: str = ""
    heard_at: float | None = None  # wall clock of the last message about this board from central
    live: bool = False
    resyncing: bool = False
    known: bool = False


class FlightStore:
    """Both boards of the site, as the device last heard them."""

    def __init__(
        self,
        cache_dir: Path,
        clock: Callable[[], float] = time.time,
        save_interval_s: float = SAVE_INTERVAL_S,
    ) -> None:
        self._cache_dir = cache_dir
        self._clock = clock
        self._save_interval_s = save_interval_s
        self._boards = {direction: _Board() for direction in Direction}
        self._listeners: list[Listener] = []
        self._link: BusLink | None = None
        self._topics: Topics | None = None
        self._pending_save: dict[Direction, asyncio.TimerHandle] = {}
        self._malformed = MalformedLog(log)
        self.resyncs = 0
        self.save_failures = 0  # cache writes failed in a row (a full disk)
        for direction in Direction:
            self._load(direction)

    # --- what screens read ---------------------------------------------------------------------------

    def add_listener(self, listener: Listener) -> None:
        """Called on the loop after every change of a board."""
        self._listeners.append(listener)

    def flights(self, direction: Direction) -> list[Flight]:
        """The board, in time order (then by flight number)."""
        return sorted(self._boards[direction].flights.values(), key=lambda f: (f.scheduled, f.number))

    def flight(self, flight_id: str) -> Flight | None:
        for board in self._boards.values():
            if flight_id in board.flights:
                return board.flights[flight_id]
        return None

    def revision(self, direction: Direction) -> int | None:
        board = self._boards[direction]
        return board.revision if board.known else None

    def resyncing(self, direction: Direction) -> bool:
        """True while the store waits for the snapshot it asked for after a gap."""
        return self._boards[direction].resyncing

    def site_tz(self) -> str:
        """The IANA zone the boards' times are shown in ("" before any board)."""
        return next((board.tz for board in self._boards.values() if board.tz), "")

    def freshness(self, direction: Direction) -> Freshness:
        board = self._boards[direction]
        if not board.known:
            return Freshness.NONE
        return Freshness.LIVE if board.live else Freshness.CACHED

    def age_s(self, direction: Direction) -> float | None:
        """Seconds since central last said anything about this board; None before any board."""
        heard = self._boards[direction].heard_at
        return None if heard is None else max(0.0, self._clock() - heard)

    # --- the bus -------------------------------------------------------------------------------------

    def attach(self, link: BusLink, topics: Topics) -> None:
        """Follow the boards on ``link`` (call before or after the link starts)."""
        self._link, self._topics = link, topics
        for direction in Direction:
            link.subscribe(topics.site(_TOPIC_KIND[direction]), self.handle)
        link.subscribe(topics.site(TopicKind.FLIGHTS_UPDATE), self.handle)
        link.add_state_listener(self._link_changed)

    def handle(self, topic: str, payload: bytes) -> None:
        """A message on one of the flight topics (the link calls this on the loop)."""
        match = self._topics.parse(topic) if self._topics is not None else None
        kind = match.kind if match is not None else _kind_of(topic)
        if kind is None:
            return
        if not payload and kind is not TopicKind.FLIGHTS_UPDATE:
            return  # a retained board deleted on the broker: keep showing the last one
        try:
            message = decode(kind, payload)
        except MalformedMessage as exc:
            self._malformed.report(kind, "central", exc.reason)
            return
        if isinstance(message, FlightBoard):
            if message.direction is not _direction_of(kind):
                self._malformed.report(kind, "central", f"a {message.direction} board on {topic}")
                return
            self.apply_snapshot(message)
        elif isinstance(message, FlightUpdate):
            self.apply_update(message)

    def apply_snapshot(self, snapshot: FlightBoard) -> bool:
        """Replace the board with ``snapshot``, whole; False (and nothing changed) when it is inconsistent."""
        wrong = [f.id for f in snapshot.flights if f.direction is not snapshot.direction]
        if wrong:
            self._malformed.report(
                _TOPIC_KIND[snapshot.direction], "central", f"flight {wrong[0]} is on the wrong board"
            )
            return False
        board = self._boards[snapshot.direction]
        flights = {flight.id: flight for flight in snapshot.flights}
        same = board.known and board.revision == snapshot.revision and board.flights == flights
        was_live = board.live
        board.flights = flights
        board.revision = snapshot.revision
        board.site, board.tz = snapshot.site, snapshot.tz
        board.heard_at = self._clock()
        board.known = True
        board.live = self._link is not None and self._link.state is LinkState.ONLINE
        board.resyncing = False
        self._mute_snapshots(snapshot.direction)
        if same:
            if board.live != was_live:
                self._tell(BoardChange(snapshot.direction))  # only its freshness changed
            return True
        self._save_soon(snapshot.direction)
        self._tell(BoardChange(snapshot.direction, reset=True))
        return True

    def _mute_snapshots(self, direction: Direction) -> None:
        """Central publishes a snapshot with every revision; a device that has one follows the updates and
        asks for a snapshot again only after a gap or a reconnect, so its screen is never reset for nothing
        and a busy board does not cost every device the whole board on every change."""
        if self._link is not None and self._topics is not None:
            self._link.mute(self._topics.site(_TOPIC_KIND[direction]))

    def apply_update(self, update: FlightUpdate) -> bool:
        """Apply ``update`` if it follows the revision held; else re-read the snapshot. True when applied."""
        board = self._boards[update.direction]
        if board.resyncing or not board.known:
            return False  # the snapshot is on its way (central sends one after every update)
        if update.revision <= board.revision:
            return False  # already in the board held (the snapshot overtook it)
        if update.base_revision != board.revision:
            log.info(
                "flights/%s: update %d->%d does not follow revision %s; re-reading the board",
                update.direction,
                update.base_revision,
                update.revision,
                board.revision,
            )
            self._resync(update.direction)
            return False
        if any(flight.direction is not update.direction for flight in update.changed):
            self._malformed.report(TopicKind.FLIGHTS_UPDATE, "central", "a flight on the wrong board")
            return False
        for flight_id in update.removed:
            board.flights.pop(flight_id, None)
        for flight in update.changed:
            board.flights[flight.id] = flight
        board.revision = update.revision
        board.heard_at = self._clock()
        self._save_soon(update.direction)
        self._tell(BoardChange(update.direction, tuple(update.changed), tuple(update.removed)))
        return True

    def close(self) -> None:
        """Write what is not yet on disk."""
        for direction, handle in list(self._pending_save.items()):
            handle.cancel()
            self._save(direction)
        self._pending_save.clear()

    def reload(self) -> list[Direction]:
        """Ask the broker for both retained boards again (``reload_flights``); the boards asked for, none
        when the link is down. ``resyncing`` stays True for each until its board is in."""
        for direction in Direction:
            self._resync(direction)
        return [direction for direction in Direction if self._boards[direction].resyncing]

    def _resync(self, direction: Direction) -> None:
        board = self._boards[direction]
        self.resyncs += 1
        if self._link is None or self._topics is None:
            return
        board.resyncing = self._link.resubscribe(self._topics.site(_TOPIC_KIND[direction]))

    def _link_changed(self, state: LinkState, _detail: str) -> None:
        if state is LinkState.ONLINE:
            return  # live again once the retained snapshots arrive (the link subscribes on connect)
        for direction, board in self._boards.items():
            board.resyncing = False
            if board.live:
                board.live = False
                self._tell(BoardChange(direction))

    def _tell(self, change: BoardChange) -> None:
        for listener in self._listeners:
            try:
                listener(change)
            except Exception:
                log.exception("flight store listener failed")

    # --- the disk ------------------------------------------------------------------------------------

    def _path(self, direction: Direction) -> Path:
        return self._cache_dir / CACHE_FILE.format(direction=direction.value)

    def _load(self, direction: Direction) -> None:
        path = self._path(direction)
        try:
            saved = json.loads(path.read_bytes())
            snapshot = decode(_TOPIC_KIND[direction], json.dumps(saved["board"]).encode())
            heard_at = float(saved["heard_at"])
        except FileNotFoundError:
            return
        except (OSError, ValueError, KeyError, TypeError) as exc:  # MalformedMessage is a ValueError
            log.warning("ignoring the flight cache %s: %s", path, exc)
            return
        if snapshot.direction is not direction:
            log.warning("ignoring the flight cache %s: it holds the %s board", path, snapshot.direction)
            return
        board = self._boards[direction]
        board.flights = {flight.id: flight for flight in snapshot.flights}
        board.revision, board.site, board.tz = snapshot.revision, snapshot.site, snapshot.tz
        board.heard_at, board.known = heard_at, True

    def _save_soon(self, direction: Direction) -> None:
        if direction in self._pending_save:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._save(direction)
            return
        self._pending_save[direction] = loop.call_later(self._save_interval_s, self._save_pending, direction)

    def _save_pending(self, direction: Direction) -> None:
        self._pending_save.pop(direction, None)
        self._save(direction)

    def _save(self, direction: Direction) -> None:
        board = self._boards[direction]
        snapshot = FlightBoard(
            direction=direction,
            revision=max(board.revision, 0),
            flights=list(board.flights.values()),
            site=board.site,
            tz=board.tz,
        )
        data = {"heard_at": board.heard_at, "board": json.loads(snapshot.model_dump_json())}
        path = self._path(direction)
        temporary = path.with_suffix(".tmp")
        try:
            self._cache_dir.mkdir(parents=True, exist_ok=True)
            with temporary.open("w", encoding="utf-8") as file:
                json.dump(data, file, ensure_ascii=False, separators=(",", ":"))
                file.flush()
                os.fsync(file.fileno())
            temporary.replace(path)
        except OSError as exc:  # a full disk (ENOSPC) above all: the screen goes on from memory
            with contextlib.suppress(OSError):
                temporary.unlink()  # the old file was never touched: it stays the last good board
            self.save_failures += 1
            if self.save_failures == 1:  # once, not at every change of a busy board
                log.warning("cannot write the flight cache %s: %s; keeping the last one written", path, exc)
            return
        if self.save_failures:
            log.info("the flight cache is written again (%d writes failed before)", self.save_failures)
            self.save_failures = 0


def _kind_of(topic: str) -> TopicKind | None:
    for kind in (TopicKind.FLIGHTS_DEP, TopicKind.FLIGHTS_ARR, TopicKind.FLIGHTS_UPDATE):
        if topic.endswith("/" + kind.value):
            return kind
    return None


def _direction_of(kind: TopicKind) -> Direction:
    return Direction.DEPARTURES if kind is TopicKind.FLIGHTS_DEP else Direction.ARRIVALS
