"""The book's raises and clears on the bus: ``{root}/alert`` (QoS 1, not retained), as model ``Alert``."""

from __future__ import annotations

import logging

from bus.codec import encode
from bus.link import BusLink, Publication
from bus.topics import TopicKind, Topics
from central.alerts.book import AlertBook, AlertView, BookChange, alert_message

log = logging.getLogger(__name__)


class AlertPublisher:
    """Publishes each raise and clear once. Alerts are not retained: a reader that was away asks central
    (``GET /api/alerts``) for the alerts raised now."""

    def __init__(self, book: AlertBook, link: BusLink, topics: Topics) -> None:
        self._link = link
        self._topic = topics.site(TopicKind.ALERT)
        self.unsent = 0
        book.add_listener(self._changed)

    def _changed(self, change: BookChange, view: AlertView) -> None:
        if change is BookChange.ACKED:
            return  # the bus message has no acknowledgement; the pages get it on their stream
        if not self._link.publish(Publication(self._topic, encode(alert_message(view)), qos=1, retain=False)):
            self.unsent += 1
            log.info("alert %s %s not published: the broker link is down", view["id"], change.value)
