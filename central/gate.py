"""Only registered devices reach central's handlers, once the device registry holds any device.

A message under ``device/{id}/…`` from an id the registry does not know is dropped and logged once per
id (with the topic it came on); a broker with the generated ACL never lets such a client in, this is the
second line for a broker that does.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable

from bus.link import MessageHandler
from bus.topics import Topics

log = logging.getLogger(__name__)

# Ids remembered for "logged once"; beyond this a flood of ids is counted without a line each.
MAX_REMEMBERED_IDS = 1000
# Topics kept parsed: the fleet's status, health and event topics of up to 10,000 devices
TOPICS_REMEMBERED = 30_000


class DeviceGate:
    """Wraps bus handlers so that messages from unregistered devices are dropped."""

    def __init__(self, topics: Topics, admits: Callable[[str], bool]) -> None:
        self._topics = topics
        # every message passes here: its topic parsed once per device, not per message (bounded: from outside)
        self._parse_topic = functools.lru_cache(maxsize=TOPICS_REMEMBERED)(topics.parse)
        self._admits = admits
        self._logged: set[str] = set()
        self.refused = 0

    def guard(self, handler: MessageHandler) -> MessageHandler:
        def guarded(topic: str, payload: bytes) -> None:
            match = self._parse_topic(topic)
            if match is not None and match.device_id is not None and not self._admits(match.device_id):
                self._refuse(match.device_id, topic)
                return
            handler(topic, payload)

        return guarded

    def _refuse(self, device_id: str, topic: str) -> None:
        self.refused += 1
        if device_id in self._logged:
            return
        if len(self._logged) < MAX_REMEMBERED_IDS:
            self._logged.add(device_id)
            log.warning("refused %s from unregistered device %s (central device add registers it)", topic, device_id)
        elif self.refused % 1000 == 0:
            log.warning("refused %d messages from unregistered devices so far", self.refused)
