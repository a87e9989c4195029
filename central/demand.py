"""Demand alerts: central counts what passengers ask about (a flight searched for or opened, an info point's
page, a call's category) and raises ``demand_surge`` when one topic's count in the recent window is well
above its usual level, then clears it once when it falls back.

The level of a topic is ``recent / max(usual, min_count / factor)``, where ``recent`` is its count in the
last ``window_s`` and ``usual`` is the count a window of that length held on average over the
``baseline_s`` before it. An alert is raised when the level reaches ``factor`` (so never below
``min_count``) and cleared when it falls below ``clear_factor``: the gap between the two is the hysteresis
that keeps a flapping signal from raising and clearing on every look.

:class:`DemandCounter` is pure (the clock is passed in); :class:`DemandWatch` looks at it now and then and
tells an :class:`AlertSink`; :class:`BookAlertSink` hands them to central's alert book, which publishes
them on ``{root}/alert``.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from bus.codec import MalformedLog
from bus.messages.central import AlertSeverity
from bus.messages.device import DeviceEvent
from bus.messages.flights import FlightBoard
from central.alerts.book import AlertSink as AlertBookSink
from central.switchboard.model import CallRecord
from central.switchboard.store import CallStore
from config.background import stop_task

log = logging.getLogger(__name__)

KIND = "demand_surge"
MAX_TOPICS = 5000  # topics come from bounded sets (points, flights on the boards, categories); a cap anyway
_UNSAFE = re.compile(r"[^A-Za-z0-9_.:-]")


@dataclass(frozen=True)
class DemandSettings:
    window_s: float
    baseline_s: float
    factor: float
    clear_factor: float
    min_count: int


@dataclass(frozen=True)
class Surge:
    """One topic in demand: its count in the window beside the usual count for a window that long."""

    topic: str
    recent: int
    usual: float

    @property
    def alert_id(self) -> str:
        return alert_id(self.topic)

    def message(self) -> str:
        return f"demand for {self.topic}: {self.recent} in the window, usually {self.usual:.1f}"


def alert_id(topic: str) -> str:
    """``demand_surge:<topic>``, with characters an alert id may not hold replaced."""
    return f"{KIND}:{_UNSAFE.sub('_', topic)}"[:128]


class AlertSink(Protocol):
    """Where raised and cleared alerts go (the bus; later the general alert book as well)."""

    def raised(self, surge: Surge) -> None: ...

    def cleared(self, alert_id: str) -> None: ...


class DemandCounter:
    """Counts per topic in one-second buckets and decides, at each look, which alerts rise and which clear."""

    def __init__(self, settings: DemandSettings) -> None:
        self.settings = settings
        self._buckets: dict[str, deque[list[int]]] = {}  # topic -> [second, count], oldest first
        self._active: dict[str, Surge] = {}

    def count(self, topic: str, now: float, n: int = 1) -> None:
        buckets = self._buckets.get(topic)
        if buckets is None:
            if len(self._buckets) >= MAX_TOPICS:
                return
            buckets = self._buckets[topic] = deque()
        second = int(now)
        if buckets and buckets[-1][0] == second:
            buckets[-1][1] += n
        else:
            buckets.append([second, n])

    @property
    def active(self) -> list[Surge]:
        """The topics in surge now, the highest first."""
        return sorted(self._active.values(), key=lambda surge: -surge.recent)

    def look(self, now: float) -> tuple[list[Surge], list[str]]:
        """The surges that start now and the alert ids that end now; each is reported once."""
        s = self.settings
        window_start = now - s.window_s
        baseline_start = window_start - s.baseline_s
        floor = s.min_count / s.factor
        started: list[Surge] = []
        ended: list[str] = []
        for topic in list(self._buckets):
            buckets = self._buckets[topic]
            while buckets and buckets[0][0] < baseline_start:
                buckets.popleft()
            recent = sum(count for second, count in buckets if second > window_start)
            before = sum(count for second, count in buckets if second <= window_start)
            usual = before * s.window_s / s.baseline_s
            level = recent / max(usual, floor)
            if topic in self._active:
                if level < s.clear_factor:
                    ended.append(self._active.pop(topic).alert_id)
                else:
                    self._active[topic] = Surge(topic, recent, usual)
            elif level >= s.factor:
                surge = Surge(topic, recent, usual)
                self._active[topic] = surge
                started.append(surge)
            if not buckets and topic not in self._active:
                del self._buckets[topic]
        return started, ended


class DemandWatch:
    """Counts topics as they come and looks every ``check_s``, telling the sink what rose and what fell."""

    def __init__(self, counter: DemandCounter, sink: AlertSink, clock: Callable[[], float], check_s: float) -> None:
        self.counter = counter
        self._sink = sink
        self._clock = clock
        self._check_s = check_s
        self._task: asyncio.Task[None] | None = None

    def count(self, topic: str) -> None:
        self.counter.count(topic, self._clock())

    def look(self) -> None:
        started, ended = self.counter.look(self._clock())
        for surge in started:
            log.warning("demand surge raised: %s", surge.message())
            self._sink.raised(surge)
        for id_ in ended:
            log.info("demand surge cleared: %s", id_)
            self._sink.cleared(id_)

    def view(self) -> dict[str, object]:
        """The current surges, for the wallboard (``GET /api/demand``)."""
        alerts = [
            {"id": surge.alert_id, "topic": surge.topic, "recent": surge.recent, "usual": round(surge.usual, 1)}
            for surge in self.counter.active
        ]
        return {"window_s": self.counter.settings.window_s, "alerts": alerts}

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="demand-watch")

    async def stop(self) -> None:
        await stop_task(self._task)
        self._task = None

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._check_s)
            self.look()


class BookAlertSink:
    """Hands demand surges to central's alert book, which publishes them on ``{root}/alert`` (holding them
    while the bus is down), lists them on the facilities page with an acknowledge button, and posts them to
    the webhook, as it does the fleet's own alerts."""

    def __init__(self, book: AlertBookSink) -> None:
        self._book = book

    def raised(self, surge: Surge) -> None:
        self._book.raised(surge.alert_id, KIND, AlertSeverity.WARNING, None, surge.message())

    def cleared(self, alert_id: str) -> None:
        self._book.cleared(alert_id)


