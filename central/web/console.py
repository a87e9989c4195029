"""The agent console's socket, ``GET /api/agent/ws``: switchboard events out, console messages in.

Server to browser: the events of :mod:`central.switchboard.console.events`, one JSON object per text
message. Browser to server: the messages of :mod:`central.switchboard.console.messages`. The socket is refused without a
live session (close code 4401) and from a page of another origin (HTTP 403, no upgrade). Opening it signs
the agent in; closing it is a lost console for the switchboard (a ring goes back to the queue, a call
ends for its caller with ``agent_lost``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Final

from aiohttp import WSCloseCode, WSMsgType, web

from central.accounts import Role
from central.switchboard.console.events import ConsoleError, SignedOut, SignOutReason
from central.switchboard.console.messages import (
    Accept,
    Answer,
    BadConsoleMessage,
    ConsoleMessage,
    ConsultLeave,
    ConsultRequest,
    ConsultSignalMessage,
    Decline,
    Disposition,
    HandOver,
    Hangup,
    Presence,
    TakeBack,
    Transfer,
    parse,
)
from central.switchboard.console.wire import as_json
from central.switchboard.model import AgentEvent, Refused
from central.web.agent import DESK_KEY, SESSION_COOKIE, AgentDesk, same_origin

log = logging.getLogger(__name__)

CLOSE_SIGN_IN: Final = 4401
"""No live session: the page shows its sign-in form."""
CLOSE_REPLACED: Final = 4409
"""The same agent signed in on another console."""
CLOSE_SIGNED_OUT: Final = 4000
"""The agent signed out (or the session expired)."""

MAX_FRAME_BYTES = 256 * 1024
"""Frames above this are not read at all (aiohttp closes the socket); the message limit is lower."""
HEARTBEAT_S = 20.0
MAX_QUEUED_EVENTS = 500
WRITER_DRAIN_S = 2.0


class ConsoleChannel:
    """The switchboard's :class:`AgentChannel` for one socket: events are queued and written in order."""

    def __init__(self, ws: web.WebSocketResponse, agent_id: str, credential_version: int = 1) -> None:
        self.agent_id = agent_id
        self.credential_version = credential_version
        self._ws = ws
        self._queue: asyncio.Queue[tuple[AgentEvent | None, int]] = asyncio.Queue()
        self._ended = False
        self.close_code = int(WSCloseCode.OK)

    def send(self, event: AgentEvent) -> None:
        if self._ended:
            return
        if self._queue.qsize() >= MAX_QUEUED_EVENTS:
            log.warning("agent %s: console fell %d events behind; closing it", self.agent_id, MAX_QUEUED_EVENTS)
            self.end(int(WSCloseCode.TRY_AGAIN_LATER))
            return
        self._queue.put_nowait((event, 0))
        if isinstance(event, SignedOut):
            self.end(CLOSE_REPLACED if event.reason is SignOutReason.REPLACED else CLOSE_SIGNED_OUT)

    def end(self, code: int) -> None:
        """Close the socket once the events queued so far are written."""
        if not self._ended:
            self._ended = True
            self.close_code = code
            self._queue.put_nowait((None, code))

    async def pump(self) -> None:
        """Write queued events until :meth:`end`; then close the socket with its code."""
        ws = self._ws
        while True:
            event, code = await self._queue.get()
            if event is None:
                await ws.close(code=code)
                return
            try:
                await ws.send_json(as_json(event))
            except (ConnectionResetError, RuntimeError):
                return  # the socket is gone; the reader sees it and reports the console lost


