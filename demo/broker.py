"""An embedded MQTT 3.1.1 broker (amqtt, pure Python) for the demo when no broker is configured.

Not for production: it keeps everything in memory and allows anonymous access on loopback only.
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)


class EmbeddedBroker:
    """amqtt on 127.0.0.1:port inside the demo's own asyncio loop."""

    def __init__(self, port: int) -> None:
        self.port = port
        self._broker: Any = None

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    async def start(self) -> None:
        from amqtt.broker import Broker  # heavy import, only when the demo needs it

        config = {
            "listeners": {"default": {"type": "tcp", "bind": f"127.0.0.1:{self.port}"}},
            "plugins": {"amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True}},
        }
        for noisy in ("amqtt", "transitions"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
        self._broker = Broker(config)
        await self._broker.start()
        log.info("embedded MQTT broker listening on %s", self.url)

    async def stop(self) -> None:
        if self._broker is not None:
            await self._broker.shutdown()
            self._broker = None
