"""Supervisor monitoring of live calls: the signalling between the supervisor's wallboard and the agent's
console, ``GET /api/monitor/ws`` (supervisors) and ``GET /api/agent/monitor/ws`` (agents' consoles).

The kiosk never hears of it: the agent's browser, which already receives the passenger's video and sound,
opens a second peer connection to the supervisor's browser and sends it the passenger's tracks and its own
camera and microphone; in whisper the supervisor's microphone comes back on that connection and is played
in the agent's page only. Central checks who may do what and passes the offer and answer on; it never
touches media. Its own socket for the agent's side keeps the switchboard's console contract as it is.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any, Final

from aiohttp import WSCloseCode, WSMsgType, web

from central.accounts import Role
from central.switchboard.model import LivePhase
from central.switchboard.switchboard import Switchboard
from central.web.access import require, viewer
from central.web.agent import DESK_KEY, SESSION_COOKIE, same_origin
from central.web.monitor_messages import (
    MAX_MESSAGE_BYTES,
    AgentOffer,
    AgentStopped,
    BadMonitorMessage,
    ChangeMode,
    MonitorMode,
    Start,
    Stop,
    SupervisorAnswer,
    parse_agent,
    parse_supervisor,
)
from central.web.monitor_settings import MonitorSection

log = logging.getLogger(__name__)

HEARTBEAT_S = 20.0
MAX_QUEUED = 100
MAX_BAD_MESSAGES = 5
WRITER_DRAIN_S = 2.0
ACCESS_CHECK_S = 5.0
CLOSE_SIGN_IN: Final = 4401
"""No live session, or not the role this socket needs."""
CLOSE_REPLACED: Final = 4409
"""The same agent opened the relay from another console."""


class MonitorRefused(Exception):
    """A request that cannot be carried out; ``reason`` goes back to the sender."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Link:
    """One open socket: messages are queued and written in order; :meth:`end` closes it after them."""

    def __init__(self, ws: web.WebSocketResponse, who: str, allowed: Callable[[], bool] = lambda: True) -> None:
        self.who = who
        # whether the account behind the socket may still use it: at every message and every ACCESS_CHECK_S
        self.allowed = allowed
        self._ws = ws
        self._queue: asyncio.Queue[tuple[dict[str, Any] | None, int]] = asyncio.Queue()
        self.ended = False

    def send(self, message: dict[str, Any]) -> None:
        if self.ended:
            return
        if self._queue.qsize() >= MAX_QUEUED:
            log.warning("monitor link of %s fell %d messages behind; closing it", self.who, MAX_QUEUED)
            self.end(int(WSCloseCode.TRY_AGAIN_LATER))
            return
        self._queue.put_nowait((message, 0))

    def end(self, code: int = int(WSCloseCode.OK)) -> None:
        if not self.ended:
            self.ended = True
            self._queue.put_nowait((None, code))

    async def pump(self) -> None:
        while True:
            message, code = await self._queue.get()
            if message is None:
                await self._ws.close(code=code)
                return
            try:
                await self._ws.send_json(message)
            except (ConnectionResetError, RuntimeError):
                return


@dataclass(eq=False)
class Monitoring:
    """One supervisor watching one call."""

    id: str
    call: str
    agent: str
    supervisor: str
    mode: MonitorMode
    watcher: Link
    relay: Link


