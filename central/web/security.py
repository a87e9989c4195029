"""Headers on every response: the pages load only their own files and leak nothing to other sites."""

from __future__ import annotations

from aiohttp import web

from central.web.policy import HSTS, POLICY_KEY

SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'self'; base-uri 'none'; frame-ancestors 'self'; form-action 'self'"),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


async def add_security_headers(request: web.Request, response: web.StreamResponse) -> None:
    """An ``on_response_prepare`` hook, so that streamed responses (events, files) get them too; HSTS when
    central is served over https."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    policy = request.app.get(POLICY_KEY)
    if policy is not None and policy.https:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
