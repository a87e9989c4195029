"""Central's retained topics stay central's: when another client overwrites one (``{root}/queue``,
``central/status``, later the flight boards), central's own message goes back within a second.

Only central's broker user may write these under the generated ACL; this guards a broker without it, where
one forged retained ``queue`` closed Video help on every kiosk.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable

from bus.link import BusLink, Publication

log = logging.getLogger(__name__)

# Our own recent payloads per topic: our publishes come back to our own subscription, sometimes after
# a newer one went out, and must not count as someone else's.
RECENT_PAYLOADS = 8
MIN_RESTORE_INTERVAL_S = 1.0


class RetainedKeeper:
    """Publishes central's retained messages and puts them back when someone else overwrites them."""

    def __init__(
        self, link: BusLink, min_interval_s: float = MIN_RESTORE_INTERVAL_S, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._link = link
        self._min_interval_s = min_interval_s
        self._clock = clock
        self._held: dict[str, Publication] = {}
        self._recent: dict[str, deque[bytes]] = {}
        self._restored_at: dict[str, float] = {}
        self._scheduled: dict[str, asyncio.TimerHandle] = {}
        # After a (re)connect the broker first hands back what it held, often our own older message.
        self._fresh: set[str] = set()
        self.restored = 0
        self._closed = False
        link.add_connected_listener(self._connected)

    def publish(self, publication: Publication) -> bool:
        """Publish ``publication`` (retained) and keep it as the one that belongs on its topic."""
        topic = publication.topic
        if topic not in self._held:
            self._fresh.add(topic)
            self._link.subscribe(topic, self._on_message)
        self._held[topic] = publication
        self._recent.setdefault(topic, deque(maxlen=RECENT_PAYLOADS)).append(publication.payload)
        return self._link.publish(publication)

    def close(self) -> None:
        """Stop guarding (before central's own last words, which must stand)."""
        self._closed = True
        for handle in self._scheduled.values():
            handle.cancel()
        self._scheduled.clear()

    def _connected(self) -> None:
        self._fresh = set(self._held)

    def _on_message(self, topic: str, payload: bytes) -> None:
        if self._closed:
            return
        stale = topic in self._fresh
        self._fresh.discard(topic)
        if topic not in self._held or payload in self._recent.get(topic, ()):
            return
        if stale:  # what the broker kept from before: ours goes out anyway, nobody forged anything
            self._link.publish(self._held[topic])
            return
        wait_s = self._restored_at.get(topic, float("-inf")) + self._min_interval_s - self._clock()
        if wait_s <= 0:
            self._restore(topic)
        elif topic not in self._scheduled:
            self._scheduled[topic] = asyncio.get_running_loop().call_later(wait_s, self._restore, topic)

    def _restore(self, topic: str) -> None:
        self._scheduled.pop(topic, None)
        self._restored_at[topic] = self._clock()
        self.restored += 1
        log.warning("retained %s was overwritten by another client; central's message is back", topic)
        self._link.publish(self._held[topic])
