"""Agent sign-in: ``/agent`` (the console page), ``/api/agent/login``, ``logout``, ``session`` and ``maps``,
and ``/api/agent/available`` (whom a call can be passed on to).

A good password opens a server-side session whose random token travels in an HttpOnly, SameSite=Strict
cookie (Secure over https). Wrong password and unknown agent get the same answer; failures are logged
without the password and throttled per (agent id, client address) with a growing wait, and per address
(see :class:`LoginThrottle`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlsplit

from aiohttp import WSCloseCode, web

from bus.messages.call import IceServer
from central.accounts import AGENT_ID, Account, Role
from central.switchboard.model import Refused
from central.switchboard.switchboard import Switchboard
from central.switchboard.views import available_others
from central.web.agent_sessions import AgentSession, AgentSessions, LoginThrottle
from central.web.pages import add_page
from central.web.policy import POLICY_KEY

log = logging.getLogger(__name__)

SESSION_COOKIE = "agent_session"
MAX_LOGIN_BYTES = 4096
MAX_PASSWORD_CHARS = 1024
VERIFY_SLOTS = 2
# The console's close code when the same agent signed in elsewhere and asked to end the other sessions.
CLOSE_ELSEWHERE = 4409
# ... and when the account was removed or its password changed (the page shows its sign-in form).
CLOSE_SIGNED_OUT_BY_ACCOUNT = 4401
ACCOUNT_CHECK_S = 5.0
SIGN_IN_FAILED = {"error": "sign_in_failed", "message": "Agent id or password not recognised."}


@dataclass(frozen=True, slots=True)
class MapChoice:
    """A map an agent may push to the passenger's screen."""

    id: str
    title: str
    url: str


class OpenConsole(Protocol):
    """A connected console, as far as sign-out and shutdown need one."""

    agent_id: str
    credential_version: int

    def end(self, code: int) -> None: ...


class AccountBook(Protocol):
    """The agent accounts (:class:`central.accounts.AgentAccounts`) as far as sign-in needs them."""

    def get(self, agent_id: str) -> Account | None: ...

    def verify(self, agent_id: str, password: str) -> Account | None: ...

    def display_of(self, token: str | None) -> str | None: ...


@dataclass(eq=False)
class AgentDesk:
    """Everything the agent routes share: accounts, sessions, the switchboard, the open consoles."""

    switchboard: Switchboard
    accounts: AccountBook
    """Read again at every console connection, so a removed account cannot come back with an old cookie.
    ``verify`` is slow on purpose (scrypt): it runs in a worker thread."""
    ice_servers: list[IceServer] = field(default_factory=list)
    maps: list[MapChoice] = field(default_factory=list)
    sessions: AgentSessions = field(default_factory=AgentSessions)
    throttle: LoginThrottle = field(default_factory=LoginThrottle)
    verify_slots: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(VERIFY_SLOTS))
    """Password checks at once: each scrypt takes ~128 MiB and ~0.4 s of a core; more queue here."""
    consoles: set[OpenConsole] = field(default_factory=set)
    account_check_s: float = ACCOUNT_CHECK_S
    """How often idle consoles are checked against their accounts (a message is checked at once)."""

    def account(self, agent_id: str) -> Account | None:
        try:
            return self.accounts.get(agent_id)
        except Exception:
            log.exception("agent account lookup failed")
            return None

    def live_account(self, session: AgentSession | None) -> Account | None:
        """The session's account as it is now; None (and the session's agent signed out everywhere) when
        the account was removed or its password changed since the session was opened."""
        if session is None:
            return None
        account = self.account(session.agent_id)
        if account is None or account.credential_version != session.credential_version:
            ended = self.sessions.close_agent(session.agent_id) if account is None else self._close_stale(session)
            log.info(
                "agent %s: %d session(s) ended, the account was removed or its password changed",
                session.agent_id,
                ended,
            )
            return None
        return account

    def end_consoles(self, agent_id: str, code: int) -> None:
        """Close every open console of ``agent_id``."""
        for console in [console for console in self.consoles if console.agent_id == agent_id]:
            console.end(code)

    def _close_stale(self, session: AgentSession) -> int:
        return self.sessions.close_matching(_opened_as(session.agent_id, session.credential_version))


