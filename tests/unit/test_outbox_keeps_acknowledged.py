"""The outbox keeps what the broker acknowledged for a while, bounded by age and count, and sends it again
after a reconnect (a broker may have acknowledged an event and died before passing it on). The link here is
a stand-in that records what is published and acknowledges on demand: the outbox's own bookkeeping, fast;
tests/integration/test_broker_failover.py is the same against a real cluster whose node is killed."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

from bus.link import Publication
from bus.outbox import Outbox


class StandInLink:
    def __init__(self) -> None:
        self.up = True
        self.sent: list[tuple[int, Callable[[], None]]] = []
        self._connected: list[Callable[[], None]] = []

    def add_connected_listener(self, listener: Callable[[], None]) -> None:
        self._connected.append(listener)

    def publish_acked(self, publication: Publication, on_ack: Callable[[], None]) -> bool:
        if not self.up:
            return False
        self.sent.append((json.loads(publication.payload)["seq"], on_ack))
        return True

    def reconnect(self) -> None:
        self.sent.clear()
        for listener in self._connected:
            listener()

    async def ack_all(self) -> None:
        acks, self.sent = [on_ack for _seq, on_ack in self.sent], []
        for on_ack in acks:
            on_ack()
        await asyncio.sleep(0)  # the outbox marks them at the end of the loop's turn
        await asyncio.sleep(0)


def outbox(path: Path, link: StandInLink) -> Outbox:
    box = Outbox(path / "events.sqlite3", link, "airport/HAK/device/kiosk-a/event")  # type: ignore[arg-type]
    box.start()
    return box


def add(box: Outbox, count: int) -> None:
    for _ in range(count):
        box.add(lambda seq: json.dumps({"seq": seq}).encode())


async def test_acknowledged_events_are_kept_and_sent_again_first_after_a_reconnect(tmp_path: Path) -> None:
    link = StandInLink()
    box = outbox(tmp_path, link)
    try:
        add(box, 5)
        await link.ack_all()
        assert (len(box), box.kept_acked) == (0, 5)  # nothing waits, five kept
        add(box, 2)  # two sent, not acknowledged when the connection goes
        assert [seq for seq, _ in link.sent] == [5, 6]
        link.reconnect()
        assert [seq for seq, _ in link.sent] == list(range(7))  # the kept ones again, then the waiting, in order
        await link.ack_all()
        assert (len(box), box.kept_acked) == (0, 7)
    finally:
        box.close()


async def test_only_the_newest_are_kept_and_none_older_than_the_keeping_time(tmp_path: Path) -> None:
    link = StandInLink()
    box = outbox(tmp_path, link)
    box._keep_acked = 10
    try:
        add(box, 30)
        await link.ack_all()
        box._pruned_at = 0.0  # pruned at the next acknowledgement, not a second later
        add(box, 1)
        await link.ack_all()
        assert box.kept_acked == 10
        link.reconnect()
        assert [seq for seq, _ in link.sent] == list(range(21, 31))
        await link.ack_all()  # acknowledged again: kept from now
        box._db.execute("UPDATE sent SET acked_at = acked_at - 3600")  # as if an hour ago
        box._pruned_at = 0.0
        add(box, 1)
        await link.ack_all()
        assert box.kept_acked == 1  # only the new one
    finally:
        box.close()


async def test_a_full_outbox_drops_waiting_events_not_counting_the_kept_ones(tmp_path: Path) -> None:
    link = StandInLink()
    box = outbox(tmp_path, link)
    box._max_events = 5
    try:
        for _ in range(2):
            add(box, 4)
            await link.ack_all()
        link.up = False
        add(box, 5)
        assert (box.dropped, len(box), box.kept_acked) == (0, 5, 8)  # the kept ones take no room
        add(box, 1)
        assert box.dropped == 1 and len(box) == 5
        assert box.drop_oldest_beyond(3) == 2 and box.kept_acked == 0  # a disk running out: kept ones go first
    finally:
        box.close()


def test_an_outbox_file_from_before_keeps_its_waiting_events(tmp_path: Path) -> None:
    path = tmp_path / "events.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE outbox (seq INTEGER PRIMARY KEY, payload BLOB NOT NULL)")
        db.execute("CREATE TABLE counter (one INTEGER PRIMARY KEY CHECK (one = 1), last_seq INTEGER NOT NULL)")
        db.execute("INSERT INTO counter VALUES (1, 2)")
        db.executemany("INSERT INTO outbox VALUES (?, ?)", [(s, json.dumps({"seq": s}).encode()) for s in (1, 2)])
    link = StandInLink()
    box = outbox(tmp_path, link)
    try:
        assert (len(box), box.kept_acked) == (2, 0)
        assert [seq for seq, _ in link.sent] == [1, 2]
    finally:
        box.close()


async def test_an_acknowledgement_that_reaches_a_closed_outbox_is_let_go(tmp_path: Path, caplog) -> None:
    """The app stops while acknowledgements are on their way: nothing raises, and the event is sent again
    at the next start (the receiver drops it as a repeat)."""
    link = StandInLink()
    box = outbox(tmp_path, link)
    add(box, 3)
    acks = [on_ack for _seq, on_ack in link.sent]
    box.close()
    for on_ack in acks:
        on_ack()
    await asyncio.sleep(0)  # the turn that would have written them
    await asyncio.sleep(0)
    assert not [record for record in caplog.records if record.levelname in ("ERROR", "CRITICAL")]
    again = outbox(tmp_path, StandInLink())
    try:
        assert len(again) == 3  # unacknowledged on disk: they go again
    finally:
        again.close()
