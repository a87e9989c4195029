"""The book's raises and clears on the bus: ``{root}/alert`` (QoS 1, not retained), as model ``Alert``."""

from __future__ import annotations

import logging
from collections import deque

from bus.codec import encode
from bus.link import BusLink, Publication
from bus.topics import TopicKind, Topics
from central.alerts.book import AlertBook, AlertView, BookChange, alert_message

log = logging.getLogger(__name__)

MAX_HELD = 1000
"""Alerts kept while the broker is away, sent when it is back (each keeps its own ``ts``)."""


class AlertPublisher:
    """Publishes each raise and clear once. Alerts are not retained: a reader that was away asks central
    (``GET /api/alerts``) for the alerts raised now. What happens while central's own broker link is down
    is sent after it reconnects, oldest first; beyond :data:`MAX_HELD` the oldest are dropped."""

    def __init__(self, book: AlertBook, link: BusLink, topics: Topics) -> None:
        self._link = link
        self._topic = topics.site(TopicKind.ALERT)
        self._held: deque[Publication] = deque(maxlen=MAX_HELD)
        self.dropped = 0
        book.add_listener(self._changed)
        link.add_connected_listener(self._send_held)

    def _changed(self, change: BookChange, view: AlertView) -> None:
        if change is BookChange.ACKED:
            return  # the bus message has no acknowledgement; the pages get it on their stream
        publication = Publication(self._topic, encode(alert_message(view)), qos=1, retain=False)
        if self._held or not self._link.publish(publication):
            self._hold(publication)

    def _hold(self, publication: Publication) -> None:
        if len(self._held) == MAX_HELD:
            self.dropped += 1
        if not self._held:
            log.info("broker link down: alerts held until it is back")
        self._held.append(publication)

    def _send_held(self) -> None:
        sent = 0
        while self._held:
            if not self._link.publish(self._held[0]):
                break
            self._held.popleft()
            sent += 1
        if sent:
            log.info("%d held alert message(s) published", sent)
