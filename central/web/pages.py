"""The three pages are plain HTML files in ``static/`` (no build step), each served at its own path.

Every response gets the headers of :mod:`central.web.security` and pages and static files are revalidated
on every load: both are ``on_response_prepare`` hooks that :func:`central.web.app.create_app` installs.
"""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

STATIC_DIR = Path(__file__).parent / "static"


def add_page(app: web.Application, path: str, file_name: str) -> None:
    """``GET path``: the file ``static/<file_name>``, as it is."""
    page = STATIC_DIR / file_name

    async def serve(_request: web.Request) -> web.StreamResponse:
        return web.FileResponse(page)

    app.router.add_get(path, serve)
