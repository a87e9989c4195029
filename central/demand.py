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
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from bus.messages.central import AlertSeverity
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
