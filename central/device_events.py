"""Devices' events as central takes them: each ``(device, seq)`` once, in order; repeats (an event sent again
after its acknowledgement was lost, or one the device's outbox sends again after a reconnect) are dropped,
and gaps (events a device's full outbox dropped, or that went missing) are recorded per device.

An event that was missing and comes late fills its gap: it is taken (late, so after the ones that overtook it)
and no longer counted missing. That happens when a broker acknowledged an event and died before passing it on,
while a later one got through: the device's outbox sends it again after it reconnects."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from bus.codec import MalformedLog, MalformedMessage, decode
from bus.messages.device import DeviceEvent
from bus.topics import TopicKind, Topics

log = logging.getLogger(__name__)

RECENT_EVENTS = 200
"""Events kept per device for the facilities page."""
MAX_DEVICES = 10_000
MAX_GAPS = 64
"""Gaps remembered per device so that a late event can fill one; an older gap is forgotten (still missing)."""

EventListener = Callable[[str, DeviceEvent], None]
GATHER_S = 0.25
"""How long :class:`EventsGathered` holds events before handing them on together."""


@dataclass
class DeviceEventStats:
    """What central knows of one device's events."""

    last_seq: int = -1
    taken: int = 0
    repeats: int = 0
    missing: int = 0
    """Events missing now: gaps in ``seq`` not (yet) filled."""
    filled: int = 0
    """Events that came late and filled a gap."""
    recent: deque[DeviceEvent] = field(default_factory=lambda: deque(maxlen=RECENT_EVENTS))
    gaps: list[tuple[int, int]] = field(default_factory=list)
    """The missing seqs as (first, last) ranges, oldest first, at most :data:`MAX_GAPS`."""

    def add_gap(self, first: int, last: int) -> None:
        self.gaps.append((first, last))
        if len(self.gaps) > MAX_GAPS:
            del self.gaps[0]  # forgotten: its events stay counted missing, and a late one is a repeat

    def fill(self, seq: int) -> bool:
        """Take ``seq`` out of the gaps; False when it was not missing (a repeat)."""
        for index, (first, last) in enumerate(self.gaps):
            if first <= seq <= last:
                # the rest of the range stays missing, in place
                rest = [(a, b) for a, b in ((first, seq - 1), (seq + 1, last)) if a <= b]
                self.gaps[index : index + 1] = rest
                del self.gaps[: max(0, len(self.gaps) - MAX_GAPS)]
                return True
        return False


class DeviceEventLog:
    """Takes ``device/+/event`` messages (a bus handler), once each, in order."""

    def __init__(self, topics: Topics) -> None:
        self._topics = topics
        # parsed once per device's topic, not per event (as FleetState does); bounded: topics come from outside
        self._parse_topic = functools.lru_cache(maxsize=MAX_DEVICES)(topics.parse)
        self._devices: dict[str, DeviceEventStats] = {}
        self._listeners: list[EventListener] = []
        self.malformed = MalformedLog(log)
        self._malformed_by_device: dict[str, int] = {}

    def add_listener(self, listener: EventListener) -> None:
        self._listeners.append(listener)

    def stats(self, device_id: str) -> DeviceEventStats | None:
        return self._devices.get(device_id)

    def malformed_of(self, device_id: str) -> int:
        """How many of ``device_id``'s events were dropped as malformed."""
        return self._malformed_by_device.get(device_id, 0)

    def handle(self, topic: str, payload: bytes) -> None:
        match = self._parse_topic(topic)
        if match is None or match.kind is not TopicKind.DEVICE_EVENT or match.device_id is None:
            return
        device_id = match.device_id
        try:
            event = decode(TopicKind.DEVICE_EVENT, payload)
        except MalformedMessage as exc:
            self.malformed.report(TopicKind.DEVICE_EVENT, device_id, exc.reason[:200])
            counts = self._malformed_by_device
            if device_id not in counts and len(counts) >= MAX_DEVICES:
                counts.clear()  # ids come from the network: start over rather than grow without bound
            counts[device_id] = counts.get(device_id, 0) + 1
            return
        assert isinstance(event, DeviceEvent)
        self.take(device_id, event)

    def take(self, device_id: str, event: DeviceEvent) -> bool:
        """Record ``event`` unless it is a repeat; True when it was new."""
        stats = self._devices.get(device_id)
        if stats is None:
            if len(self._devices) >= MAX_DEVICES:
                return False
            stats = self._devices[device_id] = DeviceEventStats()
        if event.seq <= stats.last_seq:
            if not stats.fill(event.seq):
                stats.repeats += 1
                log.debug("device %s: event %d again, dropped", device_id, event.seq)
                return False
            stats.missing -= 1
            stats.filled += 1
            log.info("device %s: event %d came late, %d missing now", device_id, event.seq, stats.missing)
        else:
            if stats.last_seq >= 0 and event.seq > stats.last_seq + 1:
                gap = event.seq - stats.last_seq - 1
                stats.missing += gap
                stats.add_gap(stats.last_seq + 1, event.seq - 1)
                log.warning(
                    "device %s: %d event(s) missing before %d (%d in all)", device_id, gap, event.seq, stats.missing
                )
            stats.last_seq = event.seq
        stats.taken += 1
        stats.recent.append(event)
        for listener in self._listeners:
            try:
                listener(device_id, event)
            except Exception:
                log.exception("event listener failed on device %s", device_id)
        return True


class EventsGathered:
    """An event listener that hands events on in bursts: what arrives within ``gather_s`` goes to ``send`` in one
    call, in order. For the facilities pages: 2,000 devices send some 200 events a second, and one write to
    each page per event was a wake-up of its stream and a socket write each time (bench.fleet)."""

    def __init__(self, send: Callable[[list[tuple[str, DeviceEvent]]], None], gather_s: float = GATHER_S) -> None:
        self._send = send
        self._gather_s = gather_s
        self._gathered: list[tuple[str, DeviceEvent]] = []
        self._timer: asyncio.TimerHandle | None = None

    def __call__(self, device_id: str, event: DeviceEvent) -> None:
        self._gathered.append((device_id, event))
        if self._timer is None:
            try:
                self._timer = asyncio.get_running_loop().call_later(self._gather_s, self.flush)
            except RuntimeError:  # no loop (taken outside one): nothing to wait on
                self.flush()

    def flush(self) -> None:
        """Hand on what was gathered now."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        gathered, self._gathered = self._gathered, []
        if gathered:
            self._send(gathered)
