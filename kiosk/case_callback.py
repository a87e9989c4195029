"""The passenger's callback number, from the kiosk to central: ``POST {origin}/api/c/{token}/callback`` of
the case page the agent sent (its address is the one on the QR). Over HTTP and not as a bus event on
purpose: device events are logged and shown on the facilities page, and a phone number is kept with its
case only. The token in the address is what entitles the post (see docs/protocol.md, "Follow-up cases")."""

from __future__ import annotations

import asyncio
import json
import re
import urllib.error
import urllib.request
from urllib.parse import urlsplit, urlunsplit

PHONE = re.compile(r"^\+?[0-9]{6,15}$")
CASE_PATH = re.compile(r"^/c/([A-Za-z0-9_-]{16,64})$")
TIMEOUT_S = 10.0


def valid_phone(number: str) -> bool:
    return bool(PHONE.fullmatch(number))


def callback_address(passenger_url: str) -> str | None:
    """Where the number for the case at ``passenger_url`` is posted; None when it is no case page."""
    parts = urlsplit(passenger_url)
    found = CASE_PATH.fullmatch(parts.path)
    if parts.scheme not in ("http", "https") or not parts.netloc or found is None:
        return None
    return urlunsplit((parts.scheme, parts.netloc, f"/api/c/{found.group(1)}/callback", "", ""))


def _post(address: str, phone: str) -> bool:
    body = json.dumps({"phone": phone}).encode()
    request = urllib.request.Request(  # noqa: S310 - the address was checked to be http(s) above
        address, data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as answer:  # noqa: S310
            return bool(answer.status == 200)
    except (urllib.error.URLError, OSError):
        return False


async def post_callback(passenger_url: str, phone: str) -> bool:
    """True once central has the number; False when it could not be sent or was refused."""
    address = callback_address(passenger_url)
    if address is None or not valid_phone(phone):
        return False
    return await asyncio.to_thread(_post, address, phone)