DESK_KEY = web.AppKey("agent_desk", AgentDesk)


def add_agent_routes(app: web.Application, desk: AgentDesk) -> None:
    """``/agent`` and ``/api/agent/{login,logout,session,maps}``; the socket is added by :mod:`console`."""
    app[DESK_KEY] = desk
    add_page(app, "/agent", "agent.html")
    app.router.add_post("/api/agent/login", login)
    app.router.add_post("/api/agent/logout", logout)
    app.router.add_get("/api/agent/session", session_info)
    app.router.add_get("/api/agent/maps", maps)
    app.router.add_get("/api/agent/available", available_agents)
    app.cleanup_ctx.append(_account_watch)
    app.on_shutdown.append(_close_consoles)


async def _account_watch(app: web.Application) -> AsyncIterator[None]:
    task = asyncio.create_task(_watch_accounts(app[DESK_KEY]), name="console-account-watch")
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _watch_accounts(desk: AgentDesk) -> None:
    """An idle console whose account was removed, or whose password changed, is closed within
    ``ACCOUNT_CHECK_S`` even if it sends nothing (a console that sends anything is checked at once)."""
    while True:
        await asyncio.sleep(desk.account_check_s)
        for console in list(desk.consoles):
            account = desk.account(console.agent_id)
            if account is None or account.credential_version != console.credential_version:
                log.info("agent %s: console closed, the account was removed or its password changed", console.agent_id)
                desk.sessions.close_matching(_opened_as(console.agent_id, console.credential_version))
                console.end(CLOSE_SIGNED_OUT_BY_ACCOUNT)


def _opened_as(agent_id: str, credential_version: int) -> Callable[[AgentSession], bool]:
    return lambda session: session.agent_id == agent_id and session.credential_version == credential_version


def same_origin(request: web.Request, *, required: bool) -> bool:
    """Whether the request comes from one of our own pages: its ``Origin`` names the host it was sent to.

    Browsers send ``Origin`` with every WebSocket handshake and cross-site POST; without one the request
    did not come from a page (``required`` says whether that is acceptable).
    """
    origin = request.headers.get("Origin")
    if origin is None:
        return not required
    host = request.headers.get("Host", "")
    try:
        parts = urlsplit(origin)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(host) and parts.netloc.lower() == host.lower()


def _loggable(agent_id: object) -> str:
    return agent_id if isinstance(agent_id, str) and AGENT_ID.fullmatch(agent_id) else "(not an agent id)"


async def login(request: web.Request) -> web.StreamResponse:
    """``POST /api/agent/login`` with ``{"agent_id", "password"}``: a session cookie, or 401 / 429."""
    desk = request.app[DESK_KEY]
    if not same_origin(request, required=False):
        raise web.HTTPForbidden(text="cross-origin request refused")
    body = await _json_body(request)
    agent_id, password = body.get("agent_id"), body.get("password")
    if not isinstance(agent_id, str) or not isinstance(password, str) or len(password) > MAX_PASSWORD_CHARS:
        return web.json_response({"error": "bad_request"}, status=400)
    policy = request.app[POLICY_KEY]
    remote = policy.client_address(request)
    agent_key = agent_id.lower()[:64]
    # counted before the slow check, so that concurrent guesses all see each other
    wait_s = desk.throttle.attempt(agent_key, remote)
    if wait_s is not None:
        log.warning("login for agent %s from %s refused: too many failures", _loggable(agent_id), remote)
        return web.json_response(
            {"error": "too_many_attempts", "message": "Too many failed sign-ins; try again later."},
            status=429,
            headers={"Retry-After": str(max(1, math.ceil(wait_s)))},
        )
    try:
        async with desk.verify_slots:
            card = await asyncio.to_thread(desk.accounts.verify, agent_id, password)
    except Exception:
        log.exception("checking the password of agent %s failed", _loggable(agent_id))
        return web.json_response({"error": "unavailable"}, status=503)
    if card is None:
        log.warning("login failed for agent %s from %s", _loggable(agent_id), remote)
        return web.json_response(SIGN_IN_FAILED, status=401)
    desk.throttle.succeeded(agent_key, remote)
    if body.get("end_other_sessions") is True:
        ended = desk.sessions.close_agent(card.agent_id)
        desk.end_consoles(card.agent_id, CLOSE_ELSEWHERE)
        log.info("agent %s: signing in ended %d other session(s)", card.agent_id, ended)
    token = desk.sessions.open(card.agent_id, card.credential_version)
    log.info("agent %s signed in from %s", card.agent_id, remote)
    response = web.json_response(_card_json(desk, card))
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(desk.sessions.ttl_s),
        path="/",
        httponly=True,
        samesite="Strict",
        secure=request.secure or policy.https,
    )
    return response


