"""Device events on ``device/{id}/event``, numbered per device and sent through the on-disk outbox
(:mod:`bus.outbox`): nothing is lost while the broker is away, and the number survives restarts."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import Any

from bus.codec import encode
from bus.link import BusLink
from bus.messages.base import utc_now
from bus.messages.device import DeviceEvent
from bus.outbox import Outbox
from bus.topics import TopicKind, Topics

log = logging.getLogger(__name__)

FILE_NAME = "events.sqlite3"


class DeviceEvents:
    """Publishes ``DeviceEvent``s with a per-device ``seq``, through an outbox in ``state_dir``."""

    def __init__(self, link: BusLink, topics: Topics, device_id: str, state_dir: Path) -> None:
        path = state_dir / FILE_NAME
        _carry_over_old_counter(path)
        self.outbox = Outbox(
            path, link, topics.device(device_id, TopicKind.DEVICE_EVENT), dropped_notice=_dropped_notice
        )

    def start(self) -> None:
        self.outbox.start()

    def emit(self, name: str, data: dict[str, Any]) -> DeviceEvent | None:
        """Store the event and send it when the broker can take it; None while the disk is too full to store
        it (it waits in memory and is stored, numbered then, when there is room: see :mod:`bus.outbox`)."""
        made: dict[int, DeviceEvent] = {}
        ts = utc_now()  # when it happened, also for an event stored later

        def payload(seq: int) -> bytes:
            made[seq] = DeviceEvent(seq=seq, ts=ts, name=name, data=data)
            return encode(made[seq])

        seq = self.outbox.add(payload)
        if seq is None:
            log.debug("event %s %s waits for room on the disk", name, data)
            return None
        log.info("event %d %s %s", seq, name, data)
        return made[seq]

    def close(self) -> None:
        self.outbox.close()


def _dropped_notice(seq: int, count: int, total: int) -> bytes:
    return encode(DeviceEvent(seq=seq, name="outbox.dropped", data={"count": count, "total": total}))


def _carry_over_old_counter(path: Path) -> None:
    """Events numbered before the outbox existed kept their last seq in a table of their own: go on from it."""
    if not path.exists():
        return
    db = sqlite3.connect(str(path), isolation_level=None)
    try:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "seq" in tables and "counter" not in tables:
            (last,) = db.execute("SELECT last FROM seq").fetchone()
            db.execute("BEGIN")
            db.execute("CREATE TABLE counter (one INTEGER PRIMARY KEY CHECK (one = 1), last_seq INTEGER NOT NULL)")
            db.execute("INSERT INTO counter VALUES (1, ?)", (int(last),))
            db.execute("DROP TABLE seq")
            db.execute("COMMIT")
    finally:
        db.close()
