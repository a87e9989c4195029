"""Files a device sends to central over HTTP (a screenshot, its log lines), with the one-time token that
came in the command's args: large files stay off the broker, whose messages are small by design.

Standard library only (urllib in a worker thread): the kiosk has no HTTP client of its own, and one upload
now and then needs none.
"""

from __future__ import annotations

import asyncio
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from device.commands import CommandRefused

UPLOAD_TIMEOUT_S = 30.0
TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,128}$")
URL = re.compile(r"^https?://[^\s/?#]+(/[^\s?#]*)?$")
MAX_URL_CHARS = 2000


@dataclass(frozen=True)
class UploadTarget:
    """Where one file goes, and the token that lets it in once."""

    url: str
    token: str


def upload_target(command: str, args: dict[str, Any]) -> UploadTarget:
    """The target named by ``upload_url`` and ``token`` in a command's args; CommandRefused naming the bad one."""
    url = args.get("upload_url")
    if not isinstance(url, str) or len(url) > MAX_URL_CHARS or not URL.match(url):
        raise CommandRefused(f"{command}: 'upload_url' must be central's http(s) upload address")
    token = args.get("token")
    if not isinstance(token, str) or not TOKEN.match(token):
        raise CommandRefused(f"{command}: 'token' must be the one-time upload token (16-128 of A-Z a-z 0-9 _ -)")
    return UploadTarget(url, token)


class UploadFailed(Exception):
    """Central could not be reached or refused the file; the message says which, for the reply."""


def post(target: UploadTarget, body: bytes, content_type: str, timeout_s: float = UPLOAD_TIMEOUT_S) -> int:
    """POST ``body`` (blocking); the HTTP status on success."""
    request = urllib.request.Request(  # noqa: S310 (upload_target lets only http(s) through)
        target.url,
        data=body,
        method="POST",
        headers={"Authorization": f"Bearer {target.token}", "Content-Type": content_type},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:  # noqa: S310 (http(s) checked above)
            return int(response.status)
    except urllib.error.HTTPError as exc:
        reason = exc.read(300).decode("utf-8", "replace").strip()
        raise UploadFailed(f"central refused the upload: HTTP {exc.code} {reason}".strip()) from None
    except (urllib.error.URLError, OSError) as exc:
        raise UploadFailed(f"central not reached for the upload: {getattr(exc, 'reason', exc)}") from None


async def deliver(target: UploadTarget, body: bytes, content_type: str) -> int:
    """:func:`post` in a worker thread, so the screen stays responsive while it sends."""
    return await asyncio.to_thread(post, target, body, content_type)