async def logout(request: web.Request) -> web.StreamResponse:
    """``POST /api/agent/logout``: signs the agent out and ends the session; 409 during a call."""
    desk = request.app[DESK_KEY]
    if not same_origin(request, required=False):
        raise web.HTTPForbidden(text="cross-origin request refused")
    token = request.cookies.get(SESSION_COOKIE)
    session = desk.sessions.get(token)
    if session is not None:
        try:
            desk.switchboard.agent_sign_out(session.agent_id)
        except Refused as refused:
            if refused.reason == "on_call":
                return web.json_response({"error": "on_call", "message": "Hang up first."}, status=409)
            # not signed in on a console: nothing to sign out of
        desk.sessions.close(token)
        log.info("agent %s signed out", session.agent_id)
    response = web.json_response({"ok": True})
    response.del_cookie(SESSION_COOKIE, path="/")
    return response


async def session_info(request: web.Request) -> web.StreamResponse:
    """``GET /api/agent/session``: who is signed in and the ICE servers for calls, or 401."""
    desk = request.app[DESK_KEY]
    card = _signed_in(request)
    if card is None:
        return web.json_response({"error": "signed_out"}, status=401)
    return web.json_response(_card_json(desk, card))


async def maps(request: web.Request) -> web.StreamResponse:
    """``GET /api/agent/maps``: the maps an agent may push (an empty list hides the map tool)."""
    desk = request.app[DESK_KEY]
    if _signed_in(request) is None:
        return web.json_response({"error": "signed_out"}, status=401)
    return web.json_response([{"id": m.id, "title": m.title, "url": m.url} for m in desk.maps])


async def available_agents(request: web.Request) -> web.StreamResponse:
    """``GET /api/agent/available``: the other agents available now, with their skills, for the Transfer
    panel to offer by name (polled while on a call: a list of a few dozen at most)."""
    desk = request.app[DESK_KEY]
    card = _signed_in(request)
    if card is None:
        return web.json_response({"error": "signed_out"}, status=401)
    if not card.may(Role.AGENT):
        return web.json_response({"error": "not_an_agent"}, status=403)
    chosen = available_others(desk.switchboard.agents(), card.agent_id)
    return web.json_response([{"id": v.agent_id, "name": v.name, "skills": list(v.skills)} for v in chosen])


def _signed_in(request: web.Request) -> Account | None:
    desk = request.app[DESK_KEY]
    return desk.live_account(desk.sessions.get(request.cookies.get(SESSION_COOKIE)))


def _card_json(desk: AgentDesk, card: Account) -> dict[str, Any]:
    return {
        "agent": card.agent_id,
        "name": card.name,
        "skills": list(card.skills),
        "ice_servers": [server.model_dump(exclude_none=True) for server in desk.ice_servers],
    }


async def _json_body(request: web.Request) -> dict[str, Any]:
    if request.content_type != "application/json":
        raise web.HTTPUnsupportedMediaType(text="send JSON")
    if request.content_length is not None and request.content_length > MAX_LOGIN_BYTES:
        raise web.HTTPRequestEntityTooLarge(max_size=MAX_LOGIN_BYTES, actual_size=request.content_length)
    raw = await request.content.read(MAX_LOGIN_BYTES + 1)
    if len(raw) > MAX_LOGIN_BYTES:
        raise web.HTTPRequestEntityTooLarge(max_size=MAX_LOGIN_BYTES, actual_size=len(raw))
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):
        return {}
    return body if isinstance(body, dict) else {}


async def _close_consoles(app: web.Application) -> None:
    for channel in list(app[DESK_KEY].consoles):
        channel.end(int(WSCloseCode.GOING_AWAY))