async def console_socket(request: web.Request) -> web.StreamResponse:
    desk = request.app[DESK_KEY]
    if not same_origin(request, required=True):
        log.warning("console socket from a foreign origin refused (%s)", request.remote)
        raise web.HTTPForbidden(text="cross-origin request refused")
    ws = web.WebSocketResponse(heartbeat=HEARTBEAT_S, max_msg_size=MAX_FRAME_BYTES)
    await ws.prepare(request)
    token = request.cookies.get(SESSION_COOKIE)
    account = desk.live_account(desk.sessions.get(token))
    if account is None:
        await ws.close(code=CLOSE_SIGN_IN, message=b"sign in first")
        return ws
    if not account.may(Role.AGENT):
        await ws.close(code=CLOSE_SIGN_IN, message=b"this account does not answer calls")
        return ws
    channel = ConsoleChannel(ws, account.agent_id, account.credential_version)
    writer = asyncio.create_task(channel.pump(), name=f"console-{account.agent_id}")
    desk.consoles.add(channel)
    try:
        try:
            desk.switchboard.agent_sign_in(account.agent_id, account.name, account.skills, channel)
        except Refused as refused:
            log.warning("agent %s: sign-in refused: %s", account.agent_id, refused.reason)
            channel.send(ConsoleError(reason=refused.reason, request="sign_in"))
            channel.end(CLOSE_SIGNED_OUT)
        else:
            log.info("agent %s: console connected from %s", account.agent_id, request.remote)
            await _read(ws, desk, channel, token)
    finally:
        desk.consoles.discard(channel)
        desk.switchboard.agent_lost(account.agent_id, channel)
        channel.end(int(WSCloseCode.GOING_AWAY))
        with contextlib.suppress(asyncio.CancelledError, TimeoutError):
            await asyncio.wait_for(writer, WRITER_DRAIN_S)
        log.info("agent %s: console closed (%s)", account.agent_id, ws.close_code)
    return ws


async def _read(ws: web.WebSocketResponse, desk: AgentDesk, channel: ConsoleChannel, token: str | None) -> None:
    async for frame in ws:
        # every message: a removed account, a changed password or an expired session ends the console
        if desk.live_account(desk.sessions.get(token)) is None:
            channel.send(ConsoleError(reason="session_expired", request=None))
            channel.end(CLOSE_SIGN_IN)
            return
        if frame.type is WSMsgType.TEXT:
            handle(desk, channel, frame.data)
        elif frame.type is WSMsgType.BINARY:
            channel.send(ConsoleError(reason="binary messages are not accepted", request=None))
        elif frame.type is WSMsgType.ERROR:
            log.info("agent %s: console socket error: %s", channel.agent_id, ws.exception())
            return


def handle(desk: AgentDesk, channel: ConsoleChannel, text: str) -> None:
    """One message from the console: validated, then handed to the switchboard; refusals go back as errors."""
    try:
        message = parse(text)
    except BadConsoleMessage as bad:
        log.info("agent %s: bad console message: %s", channel.agent_id, bad.reason)
        channel.send(ConsoleError(reason=bad.reason, request=bad.request))
        return
    try:
        dispatch(desk, channel.agent_id, message)
    except Refused as refused:
        log.info("agent %s: %s refused: %s", channel.agent_id, message.type, refused.reason)
        channel.send(ConsoleError(reason=refused.reason, request=message.type))


def dispatch(desk: AgentDesk, agent_id: str, message: ConsoleMessage) -> None:
    switchboard = desk.switchboard
    if isinstance(message, Presence):
        switchboard.agent_presence(agent_id, message.available)
    elif isinstance(message, Accept):
        switchboard.agent_accept(agent_id, message.call)
    elif isinstance(message, Decline):
        switchboard.agent_decline(agent_id, message.call)
    elif isinstance(message, Answer):
        switchboard.agent_sdp(agent_id, message.call, "answer", message.sdp)
    elif isinstance(message, Hangup):
        switchboard.agent_hangup(agent_id, message.call)
    elif isinstance(message, Disposition):
        switchboard.agent_disposition(agent_id, message.call, message.resolved, message.category, message.note)
    elif isinstance(message, Transfer):
        switchboard.agent_transfer(agent_id, message.call, skill=message.skill, to=message.agent)
    elif isinstance(message, ConsultRequest):
        switchboard.agent_consult(agent_id, message.call, message.agent)
    elif isinstance(message, ConsultSignalMessage):
        switchboard.agent_consult_signal(agent_id, message.call, message.kind, message.sdp)
    elif isinstance(message, HandOver):
        switchboard.agent_hand_over(agent_id, message.call)
    elif isinstance(message, TakeBack):
        switchboard.agent_take_back(agent_id, message.call)
    elif isinstance(message, ConsultLeave):
        switchboard.agent_consult_leave(agent_id, message.call)
