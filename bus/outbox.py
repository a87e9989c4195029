"""The device's outbox: events wait in SQLite until the broker has acknowledged them (PUBACK), and go out
in order, after every reconnect too, so nothing is lost while the broker or the network is away, or the
app restarts in between.

An acknowledged event is kept a while longer (the last :data:`KEEP_ACKED_S` seconds' worth, at most
:data:`KEEP_ACKED` of them) and sent again after every reconnect: a broker that acknowledged it and died
before passing it on (a cluster node SIGKILLed, a Mosquitto without persistence restarted) would otherwise
lose it. Resending after any reconnect, not only after a move to another broker, is simpler and closes the
same window on a single broker; the cost is the repeats, which receivers drop (docs/scale-out.md).

Each event gets the next per-device ``seq`` (kept in the same file, so it survives restarts); receivers
drop repeats by ``(device, seq)``, since an event whose acknowledgement was lost with a connection is sent
again. The outbox is bounded: when full, the oldest events go and an ``outbox.dropped`` event says how many;
:meth:`Outbox.drop_oldest_beyond` does the same on demand (a disk running out of room).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from bus.link import BusLink, Publication

log = logging.getLogger(__name__)

MAX_EVENTS = 10_000
WINDOW = 100
"""Events sent and not yet acknowledged at once."""
KEEP_ACKED_S = 60.0
"""How long an acknowledged event is kept to be sent again after a reconnect: a broker passes an event on
within milliseconds, so this covers a node's death with a wide margin, and at the fleet's rate (an event
every 10 s) it is a handful of repeats per reconnect."""
KEEP_ACKED = 1000
"""At most this many acknowledged events are kept (the newest), whatever their age: a burst stays bounded."""
PRUNE_EVERY_S = 1.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY, payload BLOB NOT NULL, acked_at REAL);
CREATE TABLE IF NOT EXISTS counter (one INTEGER PRIMARY KEY CHECK (one = 1), last_seq INTEGER NOT NULL);
INSERT OR IGNORE INTO counter VALUES (1, -1);
"""

PayloadOf = Callable[[int], bytes]
"""Builds an event's payload for its ``seq``."""
DroppedNotice = Callable[[int, int, int], bytes]
"""Builds the payload that says events were dropped: (its seq, how many now, how many in all)."""


