"""Device events on ``device/{id}/event``, numbered per device; the number survives restarts.

A small SQLite file keeps the last ``seq``, so central can tell a new event from a repeated one even
after the app restarts. Events made while the bus is down are dropped by the link like any publication
(the outbox that resends them is a separate piece of work).
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import Any

from bus.codec import encode
from bus.link import BusLink, Publication
from bus.messages.device import DeviceEvent
from bus.topics import TopicKind, Topics

log = logging.getLogger(__name__)

FILE_NAME = "events.sqlite3"


class DeviceEvents:
    """Publishes ``DeviceEvent``s with a per-device ``seq`` kept in ``state_dir``."""

    def __init__(self, link: BusLink, topics: Topics, device_id: str, state_dir: Path) -> None:
        self._link = link
        self._topic = topics.device(device_id, TopicKind.DEVICE_EVENT)
        self._db = sqlite3.connect(state_dir / FILE_NAME, isolation_level=None)
        self._db.execute("CREATE TABLE IF NOT EXISTS seq (one INTEGER PRIMARY KEY CHECK (one = 1), last INTEGER)")
        self._db.execute("INSERT OR IGNORE INTO seq VALUES (1, -1)")

    def emit(self, name: str, data: dict[str, Any]) -> DeviceEvent:
        self._db.execute("UPDATE seq SET last = last + 1 WHERE one = 1")
        seq = int(self._db.execute("SELECT last FROM seq").fetchone()[0])
        event = DeviceEvent(seq=seq, name=name, data=data)
        self._link.publish(Publication(self._topic, encode(event), qos=1))
        log.info("event %d %s %s", seq, name, data)
        return event

    def close(self) -> None:
        self._db.close()
