"""Devices' events as central takes them: each ``(device, seq)`` once, in order; repeats (an event sent again
after its acknowledgement was lost, or one the device's outbox sends again after a reconnect) are dropped,
and gaps (events a device's full outbox dropped, or that went missing) are recorded per device.

An event that was missing and comes late fills its gap: it is taken (late, so after the ones that overtook it)
and no longer counted missing. That happens when a broker acknowledged an event and died before passing it on,
while a later one got through: the device's outbox sends it again after it reconnects.

With :meth:`DeviceEventLog.keep_in`, what dedupe needs (each device's highest seq taken, its gaps and counts)
is written to central's store as each new event is taken, before central acknowledges it, and read back at
start (central/event_seqs.py): the minute of events every device sends again after a reconnect is dropped as
repeats after central's own restart too."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from bus.codec import MalformedLog, MalformedMessage, decode
from bus.messages.device import DeviceEvent
from bus.outbox import KEEP_ACKED, MAX_EVENTS
from bus.topics import TopicKind, Topics
from central.event_seqs import WRITE_ERRORS, EventSeqs, SeqMarks

log = logging.getLogger(__name__)

RECENT_EVENTS = 200
"""Events kept per device for the facilities page."""
MAX_DEVICES = 10_000
MAX_GAPS = 64
"""Gaps remembered per device so that a late event can fill one; an older gap is forgotten (still missing)."""

RESEND_REACH = 2 * (MAX_EVENTS + KEEP_ACKED)
"""How far below a device's highest seq an event may come again: its outbox keeps at most ``MAX_EVENTS`` waiting
and about ``KEEP_ACKED`` acknowledged (doubled for margin). One further below cannot be a repeat: the device
numbers anew (its outbox file was lost: a new card, a reinstall), and its events are taken from there; without
this, now that the seqs outlive central's restarts, they would be dropped as repeats until they caught up."""

EventListener = Callable[[str, DeviceEvent], None]
GATHER_S = 0.25
"""How long :class:`EventsGathered` holds events before handing them on together."""


@dataclass
class DeviceEventStats:
    """What central knows of one device's events."""

    last_seq: int = -1
    taken: int = 0
    repeats: int = 0
    found_missing: int = 0
    """Events found missing (gaps in ``seq``) so far; only grows, as a counter must."""
    filled: int = 0
    """Events that came late and filled a gap; only grows."""
    just_found: int = 0
    """Events found missing just before the event taken last (0 when it opened no gap)."""
    recent: deque[DeviceEvent] = field(default_factory=lambda: deque(maxlen=RECENT_EVENTS))
    gaps: list[tuple[int, int]] = field(default_factory=list)
    """The missing seqs as (first, last) ranges, oldest first, at most :data:`MAX_GAPS`."""

    @property
    def missing(self) -> int:
        """Events missing now: found missing and not (yet) filled."""
        return self.found_missing - self.filled

    def marks(self) -> SeqMarks:
        """What is kept of these across central's restarts."""
        return SeqMarks(self.last_seq, tuple(self.gaps), self.taken, self.repeats, self.found_missing, self.filled)

    @classmethod
    def from_marks(cls, marks: SeqMarks) -> DeviceEventStats:
        return cls(
            last_seq=marks.last_seq,
            taken=marks.taken,
            repeats=marks.repeats,
            found_missing=marks.found_missing,
            filled=marks.filled,
            gaps=list(marks.gaps),
        )

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
        self._seqs: EventSeqs | None = None
        self._unsaved: set[str] = set()  # devices whose row the store refused (a full disk): written again later
        self._repeats_unsaved: set[str] = set()  # only their repeat counts changed: written with their next event
        self._taken_unsaved: set[str] = set()  # taken since the last read's end (when saved once per read)
        self._save_per_read = False

    def keep_in(self, seqs: EventSeqs, before_acks: Callable[[Callable[[], None]], None] | None = None) -> None:
        """Read back what ``seqs`` kept (central restarted), and keep each change there from now on: at each
        event, or, given ``before_acks`` (the link's :meth:`~bus.loop_link.LoopLink.add_before_acks`), once per
        read of the bus, before its acknowledgements go out: one transaction for the events of a read (at the
        fleet's rate a write per event was some 100 µs each)."""
        for device_id, marks in seqs.load().items():
            self._devices[device_id] = DeviceEventStats.from_marks(marks)
        self._seqs = seqs
        if before_acks is not None:
            self._save_per_read = True
            before_acks(self._save_taken)
        if self._devices:
            log.info("dedupe of device events read back for %d devices", len(self._devices))

    @property
    def unsaved(self) -> int:
        """Devices whose latest changes the store refused (a full disk), kept in memory until it takes them."""
        return len(self._unsaved)

    def flush(self) -> None:
        """Write every change not written yet (repeat counts, rows the store refused); before closing the store."""
        devices, self._taken_unsaved = self._taken_unsaved | self._repeats_unsaved, set()
        self._save(devices)

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
        stats.just_found = 0
        if event.seq < stats.last_seq - RESEND_REACH:
            log.warning(
                "device %s: event %d is beyond any resend of %d: it numbers its events anew (outbox file lost?)",
                device_id,
                event.seq,
                stats.last_seq,
            )
            stats.last_seq = -1  # its old gaps can no longer be filled: their events stay counted missing
            stats.gaps.clear()
        if event.seq <= stats.last_seq:
            if not stats.fill(event.seq):
                stats.repeats += 1
                self._repeats_unsaved.add(device_id)  # not worth a write of its own: a reconnect brings a minute
                log.debug("device %s: event %d again, dropped", device_id, event.seq)
                return False
            stats.filled += 1
            log.info("device %s: event %d came late, %d missing now", device_id, event.seq, stats.missing)
        else:
            if stats.last_seq >= 0 and event.seq > stats.last_seq + 1:
                gap = event.seq - stats.last_seq - 1
                stats.found_missing += gap
                stats.just_found = gap
                stats.add_gap(stats.last_seq + 1, event.seq - 1)
                log.warning(
                    "device %s: %d event(s) missing before %d (%d now)", device_id, gap, event.seq, stats.missing
                )
            stats.last_seq = event.seq
        stats.taken += 1
        stats.recent.append(event)
        if self._save_per_read:
            self._taken_unsaved.add(device_id)  # written before this read's PUBACKs go out
        else:
            self._save({device_id})  # before the listeners, and before central's PUBACK goes out after this handler
        for listener in self._listeners:
            try:
                listener(device_id, event)
            except Exception:
                log.exception("event listener failed on device %s", device_id)
        return True

    def _save_taken(self) -> None:
        if self._taken_unsaved:
            devices, self._taken_unsaved = self._taken_unsaved, set()
            self._save(devices)

    def gap_counts(self) -> dict[str, tuple[int, int]]:
        """Per device with events: (events found missing, events that filled a gap late), both only growing."""
        return {device_id: (stats.found_missing, stats.filled) for device_id, stats in self._devices.items()}

    def _save(self, devices: set[str]) -> None:
        seqs = self._seqs
        if seqs is None:
            return
        devices |= self._unsaved
        try:
            seqs.save((device_id, self._devices[device_id].marks()) for device_id in sorted(devices))
        except WRITE_ERRORS as exc:
            if not self._unsaved:  # once per spell of a refusing store, not at every event
                log.error("device events' seqs not written (%s); kept in memory and written at the next event", exc)
            self._unsaved = devices
            return
        if self._unsaved:
            log.info("device events' seqs written again, %d devices' kept in memory", len(self._unsaved))
            self._unsaved = set()
        self._repeats_unsaved -= devices


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
