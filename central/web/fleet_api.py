"""The facilities console's device page and its API: send a command, see a device's recent commands with
their replies, its events, its 24 h health history, its latest screenshot and log lines; and the upload
endpoint devices send those files to, with the one-time token from the command.

Staff routes need the facilities role (an admin has it); the upload route needs only its token.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from bus.messages.base import DEVICE_ID
from bus.messages.device import DeviceEvent
from central.accounts import Role
from central.device_events import DeviceEventLog
from central.fleet_commands import FleetCommands, UnknownCommand
from central.fleet_history import HealthHistory
from central.fleet_uploads import UploadKind, UploadRefused, UploadStore, UploadTokens, check_content
from central.web.access import require
from central.web.agent import same_origin
from central.web.live import FEED_KEY
from central.web.pages import add_page

log = logging.getLogger(__name__)

MAX_COMMAND_BYTES = 16 * 1024
EVENTS_SHOWN = 50
_DEVICE = re.compile(DEVICE_ID)
_BEARER = re.compile(r"^Bearer ([A-Za-z0-9_-]{16,128})$")
_READ_CHUNK = 64 * 1024


@dataclass
class FleetDesk:
    """What the device page works with."""

    commands: FleetCommands
    events: DeviceEventLog
    history: HealthHistory
    tokens: UploadTokens
    uploads: UploadStore
    upload_max_bytes: int


DESK_KEY = web.AppKey("fleet_desk", FleetDesk)


def add_fleet_routes(app: web.Application, desk: FleetDesk) -> None:
    app[DESK_KEY] = desk
    add_page(app, "/facilities/device", "facilities-device.html")
    app.router.add_get("/api/fleet/devices/{device}", device_page)
    app.router.add_get("/api/fleet/devices/{device}/history", device_history)
    app.router.add_post("/api/fleet/devices/{device}/commands", send_command)
    app.router.add_get("/api/fleet/devices/{device}/screenshot", latest_file(UploadKind.SCREENSHOT))
    app.router.add_get("/api/fleet/devices/{device}/logs", latest_file(UploadKind.LOGS))
    app.router.add_post("/api/fleet/uploads", upload)


def event_view(event: DeviceEvent) -> dict[str, Any]:
    return {"seq": event.seq, "ts": event.ts.isoformat(), "name": event.name, "data": event.data}


def _device(request: web.Request) -> str:
    device = request.match_info["device"]
    if not _DEVICE.match(device):
        raise web.HTTPBadRequest(text='{"error": "bad_device_id"}', content_type="application/json")
    return device


def _file_view(desk: FleetDesk, device: str, kind: UploadKind) -> dict[str, Any] | None:
    path = desk.uploads.latest(device, kind)
    if path is None:
        return None
    millis = int(path.name.split("-", 1)[0])
    return {"at": datetime.fromtimestamp(millis / 1000, UTC).isoformat(), "name": path.name}


async def device_page(request: web.Request) -> web.StreamResponse:
    """``GET /api/fleet/devices/{id}``: the device now, its recent commands and events, its latest files."""
    require(request, Role.FACILITIES.value)
    device = _device(request)
    desk = request.app[DESK_KEY]
    stats = desk.events.stats(device)
    events = [] if stats is None else [event_view(event) for event in list(stats.recent)[-EVENTS_SHOWN:]][::-1]
    return web.json_response(
        {
            "device": request.app[FEED_KEY].fleet.view(device),
            "commands": desk.commands.recent(device),
            "timeout_s": desk.commands.timeout_s,
            "events": events,
            "events_missing": 0 if stats is None else stats.missing,
            "screenshot": _file_view(desk, device, UploadKind.SCREENSHOT),
            "logs": _file_view(desk, device, UploadKind.LOGS),
        }
    )


async def device_history(request: web.Request) -> web.StreamResponse:
    """``GET /api/fleet/devices/{id}/history``: one point per minute of the last 24 h."""
    require(request, Role.FACILITIES.value)
    device = _device(request)
    return web.json_response({"points": request.app[DESK_KEY].history.points(device)})


async def send_command(request: web.Request) -> web.StreamResponse:
    """``POST /api/fleet/devices/{id}/commands`` with ``{"name", "args"}``: the command as sent (202)."""
    require(request, Role.FACILITIES.value)
    if not same_origin(request, required=False):
        raise web.HTTPForbidden(text="cross-origin request refused")
    device = _device(request)
    if request.content_type != "application/json":
        raise web.HTTPUnsupportedMediaType(text="send JSON")
    raw = await request.content.read(MAX_COMMAND_BYTES + 1)
    if len(raw) > MAX_COMMAND_BYTES:
        raise web.HTTPRequestEntityTooLarge(max_size=MAX_COMMAND_BYTES, actual_size=len(raw))
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):
        body = None
    if not isinstance(body, dict) or not isinstance(body.get("name"), str):
        return web.json_response({"error": "bad_request", "detail": 'send {"name": …, "args": {…}}'}, status=400)
    args = body.get("args", {})
    if not isinstance(args, dict):
        return web.json_response({"error": "bad_request", "detail": "'args' must be an object"}, status=400)
    try:
        sent = request.app[DESK_KEY].commands.send(device, body["name"], args)
    except UnknownCommand as exc:
        return web.json_response({"error": "unknown_command", "detail": str(exc)}, status=400)
    return web.json_response(sent, status=202)


def latest_file(kind: UploadKind) -> Any:
    async def serve(request: web.Request) -> web.StreamResponse:
        """The device's latest screenshot (PNG) or log lines (text), or 404."""
        require(request, Role.FACILITIES.value)
        path = request.app[DESK_KEY].uploads.latest(_device(request), kind)
        if path is None:
            raise web.HTTPNotFound(text=f"no {kind.value} from this device yet")
        content_type = "image/png" if kind is UploadKind.SCREENSHOT else "text/plain"
        return web.Response(
            body=path.read_bytes(),
            content_type=content_type,
            charset=None if kind is UploadKind.SCREENSHOT else "utf-8",
            headers={"Cache-Control": "no-store", "Content-Disposition": f'inline; filename="{path.name}"'},
        )

    return serve


