"""Many changes, few flushes: a callback run at most once per interval, always after the last change."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

log = logging.getLogger(__name__)


class Coalescer:
    """``poke()`` as often as things change; ``flush`` runs soon after, at most once per ``interval_s``.

    The first change after a quiet spell is flushed on the next turn of the loop, so a single change is
    seen at once; a burst is flushed at its start and once more ``interval_s`` later.
    """

    def __init__(self, flush: Callable[[], None], interval_s: float) -> None:
        self._flush = flush
        self.interval_s = interval_s
        self._handle: asyncio.Handle | None = None
        self._last_at: float | None = None
        self._closed = False

    @property
    def pending(self) -> bool:
        return self._handle is not None

    def poke(self) -> None:
        if self._closed or self._handle is not None:
            return
        loop = asyncio.get_running_loop()
        delay = 0.0 if self._last_at is None else max(0.0, self._last_at + self.interval_s - loop.time())
        self._handle = loop.call_later(delay, self._run)

    def close(self) -> None:
        """No flush after this one, pending or not."""
        self._closed = True
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def _run(self) -> None:
        self._handle = None
        self._last_at = asyncio.get_running_loop().time()
        try:
            self._flush()
        except Exception:
            log.exception("flush %r failed", self._flush)