class CategoriesCounted:
    """A call store that passes everything through and counts each call's category, once per call, as the
    agent records it (``category:<name>``): many calls about one thing is demand too."""

    MAX_REMEMBERED = 10_000

    def __init__(self, store: CallStore, count: Callable[[str], None]) -> None:
        self._store = store
        self._count = count
        self._counted: deque[str] = deque(maxlen=self.MAX_REMEMBERED)

    def save(self, record: CallRecord) -> None:
        self._store.save(record)
        if record.category and record.call_id not in self._counted:
            self._counted.append(record.call_id)
            self._count(f"category:{record.category}")

    def get(self, call_id: str) -> CallRecord | None:
        return self._store.get(call_id)

    def arrived_between(self, start: float, end: float) -> list[CallRecord]:
        return self._store.arrived_between(start, end)

    def recent_handled(self, skill: str, limit: int) -> list[CallRecord]:
        return self._store.recent_handled(skill, limit)

    def close(self) -> None:
        self._store.close()


LOOKED_UP = "flights.looked_up"
LOOKED_UP_MAX_FLIGHTS = 3  # a kiosk sends the flights of one detail or of a search that settled on at most 3
DEVICE_FLIGHTS_PER_MINUTE = 60  # twice what a kiosk itself lets through: more is a device gone wrong
_FLIGHT_NUMBER = re.compile(r"[A-Z0-9]{2,3}[0-9]{1,4}[A-Z]?")  # as bus.messages.flights.Flight.number


class BoardNumbers:
    """Whether a flight number is on the boards as last published, so made-up numbers make no topics. The
    set is rebuilt only when a board's revision moves."""

    def __init__(self, boards: Callable[[], Sequence[FlightBoard]]) -> None:
        self._boards = boards
        self._revisions: tuple[tuple[str, int], ...] = ()
        self._numbers: frozenset[str] = frozenset()

    def __call__(self, number: str) -> bool:
        boards = self._boards()
        revisions = tuple((board.direction.value, board.revision) for board in boards)
        if revisions != self._revisions:
            self._revisions = revisions
            self._numbers = frozenset(flight.number for board in boards for flight in board.flights)
        return number in self._numbers


class KioskLookupsCounted:
    """A listener on central's device event log: each flight in a kiosk's ``flights.looked_up`` event is
    demand for it (``flight:<number>``), as a search on a point page is.

    A device is trusted no further than the bus is: an event with no list of flight numbers, with more than
    :data:`LOOKED_UP_MAX_FLIGHTS` or with one that is no flight number is refused whole; a device that
    reports more than :data:`DEVICE_FLIGHTS_PER_MINUTE` flights a minute has the rest dropped. Either is
    logged once per device (``MalformedLog``), then at DEBUG."""

    MAX_DEVICES = 10_000

    def __init__(
        self, count: Callable[[str], None], on_board: Callable[[str], bool], clock: Callable[[], float]
    ) -> None:
        self._count = count
        self._on_board = on_board
        self._clock = clock
        self._recent: dict[str, deque[float]] = {}  # device -> when its last counted flights came
        self.refused = MalformedLog(log)

    def __call__(self, device_id: str, event: DeviceEvent) -> None:
        if event.name != LOOKED_UP:
            return
        flights = event.data.get("flights")
        if not isinstance(flights, list) or not flights:
            self.refused.report(f"event {LOOKED_UP}", device_id, "flights: not a list of flight numbers")
            return
        if len(flights) > LOOKED_UP_MAX_FLIGHTS:
            self.refused.report(
                f"event {LOOKED_UP}", device_id, f"flights: {len(flights)} of them, at most {LOOKED_UP_MAX_FLIGHTS}"
            )
            return
        if not all(isinstance(number, str) and _FLIGHT_NUMBER.fullmatch(number) for number in flights):
            self.refused.report(f"event {LOOKED_UP}", device_id, "flights: not all flight numbers")
            return
        numbers = [number for number in dict.fromkeys(flights) if self._on_board(number)]
        for number in numbers[: self._room(device_id, len(numbers))]:
            self._count(f"flight:{number}")

    def _room(self, device_id: str, wanted: int) -> int:
        """How many of ``wanted`` flights this device may still have counted this minute (and takes them)."""
        now = self._clock()
        recent = self._recent.get(device_id)
        if recent is None:
            if len(self._recent) >= self.MAX_DEVICES:
                self._recent.clear()  # device ids come from the network: forget them all rather than grow
            recent = self._recent[device_id] = deque()
        while recent and recent[0] <= now - 60:
            recent.popleft()
        room = max(0, min(wanted, DEVICE_FLIGHTS_PER_MINUTE - len(recent)))
        if room < wanted:
            self.refused.report(
                f"event {LOOKED_UP}", device_id, f"more than {DEVICE_FLIGHTS_PER_MINUTE} flights a minute"
            )
        recent.extend(now for _ in range(room))
        return room
