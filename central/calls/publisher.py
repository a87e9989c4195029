"""The queue on the bus: the retained ``{root}/queue`` summary.

Published when the switchboard says something changed, coalesced to a few a second, and only when its
content (not its time stamp) differs from what the broker already holds; again after every reconnect.
A device's own ``device/{id}/queue`` is the device's to publish (the contract), from what it is told.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from bus.codec import encode
from bus.link import BusLink, Publication
from bus.messages.central import QueueSummary
from bus.topics import TopicKind, Topics
from central.calls.coalesce import Coalescer
from central.switchboard.switchboard import Switchboard

log = logging.getLogger(__name__)

PUBLISH_INTERVAL_S = 0.25

_Key = tuple[object, ...]


def _summary_key(summary: QueueSummary) -> _Key:
    return (summary.model_dump_json(exclude={"ts"}),)


class QueuePublisher:
    """Keeps the retained queue topics in step with the switchboard."""

    def __init__(
        self,
        link: BusLink,
        topics: Topics,
        switchboard: Switchboard,
        interval_s: float = PUBLISH_INTERVAL_S,
        publish: Callable[[Publication], bool] | None = None,
    ) -> None:
        self._link = link
        # central's retained topics go through its RetainedKeeper, which puts them back when overwritten
        self._publish_retained = publish or link.publish
        self._topics = topics
        self._switchboard = switchboard
        self._summary_topic = topics.site(TopicKind.QUEUE)
        self._coalescer = Coalescer(self.flush, interval_s)
        self._sent_summary: _Key | None = None

    def start(self) -> None:
        """Follow the switchboard and the link; the first flush happens at the first connect."""
        self._switchboard.add_listener(self.changed)
        self._link.add_connected_listener(self._reconnected)

    def close(self) -> None:
        self._coalescer.close()

    def changed(self) -> None:
        self._coalescer.poke()

    def summary(self) -> QueueSummary:
        summary = self._switchboard.queue_summary()
        return summary.model_copy(update={"service_hours": self._switchboard.settings.service_hours})

    def flush(self) -> None:
        summary = self.summary()
        key = _summary_key(summary)
        if key != self._sent_summary and self._publish(self._summary_topic, summary):
            self._sent_summary = key

    def _reconnected(self) -> None:
        self._sent_summary = None
        self._coalescer.poke()

    def _publish(self, topic: str, message: QueueSummary) -> bool:
        return self._publish_retained(Publication(topic, encode(message), qos=1, retain=True))
