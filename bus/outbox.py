"""The device's outbox: events wait in SQLite until the broker has acknowledged them (PUBACK), and go out
in order, after every reconnect too, so nothing is lost while the broker or the network is away, or the
app restarts in between.

An acknowledged event moves to a second table, ``sent``, and is kept there a while (the last
:data:`KEEP_ACKED_S` seconds' worth, at most about :data:`KEEP_ACKED` of them) to be sent again, first, after
every reconnect: a broker that acknowledged it and died before passing it on (a cluster node SIGKILLed, a
Mosquitto without persistence restarted) would otherwise lose it. Resending after any reconnect, not only after
a move to another broker, is simpler and closes the same window on a single broker; the cost is the repeats,
which receivers drop (docs/scale-out.md). The ``outbox`` table keeps its meaning: the events still waiting.

Each event gets the next per-device ``seq`` (kept in the same file, so it survives restarts); receivers
drop repeats by ``(device, seq)``, since an event whose acknowledgement was lost with a connection is sent
again. The outbox is bounded: when full, the oldest events go and an ``outbox.dropped`` event says how many;
:meth:`Outbox.drop_oldest_beyond` does the same on demand (a disk running out of room).

A disk too full to take an event does not lose it: it waits in memory (at most ``HELD_MAX``, in order, not
numbered yet) and is stored at the next event or :meth:`Outbox.store_held` once there is room; beyond the
bound the oldest held go, counted in an ``outbox.dropped`` notice stored ahead of the rest.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import sqlite3
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path

from bus.link import BusLink, Publication

log = logging.getLogger(__name__)

MAX_EVENTS = 10_000
WINDOW = 100
"""Events sent and not yet acknowledged at once."""
HELD_MAX = 1000
"""Events kept in memory while the disk cannot take them (a few hundred bytes each)."""
KEEP_ACKED_S = 60.0
"""How long an acknowledged event is kept to be sent again after a reconnect: a broker passes an event on within
milliseconds, so this covers a node's death with a wide margin, and at the fleet's rate (an event every 10 s)
it is a handful of repeats per reconnect."""
KEEP_ACKED = 1000
"""At most this many acknowledged events are kept (the newest), whatever their age: a burst stays bounded."""
PRUNE_EVERY_S = 1.0
PRUNE_AFTER = KEEP_ACKED // 10
"""Kept events are pruned once a second or after this many acknowledgements: at most 10% over the bound."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY, payload BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS counter (one INTEGER PRIMARY KEY CHECK (one = 1), last_seq INTEGER NOT NULL);
INSERT OR IGNORE INTO counter VALUES (1, -1);
CREATE TABLE IF NOT EXISTS sent (seq INTEGER PRIMARY KEY, payload BLOB NOT NULL, acked_at REAL NOT NULL);
"""

PayloadOf = Callable[[int], bytes]
"""Builds an event's payload for its ``seq``."""
DroppedNotice = Callable[[int, int, int], bytes]
"""Builds the payload that says events were dropped: (its seq, how many now, how many in all)."""


class OutboxFull(RuntimeError):
    """The disk could not take the change (it is full); the stored events are intact."""


