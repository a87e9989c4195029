"""The phone's video-help pages: ``/p/{point}/call`` (from an info point's page) and ``/h/{token}`` (the QR
on a kiosk's waiting screen), both the one plain page ``static/phone-call.html``; and the socket.

An unknown point id or a token that no longer takes a call over still gets the page, with 404 or 410:
the page says so in the passenger's language and offers to call from there.
"""

from __future__ import annotations

import re

from aiohttp import web

from central.web.pages import STATIC_DIR
from central.web.phone import PHONE_DESK_KEY, POINT_ID, SOCKET_PATH, PhoneDesk, close_phones, phone_socket

PAGE = STATIC_DIR / "phone-call.html"
TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
NO_STORE = {"Cache-Control": "no-store"}


def add_phone_routes(app: web.Application, desk: PhoneDesk) -> None:
    app[PHONE_DESK_KEY] = desk
    app.router.add_get("/p/{point}/call", _point_page)
    app.router.add_get("/h/{token}", _handover_page)
    app.router.add_get(SOCKET_PATH, phone_socket)
    app.on_shutdown.append(close_phones)


async def _point_page(request: web.Request) -> web.StreamResponse:
    status = 200 if POINT_ID.fullmatch(request.match_info["point"]) else 404
    return web.FileResponse(PAGE, status=status, headers={"Cache-Control": "no-cache"})


async def _handover_page(request: web.Request) -> web.StreamResponse:
    token = request.match_info["token"]
    desk = request.app[PHONE_DESK_KEY]
    status = 200 if TOKEN.fullmatch(token) and desk.switchboard.handover_open(token) else 410
    return web.FileResponse(PAGE, status=status, headers=NO_STORE)