class MonitorDesk:
    """Who watches which call, the agents' relay links, and the rules: only a connected call, one
    supervisor per call, one call per supervisor's page; a monitoring ends with its call."""

    def __init__(self, switchboard: Switchboard, settings: MonitorSection | None = None) -> None:
        self.switchboard = switchboard
        self.settings = settings or MonitorSection()
        self.relays: dict[str, Link] = {}
        self.watchers: set[Link] = set()
        self.access_check_s = ACCESS_CHECK_S
        self.monitorings: dict[str, Monitoring] = {}

    def start(self) -> None:
        self.switchboard.add_listener(self.calls_changed)

    # --- the agents' side -------------------------------------------------------------------------------

    def agent_joined(self, agent_id: str, link: Link) -> None:
        old = self.relays.get(agent_id)
        self.relays[agent_id] = link
        if old is not None and old is not link:
            self._end_where(lambda m: m.relay is old, "agent_lost")
            old.end(CLOSE_REPLACED)

    def agent_left(self, agent_id: str, link: Link) -> None:
        if self.relays.get(agent_id) is link:
            del self.relays[agent_id]
        self._end_where(lambda m: m.relay is link, "agent_lost")

    def from_agent(self, agent_id: str, link: Link, message: AgentOffer | AgentStopped) -> None:
        monitoring = self.monitorings.get(message.monitor)
        if monitoring is None or monitoring.relay is not link or monitoring.agent != agent_id:
            raise MonitorRefused("unknown_monitor")
        if isinstance(message, AgentOffer):
            tracks = {mid: role.value for mid, role in message.tracks.items()}
            monitoring.watcher.send({"type": "offer", "monitor": monitoring.id, "sdp": message.sdp, "tracks": tracks})
        else:
            self._end(monitoring, message.reason)

    # --- the supervisors' side --------------------------------------------------------------------------

    def from_supervisor(
        self, supervisor: str, link: Link, message: Start | SupervisorAnswer | ChangeMode | Stop
    ) -> None:
        if isinstance(message, Start):
            self._begin(supervisor, link, message)
            return
        monitoring = self.monitorings.get(message.monitor)
        if monitoring is None or monitoring.watcher is not link:
            raise MonitorRefused("unknown_monitor")
        if isinstance(message, SupervisorAnswer):
            monitoring.relay.send({"type": "answer", "monitor": monitoring.id, "sdp": message.sdp})
        elif isinstance(message, ChangeMode):
            monitoring.mode = message.mode
            log.info("%s: monitoring call %s now %s", supervisor, monitoring.call, message.mode.value)
            for end in (monitoring.relay, monitoring.watcher):
                end.send({"type": "mode", "monitor": monitoring.id, "mode": message.mode.value})
        else:
            self._end(monitoring, "supervisor")

    def supervisor_joined(self, link: Link) -> None:
        self.watchers.add(link)

    def supervisor_left(self, link: Link) -> None:
        self.watchers.discard(link)
        self._end_where(lambda m: m.watcher is link, "supervisor")

    def check_access(self) -> None:
        """Close every open socket whose account was removed, lost its role, or signed out: an idle one
        too, so that nobody goes on watching a call after their access ended."""
        for link in [*self.watchers, *self.relays.values()]:
            if not link.allowed():
                log.info("monitor link of %s closed: its access ended", link.who)
                link.send({"type": "error", "reason": "session_expired", "request": None})
                link.end(CLOSE_SIGN_IN)

    def close_all(self) -> None:
        for link in [*self.watchers, *self.relays.values()]:
            link.end(int(WSCloseCode.GOING_AWAY))

    def _begin(self, supervisor: str, link: Link, message: Start) -> None:
        if not self.settings.enabled:
            raise MonitorRefused("monitoring_off")
        call = next((c for c in self.switchboard.live_calls() if c.call_id == message.call), None)
        if call is None:
            raise MonitorRefused("call_ended")
        if call.phase is not LivePhase.CONNECTED or call.agent_id is None:
            raise MonitorRefused("call_not_answered")
        if any(m.watcher is link for m in self.monitorings.values()):
            raise MonitorRefused("already_monitoring")
        if any(m.call == call.call_id for m in self.monitorings.values()):
            raise MonitorRefused("already_monitored")
        relay = self.relays.get(call.agent_id)
        if relay is None:
            raise MonitorRefused("agent_unreachable")
        monitoring = Monitoring(
            "m-" + secrets.token_hex(8), call.call_id, call.agent_id, supervisor, message.mode, link, relay
        )
        self.monitorings[monitoring.id] = monitoring
        # monitoring is logged: who watched which call, and when; the passenger was told it may happen
        log.info("%s: monitoring call %s of agent %s (%s)", supervisor, call.call_id, call.agent_id, message.mode)
        relay.send(
            {
                "type": "start",
                "monitor": monitoring.id,
                "call": call.call_id,
                "mode": message.mode.value,
                "indicator": self.settings.show_agent_indicator,
            }
        )
        link.send(
            {
                "type": "monitoring",
                "monitor": monitoring.id,
                "call": call.call_id,
                "agent": call.agent_id,
                "mode": message.mode.value,
            }
        )

    # --- endings ----------------------------------------------------------------------------------------

    def calls_changed(self) -> None:
        """A monitoring ends with its call (or when another agent has it now)."""
        if not self.monitorings:
            return
        connected = {c.call_id: c.agent_id for c in self.switchboard.live_calls() if c.phase is LivePhase.CONNECTED}
        self._end_where(lambda m: connected.get(m.call) != m.agent, "call_ended")

    def _end_where(self, ended: Callable[[Monitoring], bool], reason: str) -> None:
        for monitoring in [m for m in self.monitorings.values() if ended(m)]:
            self._end(monitoring, reason)

    def _end(self, monitoring: Monitoring, reason: str) -> None:
        if self.monitorings.pop(monitoring.id, None) is None:
            return
        log.info("monitoring of call %s by %s ended: %s", monitoring.call, monitoring.supervisor, reason)
        monitoring.relay.send({"type": "stop", "monitor": monitoring.id, "reason": reason})
        monitoring.watcher.send({"type": "ended", "monitor": monitoring.id, "call": monitoring.call, "reason": reason})


MONITOR_KEY = web.AppKey("monitor_desk", MonitorDesk)