class Outbox:
    """Events for one topic, stored until acknowledged; call :meth:`start` once the loop runs."""

    def __init__(
        self,
        path: Path,
        link: BusLink,
        topic: str,
        max_events: int = MAX_EVENTS,
        window: int = WINDOW,
        dropped_notice: DroppedNotice | None = None,
    ) -> None:
        self._db = sqlite3.connect(str(path), isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        # WAL with NORMAL never corrupts the file; a power cut may lose the last few ms of events, which is
        # the price of not waiting for the disk at every event (7x slower, measured by bench.outbox)
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self._link = link
        self._topic = topic
        self._max_events = max_events
        self._window = window
        self._dropped_notice = dropped_notice
        self._in_flight: set[int] = set()
        self._acked: list[int] = []  # acknowledged, moved to ``sent`` at the end of the loop's turn, together
        self._keep_acked_s = KEEP_ACKED_S
        self._keep_acked = KEEP_ACKED
        self._pruned_at = 0.0
        self._acked_since_prune = 0
        # after a reconnect, the kept acknowledged events from this seq on go again first (None: all on their way)
        self._resend_from: int | None = -1
        self._next_to_send = -1  # the lowest seq not yet sent on this connection (-1: from the oldest)
        self.dropped = 0
        self.failed = 0
        """Events lost because the disk stayed full while more than ``HELD_MAX`` waited in memory."""
        self._held: deque[PayloadOf] = deque()  # not stored yet (disk full), oldest first
        self._held_lost = 0  # lost from the held, not yet told in a notice
        self._holding = False  # the disk refused an event, and some still wait
        self._closed = False

    def start(self) -> None:
        self._link.add_connected_listener(self._reconnected)
        self.pump()

    def close(self) -> None:
        self._closed = True  # an acknowledgement already on its way to the loop finds nothing to do
        self._db.close()

    def __len__(self) -> int:
        """Events waiting for their acknowledgement (the kept acknowledged ones are not counted)."""
        return int(self._db.execute("SELECT count(*) FROM outbox").fetchone()[0])

    @property
    def held(self) -> int:
        """Events waiting in memory for room on the disk."""
        return len(self._held)

    @property
    def kept_acked(self) -> int:
        """Acknowledged events kept to be sent again after a reconnect."""
        return int(self._db.execute("SELECT count(*) FROM sent").fetchone()[0])

    def add(self, payload_of: PayloadOf) -> int | None:
        """Store the next event (its payload built for its new ``seq``), then send what can be sent; the seq,
        or None when the disk is full and the event waits in memory (stored later, in order).

        When full, the oldest events make room, and (with a ``dropped_notice``) a notice of how many went
        is stored just before the new event, in the same transaction."""
        self._held.append(payload_of)
        stored = self.store_held()
        if not self._held:
            return stored
        if len(self._held) > HELD_MAX:  # the disk is still full
            self._held.popleft()
            self.failed += 1
            self._held_lost += 1
            if self._held_lost == 1:
                log.error("outbox: %d events wait in memory; the oldest are lost from now on", HELD_MAX)
        return None

    def store_held(self) -> int | None:
        """Store the events waiting in memory, oldest first, as far as the disk takes them; the last seq."""
        seq: int | None = None
        while self._held:
            try:
                seq = self._store(self._held[0])
            except sqlite3.OperationalError as exc:
                if not self._holding:  # once per spell of a full disk, not at every event
                    log.error("outbox: the disk takes no events (%s); they wait in memory, %d at most", exc, HELD_MAX)
                self._holding = True
                break
            self._held.popleft()
            if not self._held and self._holding:
                self._holding = False
                log.info("outbox: the disk takes events again; the held ones are stored, up to seq %d", seq)
        self.pump()
        return seq

    def _store(self, payload_of: PayloadOf) -> int:
        notice = self._dropped_notice
        lost = self._held_lost if notice is not None else 0
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            over = self._over(len(self) + 1 - self._max_events)
            if over > 0:
                self._drop_in_transaction(over)
            if lost and notice is not None:  # held events the disk never took: said ahead of the rest
                notice_seq = self._next_seq()
                payload = notice(notice_seq, lost, self.dropped + max(over, 0) + lost)
                self._db.execute("INSERT INTO outbox (seq, payload) VALUES (?, ?)", (notice_seq, payload))
            seq = self._next_seq()
            self._db.execute("INSERT INTO outbox (seq, payload) VALUES (?, ?)", (seq, payload_of(seq)))
        self._held_lost = 0
        self.dropped += lost
        if over > 0:
            self.dropped += over
            log.warning(
                "outbox full (%d events): the %d oldest dropped, %d in all", self._max_events, over, self.dropped
            )
        return seq

    def drop_oldest_beyond(self, keep: int) -> int:
        """Drop the oldest events so that at most ``keep`` stay (the ``outbox.dropped`` notice among them), as
        the bound does when full; how many went. For a disk running out: events are staff's, not passengers'.

        Raises :class:`OutboxFull` when even the deletion cannot be written (nothing is dropped then)."""
        if keep < 1:
            raise ValueError("keep at least one event (the notice of the dropped ones)")
        try:
            with self._db:
                self._db.execute("BEGIN IMMEDIATE")
                self._db.execute("DELETE FROM sent")  # delivered already, kept only in case: they go first
                over = self._over(len(self) - keep)
                if over > 0:
                    self._drop_in_transaction(over)
        except sqlite3.OperationalError as exc:
            log.error("outbox: the oldest events could not be dropped (%s)", exc)
            raise OutboxFull(str(exc)) from exc
        if over > 0:
            self.dropped += over
            log.warning("outbox trimmed to %d events: the %d oldest dropped, %d in all", keep, over, self.dropped)
            with contextlib.suppress(sqlite3.Error):
                # the freed pages are reused by later events; the write-ahead log gives its space back now
                self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return max(over, 0)

    def _over(self, over: int) -> int:
        """How many to delete for ``over`` too many, counting room for the notice."""
        if over > 0 and self._dropped_notice is not None:
            return over + 1
        return over

    def _drop_in_transaction(self, over: int) -> None:
        self._db.execute("DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox ORDER BY seq LIMIT ?)", (over,))
        if self._dropped_notice is not None:
            notice_seq = self._next_seq()
            notice = self._dropped_notice(notice_seq, over, self.dropped + over)
            self._db.execute("INSERT INTO outbox (seq, payload) VALUES (?, ?)", (notice_seq, notice))

    def _next_seq(self) -> int:
        return int(self._db.execute("UPDATE counter SET last_seq = last_seq + 1 RETURNING last_seq").fetchone()[0])

    def pump(self) -> None:
        """Send stored events in order while fewer than ``window`` await their acknowledgement (after a reconnect,
        the kept acknowledged ones first)."""
        room = self._window - len(self._in_flight)
        if room <= 0 or self._closed:
            return
        if self._resend_from is not None:
            rows = self._db.execute(
                "SELECT seq, payload FROM sent WHERE seq >= ? ORDER BY seq LIMIT ?", (self._resend_from, room)
            ).fetchall()
            if len(rows) < room:
                self._resend_from = None  # every kept one is on its way: the waiting ones next
            if rows:
                self._send(rows, kept=True)
                room = self._window - len(self._in_flight)
                if room <= 0 or self._resend_from is not None:
                    return
        rows = self._db.execute(
            "SELECT seq, payload FROM outbox WHERE seq >= ? ORDER BY seq LIMIT ?", (self._next_to_send, room)
        ).fetchall()
        self._send(rows, kept=False)

    def _send(self, rows: list[tuple[int, bytes]], kept: bool) -> None:
        for row in rows:
            seq, payload = int(row[0]), bytes(row[1])
            on_ack = functools.partial(self._ack_kept if kept else self._ack, seq)
            if not self._link.publish_acked(Publication(self._topic, payload, qos=1), on_ack):
                return  # the link is down: everything stored goes again after the next connect
            self._in_flight.add(seq)
            if kept:
                self._resend_from = None if self._resend_from is None else seq + 1
            else:
                self._next_to_send = seq + 1

    def _ack(self, seq: int) -> None:
        if not self._acked:
            asyncio.get_running_loop().call_soon(self._forget_acked)
        self._acked.append(seq)
        self._in_flight.discard(seq)

    def _ack_kept(self, seq: int) -> None:
        # a kept event acknowledged again: it stays kept until its first acknowledgement is old enough
        self._in_flight.discard(seq)
        self.pump()

    def _forget_acked(self) -> None:
        # one transaction for every acknowledgement of this turn; a crash before it only means repeats,
        # which receivers drop by seq
        if self._closed:  # acknowledged as the app stopped: sent again (and dropped as repeats) next start
            return
        acked, self._acked = self._acked, []
        now = time.time()  # wall clock: the kept events' ages must hold across a restart of the app
        seqs = [(seq,) for seq in acked]
        try:
            with self._db:
                self._db.executemany(
                    "INSERT OR IGNORE INTO sent SELECT seq, payload, ? FROM outbox WHERE seq = ?",
                    [(now, seq) for seq in acked],
                )
                self._db.executemany("DELETE FROM outbox WHERE seq = ?", seqs)
                self._acked_since_prune += len(acked)
                if self._acked_since_prune >= PRUNE_AFTER or not 0 <= now - self._pruned_at < PRUNE_EVERY_S:
                    self._prune(now)
        except sqlite3.Error as exc:
            log.warning("outbox: %d sent events not forgotten (%s); they will be sent again", len(acked), exc)
        self.pump()

    def _prune(self, now: float) -> None:
        """Forget kept events older than the keeping time, or beyond the newest that many."""
        self._pruned_at = now
        self._acked_since_prune = 0
        self._db.execute(
            "DELETE FROM sent WHERE acked_at < ? OR seq <= (SELECT seq FROM sent ORDER BY seq DESC LIMIT 1 OFFSET ?)",
            (now - self._keep_acked_s, self._keep_acked),
        )

    def _reconnected(self) -> None:
        # acknowledgements still owed died with the old connection: send every stored event again, in order,
        # the recently acknowledged ones first (the broker that took them may have died before passing them on)
        self._in_flight.clear()
        self._resend_from = -1
        self._next_to_send = -1
        self.pump()
