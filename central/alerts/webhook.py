"""Raises and clears POSTed to an operator's webhook (``[alerts] webhook_url``), as JSON.

Never in the way of the loop: the book's listener only queues (a bounded queue that drops its oldest post
when full, counted); one task sends, with a timeout per try and retries with a doubling wait on a timeout,
a network error or a 5xx. The URL may hold credentials (``user:password@``, or a secret path as chat
services' hooks have): only its scheme and host are ever logged.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp
from yarl import URL

from central.alerts.book import AlertBook, AlertView, BookChange, alert_message
from config.background import stop_task

log = logging.getLogger(__name__)

RETRY_FIRST_S = 1.0
RETRY_MAX_S = 60.0


def shown_url(url: str) -> str:
    """The part of a webhook URL that may be logged: scheme, host and port."""
    parsed = URL(url)
    return str(parsed.origin()) if parsed.is_absolute() else "(not a URL)"


class AlertWebhook:
    """Posts ``{"v": 1, "id", "state", "kind", "severity", "device", "message", "ts"}`` for each raise and clear."""

    def __init__(
        self,
        url: str,
        timeout_s: float,
        retries: int,
        max_waiting: int,
        retry_first_s: float = RETRY_FIRST_S,
    ) -> None:
        self._url = url
        self._shown = shown_url(url)
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._retries = retries
        self._retry_first_s = retry_first_s
        self._waiting: asyncio.Queue[dict[str, Any]] = asyncio.Queue(max_waiting)
        self._task: asyncio.Task[None] | None = None
        self.sent = 0
        self.failed = 0
        self.dropped = 0

    def listen_to(self, book: AlertBook) -> None:
        book.add_listener(self._changed)

    def start(self) -> None:
        self._task = asyncio.create_task(self._send_all(), name="alert-webhook")

    async def stop(self) -> None:
        """Stop at once: posts still waiting are given up (the bus and the page have the alerts anyway)."""
        await stop_task(self._task)
        self._task = None
        if not self._waiting.empty():
            log.info("alert webhook %s: %d post(s) not sent at shutdown", self._shown, self._waiting.qsize())

    def post(self, body: dict[str, Any]) -> None:
        """Queue one post; never waits."""
        if self._waiting.full():
            self._waiting.get_nowait()
            self.dropped += 1
            if self.dropped == 1 or self.dropped % 100 == 0:
                log.warning("alert webhook %s: too many posts waiting, %d dropped so far", self._shown, self.dropped)
        self._waiting.put_nowait(body)

    def _changed(self, change: BookChange, view: AlertView) -> None:
        if change is not BookChange.ACKED:
            self.post(alert_message(view).model_dump(mode="json"))

    async def _send_all(self) -> None:
        # no auto-decompression or cookies needed; one session for every post keeps connections open
        async with aiohttp.ClientSession(timeout=self._timeout, cookie_jar=aiohttp.DummyCookieJar()) as http:
            while True:
                body = await self._waiting.get()
                await self._send(http, body)

    async def _send(self, http: aiohttp.ClientSession, body: dict[str, Any]) -> None:
        wait_s = self._retry_first_s
        for attempt in range(self._retries + 1):
            problem = await self._try(http, body)
            if problem is None:
                self.sent += 1
                return
            if problem.startswith("HTTP 4"):
                break  # the receiver refuses this post: sending it again will not change its mind
            if attempt < self._retries:
                log.info("alert webhook %s: %s; trying again in %.0f s", self._shown, problem, wait_s)
                await asyncio.sleep(wait_s)
                wait_s = min(RETRY_MAX_S, wait_s * 2)
        self.failed += 1
        log.warning("alert webhook %s: alert %s %s not delivered: %s", self._shown, body["id"], body["state"], problem)

    async def _try(self, http: aiohttp.ClientSession, body: dict[str, Any]) -> str | None:
        """None when the receiver took the post, else what went wrong (without the URL)."""
        try:
            async with http.post(self._url, json=body, allow_redirects=False) as response:
                await response.read()
                return None if response.status < 300 else f"HTTP {response.status}"
        except TimeoutError:
            return "timed out"
        except aiohttp.ClientError as exc:
            # aiohttp's messages can quote the URL: only the kind of error is kept
            return type(exc).__name__
