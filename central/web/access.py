"""Who may see what: the facilities data needs the facilities role, the wallboard's the supervisor role or
a wall display's token; an admin may see everything. Pages themselves carry no data and stay public; their
APIs and event streams answer 401 (not signed in) or 403 (signed in without the role), and the pages send
the browser to ``/signin`` on 401.

A wall display is a screen nobody signs in at: ``central display add NAME`` gives a token once, and
opening ``/wallboard/display?token=…`` on that screen stores it in an HttpOnly cookie. Removing the display
signs the screen out at its next request.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from central.accounts import Role
from central.web.agent import DESK_KEY, SESSION_COOKIE
from central.web.pages import add_page
from central.web.policy import POLICY_KEY

DISPLAY_COOKIE = "wall_display"
DISPLAY = "display"
"""The pseudo-role of a wall display: the wallboard, read only."""
DISPLAY_COOKIE_MAX_AGE_S = 400 * 24 * 3600  # browsers cap cookies at 400 days


@dataclass(frozen=True)
class Viewer:
    """Who is looking: a signed-in account (by id) or a wall display (by name), and what they may see."""

    name: str
    roles: frozenset[str]


def viewer(request: web.Request) -> Viewer | None:
    desk = request.app.get(DESK_KEY)
    if desk is None:
        return None
    account = desk.live_account(desk.sessions.get(request.cookies.get(SESSION_COOKIE)))
    if account is not None:
        roles = {role.value for role in (Role if Role.ADMIN in account.roles else account.roles)}
        return Viewer(account.agent_id, frozenset(roles))
    display = desk.accounts.display_of(request.cookies.get(DISPLAY_COOKIE))
    if display is not None:
        return Viewer(display, frozenset({DISPLAY}))
    return None


def require(request: web.Request, *allowed: str) -> Viewer:
    """The viewer if they have one of ``allowed``; else 401 (nobody) or 403 (the wrong role), as JSON."""
    who = viewer(request)
    if who is None:
        raise web.HTTPUnauthorized(text='{"error": "signed_out"}', content_type="application/json")
    if not who.roles & set(allowed):
        raise web.HTTPForbidden(text='{"error": "forbidden"}', content_type="application/json")
    return who


def add_access_routes(app: web.Application) -> None:
    """``/signin`` (the page), ``/api/whoami`` and ``/wallboard/display``."""
    add_page(app, "/signin", "signin.html")
    app.router.add_get("/api/whoami", whoami)
    app.router.add_get("/wallboard/display", open_display)


async def whoami(request: web.Request) -> web.StreamResponse:
    """``GET /api/whoami``: the viewer's name and roles, or 401."""
    who = viewer(request)
    if who is None:
        return web.json_response({"error": "signed_out"}, status=401)
    return web.json_response({"name": who.name, "roles": sorted(who.roles)})


async def open_display(request: web.Request) -> web.StreamResponse:
    """``GET /wallboard/display?token=…``: a wall display's token becomes its cookie; then the wallboard."""
    desk = request.app.get(DESK_KEY)
    token = request.query.get("token", "")
    if desk is None or desk.accounts.display_of(token) is None:
        raise web.HTTPUnauthorized(text="unknown display token: central display add NAME gives one")
    response = web.HTTPSeeOther("/wallboard")
    response.set_cookie(
        DISPLAY_COOKIE,
        token,
        max_age=DISPLAY_COOKIE_MAX_AGE_S,
        path="/",
        httponly=True,
        samesite="Strict",
        secure=request.secure or request.app[POLICY_KEY].https,
    )
    raise response
