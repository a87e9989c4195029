"""``POST /api/feeds/aidx``: one AIDX document per request, ``Authorization: Bearer <[feeds] aidx_token>``,
answered with an ``IATA_AIDX_FlightLegNotifRS``: 200 with ``<Success/>`` (a ``<Warning>`` per leg refused),
or an ``<Errors>`` answer with 401 (no or wrong token), 413 (too large) or 400 (not a usable document).
A refused document changes nothing."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping

from aiohttp import StreamReader, web

from bus.messages.flights import FlightStatus
from central.feeds import aidx
from central.feeds.health import FeedHealth
from central.flights.board import FlightBoards

log = logging.getLogger(__name__)

PATH = "/api/feeds/aidx"
XML = "application/xml"


class AidxReceiver:
    def __init__(
        self,
        boards: FlightBoards,
        health: FeedHealth,
        token: str | None,
        max_bytes: int,
        status_codes: Mapping[str, FlightStatus | None],
    ) -> None:
        self._boards = boards
        self.health = health
        self._token = token
        self._max_bytes = max_bytes
        self._status_codes = status_codes

    def add_route(self, app: web.Application) -> None:
        app.router.add_post(PATH, self.handle)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if not self._authorised(request.headers.get("Authorization", "")):
            return _answer(401, "", "not authorised: send Authorization: Bearer <token>")
        length = request.content_length
        if length is not None and length > self._max_bytes:
            return _answer(413, "", f"document of {length} bytes exceeds {self._max_bytes}")
        body = await read_at_most(request.content, self._max_bytes)
        if body is None:
            return _answer(413, "", f"document exceeds {self._max_bytes} bytes")
        try:
            document = aidx.parse(body, self._status_codes, self._max_bytes)
        except aidx.AidxError as exc:
            log.warning("AIDX document from %s refused: %s", request.remote, exc.reason)
            self.health.failed(exc.reason)
            return _answer(exc.status, "", exc.reason)
        refused = document.rejected + self._boards.apply(self.health.name, document.changes)
        self.health.delivered(refused)
        body_out = aidx.answer(document.transaction, document.version, warnings=refused)
        return web.Response(status=200, body=body_out, content_type=XML, charset="utf-8")

    def _authorised(self, header: str) -> bool:
        if not self._token:
            return False
        scheme, _, given = header.partition(" ")
        return scheme.lower() == "bearer" and secrets.compare_digest(given.strip().encode(), self._token.encode())


async def read_at_most(stream: StreamReader, limit: int) -> bytes | None:
    """The whole body, or None as soon as it grows past ``limit`` bytes (the rest is never read)."""
    chunks: list[bytes] = []
    total = 0
    while chunk := await stream.read(64 * 1024):
        total += len(chunk)
        if total > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _answer(status: int, transaction: str, error: str) -> web.Response:
    headers = {"WWW-Authenticate": 'Bearer realm="aidx"'} if status == 401 else None
    body = aidx.answer(transaction, "16.1", error=error)
    return web.Response(status=status, body=body, content_type=XML, charset="utf-8", headers=headers)