class OutboxFull(RuntimeError):
    """The event could not be stored (the disk is full): it is lost, the stored ones are intact."""


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
        _add_acked_column(self._db)
        self._link = link
        self._topic = topic
        self._max_events = max_events
        self._window = window
        self._dropped_notice = dropped_notice
        self._in_flight: set[int] = set()
        self._acked: list[int] = []  # acknowledged, marked so at the end of the loop's turn, together
        self._pruned_at = 0.0
        self._keep_acked_s = KEEP_ACKED_S
        self._keep_acked = KEEP_ACKED
        self._next_to_send = -1  # the lowest seq not yet sent on this connection (-1: from the oldest)
        self.dropped = 0
        self.failed = 0

    def start(self) -> None:
        self._link.add_connected_listener(self._reconnected)
        self.pump()

    def close(self) -> None:
        self._db.close()

    def __len__(self) -> int:
        """Events not yet acknowledged (the ones kept after their acknowledgement are not counted)."""
        return int(self._db.execute("SELECT count(*) FROM outbox WHERE acked_at IS NULL").fetchone()[0])

    @property
    def kept_acked(self) -> int:
        """Acknowledged events kept to be sent again after a reconnect."""
        return int(self._db.execute("SELECT count(*) FROM outbox WHERE acked_at IS NOT NULL").fetchone()[0])

    def add(self, payload_of: PayloadOf) -> int:
        """Store the next event (its payload built for its new ``seq``), then send what can be sent; the seq.

        When full, the oldest events make room, and (with a ``dropped_notice``) a notice of how many went
        is stored just before the new event, in the same transaction."""
        try:
            with self._db:
                self._db.execute("BEGIN IMMEDIATE")
                over = self._over(len(self) + 1 - self._max_events)
                if over > 0:
                    self._drop_in_transaction(over)
                seq = self._next_seq()
                self._db.execute("INSERT INTO outbox (seq, payload) VALUES (?, ?)", (seq, payload_of(seq)))
        except sqlite3.OperationalError as exc:
            self.failed += 1
            log.error("outbox: event not stored (%s); %d lost so far, stored events intact", exc, self.failed)
            raise OutboxFull(str(exc)) from exc
        if over > 0:
            self.dropped += over
            log.warning(
                "outbox full (%d events): the %d oldest dropped, %d in all", self._max_events, over, self.dropped
            )
        self.pump()
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
                self._db.execute("DELETE FROM outbox WHERE acked_at IS NOT NULL")  # delivered already: go first
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
        self._db.execute(
            "DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox WHERE acked_at IS NULL ORDER BY seq LIMIT ?)",
            (over,),
        )
        if self._dropped_notice is not None:
            notice_seq = self._next_seq()
            notice = self._dropped_notice(notice_seq, over, self.dropped + over)
            self._db.execute("INSERT INTO outbox (seq, payload) VALUES (?, ?)", (notice_seq, notice))

    def _next_seq(self) -> int:
        return int(self._db.execute("UPDATE counter SET last_seq = last_seq + 1 RETURNING last_seq").fetchone()[0])

    def pump(self) -> None:
        """Send stored events in order while fewer than ``window`` await their acknowledgement."""
        room = self._window - len(self._in_flight)
        if room <= 0:
            return
        rows = self._db.execute(
            "SELECT seq, payload FROM outbox WHERE seq >= ? ORDER BY seq LIMIT ?", (self._next_to_send, room)
        ).fetchall()
        for row in rows:
            seq, payload = int(row[0]), bytes(row[1])
            if not self._link.publish_acked(
                Publication(self._topic, payload, qos=1), functools.partial(self._ack, seq)
            ):
                return  # the link is down: everything stored goes again after the next connect
            self._in_flight.add(seq)
            self._next_to_send = seq + 1

    def _ack(self, seq: int) -> None:
        if not self._acked:
            asyncio.get_running_loop().call_soon(self._forget_acked)
        self._acked.append(seq)
        self._in_flight.discard(seq)

    def _forget_acked(self) -> None:
        # one transaction for every acknowledgement of this turn; a crash before it only means repeats,
        # which receivers drop by seq
        acked, self._acked = self._acked, []
        now = time.time()  # wall clock: the kept events' ages must survive a restart of the app
        try:
            with self._db:
                self._db.executemany("UPDATE outbox SET acked_at = ? WHERE seq = ?", [(now, seq) for seq in acked])
                if now - self._pruned_at >= PRUNE_EVERY_S or now < self._pruned_at:
                    self._prune(now)
        except sqlite3.Error as exc:
            log.warning("outbox: %d sent events not marked (%s); they will be sent again", len(acked), exc)
        self.pump()

    def _prune(self, now: float) -> None:
        """Forget acknowledged events older than the keeping time, or beyond the newest that many."""
        self._pruned_at = now
        self._db.execute(
            "DELETE FROM outbox WHERE acked_at IS NOT NULL AND (acked_at < ? OR seq <= "
            "(SELECT seq FROM outbox WHERE acked_at IS NOT NULL ORDER BY seq DESC LIMIT 1 OFFSET ?))",
            (now - self._keep_acked_s, self._keep_acked),
        )

    def _reconnected(self) -> None:
        # acknowledgements still owed died with the old connection: send every stored event again, in order,
        # the recently acknowledged ones first (the broker that took them may have died before passing them on)
        self._in_flight.clear()
        self._next_to_send = -1
        self.pump()


def _add_acked_column(db: sqlite3.Connection) -> None:
    """An outbox file written before acknowledged events were kept has no ``acked_at``: add it (all NULL, so
    every stored event is still waiting for its acknowledgement)."""
    columns = {str(row[1]) for row in db.execute("PRAGMA table_info(outbox)")}
    if "acked_at" not in columns:
        db.execute("ALTER TABLE outbox ADD COLUMN acked_at REAL")
    # the count of waiting events (at every add) reads this small index, not the kept acknowledged rows
    db.execute("CREATE INDEX IF NOT EXISTS outbox_waiting ON outbox (seq) WHERE acked_at IS NULL")