def add_monitor_routes(app: web.Application, desk: MonitorDesk) -> None:
    """``/api/monitor/ws`` (supervisors) and ``/api/agent/monitor/ws`` (the agents' consoles)."""
    app[MONITOR_KEY] = desk
    app.router.add_get("/api/monitor/ws", supervisor_socket)
    app.router.add_get("/api/agent/monitor/ws", agent_socket)
    app.router.add_get("/api/monitor/settings", monitor_settings)
    app.cleanup_ctx.append(_access_watch)
    app.on_shutdown.append(_close_links)


async def _access_watch(app: web.Application) -> AsyncIterator[None]:
    desk = app[MONITOR_KEY]

    async def watch() -> None:
        while True:
            await asyncio.sleep(desk.access_check_s)
            desk.check_access()

    task = asyncio.create_task(watch(), name="monitor-access-watch")
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _close_links(app: web.Application) -> None:
    app[MONITOR_KEY].close_all()


async def monitor_settings(request: web.Request) -> web.StreamResponse:
    """``GET /api/monitor/settings``: whether the wallboard offers monitoring to this viewer."""
    who = viewer(request)
    allowed = who is not None and Role.SUPERVISOR.value in who.roles
    return web.json_response({"enabled": request.app[MONITOR_KEY].settings.enabled, "allowed": allowed})


async def supervisor_socket(request: web.Request) -> web.StreamResponse:
    """The wallboard's socket: 403 from a foreign page or without the supervisor role, 401 signed out."""
    desk = request.app[MONITOR_KEY]
    if not same_origin(request, required=True):
        raise web.HTTPForbidden(text="cross-origin request refused")
    who = require(request, Role.SUPERVISOR.value)
    ws = web.WebSocketResponse(heartbeat=HEARTBEAT_S, max_msg_size=MAX_MESSAGE_BYTES)
    await ws.prepare(request)

    def still_allowed() -> bool:
        now = viewer(request)
        return now is not None and Role.SUPERVISOR.value in now.roles

    link = Link(ws, who.name, still_allowed)
    desk.supervisor_joined(link)

    def handle(text: str) -> None:
        desk.from_supervisor(who.name, link, parse_supervisor(text))

    try:
        await _serve(ws, link, handle)
    finally:
        desk.supervisor_left(link)
    return ws


async def agent_socket(request: web.Request) -> web.StreamResponse:
    """The agent console's relay socket: closed with 4401 without a live session of an agent."""
    desk = request.app[MONITOR_KEY]
    agents = request.app[DESK_KEY]
    if not same_origin(request, required=True):
        raise web.HTTPForbidden(text="cross-origin request refused")
    ws = web.WebSocketResponse(heartbeat=HEARTBEAT_S, max_msg_size=MAX_MESSAGE_BYTES)
    await ws.prepare(request)
    token = request.cookies.get(SESSION_COOKIE)
    account = agents.live_account(agents.sessions.get(token))
    if account is None or not account.may(Role.AGENT):
        await ws.close(code=CLOSE_SIGN_IN, message=b"sign in as an agent first")
        return ws
    agent_id = account.agent_id

    def still_allowed() -> bool:
        return agents.live_account(agents.sessions.get(token)) is not None

    link = Link(ws, agent_id, still_allowed)
    desk.agent_joined(agent_id, link)

    def handle(text: str) -> None:
        desk.from_agent(agent_id, link, parse_agent(text))

    try:
        await _serve(ws, link, handle)
    finally:
        desk.agent_left(agent_id, link)
    return ws


async def _serve(ws: web.WebSocketResponse, link: Link, handle: Callable[[str], None]) -> None:
    """Read until the socket closes: each message checked against the session, validated, handled; an
    error for each refusal, and the socket closed after too many messages that do not validate."""
    writer = asyncio.create_task(link.pump(), name=f"monitor-{link.who}")
    bad = 0
    try:
        async for frame in ws:
            if not link.allowed():
                link.send({"type": "error", "reason": "session_expired", "request": None})
                link.end(CLOSE_SIGN_IN)
                return
            if frame.type is not WSMsgType.TEXT:
                if frame.type is WSMsgType.BINARY:
                    link.send({"type": "error", "reason": "binary messages are not accepted", "request": None})
                    continue
                return
            try:
                handle(frame.data)
            except BadMonitorMessage as error:
                bad += 1
                log.info("monitor link of %s: bad message: %s", link.who, error.reason)
                link.send({"type": "error", "reason": error.reason, "request": error.request})
                if bad >= MAX_BAD_MESSAGES:
                    link.end(int(WSCloseCode.POLICY_VIOLATION))
                    return
            except MonitorRefused as refused:
                link.send({"type": "error", "reason": refused.reason, "request": None})
    finally:
        link.end(int(WSCloseCode.GOING_AWAY))
        with contextlib.suppress(asyncio.CancelledError, TimeoutError):
            await asyncio.wait_for(writer, WRITER_DRAIN_S)
