"""Headers on every response: the pages load only their own files and leak nothing to other sites."""

from __future__ import annotations

from aiohttp import web

SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'self'; base-uri 'none'; frame-ancestors 'self'; form-action 'self'"),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


async def add_security_headers(_request: web.Request, response: web.StreamResponse) -> None:
    """An ``on_response_prepare`` hook, so that streamed responses (events, files) get them too."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