async def upload(request: web.Request) -> web.StreamResponse:
    """``POST /api/fleet/uploads`` with ``Authorization: Bearer <token>``: a device's screenshot or log lines.

    401 without a token; 403 for an unknown, used or expired one; 413 over ``[fleet] upload_max_bytes``;
    415 for a screenshot that is not a PNG or logs that are not UTF-8. A token is used up by its first try.
    """
    desk = request.app[DESK_KEY]
    found = _BEARER.match(request.headers.get("Authorization", ""))
    if found is None:
        raise web.HTTPUnauthorized(text="an upload needs the command's token: Authorization: Bearer <token>")
    try:
        grant = desk.tokens.take(found.group(1))
    except UploadRefused as exc:
        log.warning("upload from %s refused: %s", request.remote, exc)
        raise web.HTTPForbidden(text=str(exc)) from None
    limit = desk.upload_max_bytes
    if request.content_length is not None and request.content_length > limit:
        log.warning("%s upload for %s refused: %d bytes", grant.kind, grant.device, request.content_length)
        raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=request.content_length)
    body = bytearray()
    async for chunk in request.content.iter_chunked(_READ_CHUNK):
        body += chunk
        if len(body) > limit:
            log.warning("%s upload for %s refused: over %d bytes", grant.kind, grant.device, limit)
            raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=len(body))
    try:
        check_content(grant.kind, bytes(body))
    except UploadRefused as exc:
        raise web.HTTPUnsupportedMediaType(text=str(exc)) from None
    path = desk.uploads.save(grant, bytes(body))
    log.info("%s from %s for %s kept: %s (%d bytes)", grant.kind, grant.device, grant.command_id, path.name, len(body))
    view = _file_view(desk, grant.device, grant.kind)
    request.app[FEED_KEY].broadcast("upload", {"device": grant.device, "kind": grant.kind.value, "file": view})
    return web.json_response({"ok": True, "bytes": len(body)}, status=201)
