"""The kiosk's posts to central's case pages. A suggestion or complaint: ``GET {central}/api/feedback/categories``
then ``POST {central}/api/feedback`` (central rate-limits them per kiosk and per address). The passenger's
callback number, from the kiosk to central: ``POST {origin}/api/c/{token}/callback`` of
the case page the agent sent (its address is the one on the QR). Over HTTP and not as a bus event on
purpose: device events are logged and shown on the facilities page, and a phone number is kept with its
case only. The token in the address is what entitles the post (see docs/protocol.md, "Follow-up cases")."""

from __future__ import annotations

import asyncio
import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
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


@dataclass(frozen=True)
class FeedbackCategory:
    id: str
    en: str
    zh: str


@dataclass(frozen=True)
class FeedbackAnswer:
    """What central said to a feedback form: the case's number, or the reason it was refused."""

    number: int | None = None
    error: str = ""


def _exchange(address: str, body: dict[str, Any] | None) -> tuple[int, Any]:
    """(status, JSON answer) of one GET (``body`` None) or POST; (0, None) when central cannot be reached."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(  # noqa: S310 - every address here is http(s) (settings or checked)
        address, data=data, headers={"Content-Type": "application/json"}, method="GET" if body is None else "POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as answer:  # noqa: S310
            return int(answer.status), json.loads(answer.read(64 * 1024) or b"null")
    except urllib.error.HTTPError as refused:
        try:
            return int(refused.code), json.loads(refused.read(4096) or b"null")
        except ValueError:
            return int(refused.code), None
    except (urllib.error.URLError, OSError, ValueError):
        return 0, None


def _post(address: str, phone: str) -> bool:
    status, _answer = _exchange(address, {"phone": phone})
    return status == 200


async def fetch_categories(central_url: str) -> list[FeedbackCategory] | None:
    """The categories a passenger may choose, or None when central cannot be reached."""
    status, answer = await asyncio.to_thread(_exchange, f"{central_url.rstrip('/')}/api/feedback/categories", None)
    if status != 200 or not isinstance(answer, dict) or not isinstance(answer.get("categories"), list):
        return None
    found = []
    for item in answer["categories"][:50]:
        if isinstance(item, dict) and all(isinstance(item.get(key), str) for key in ("id", "en", "zh")):
            found.append(FeedbackCategory(item["id"], item["en"][:60], item["zh"][:30]))
    return found


async def post_feedback(
    central_url: str, device_id: str, category: str, text: str, phone: str | None
) -> FeedbackAnswer:
    body = {"source": "kiosk", "from": device_id, "category": category, "text": text, "contact": phone or ""}
    status, answer = await asyncio.to_thread(_exchange, f"{central_url.rstrip('/')}/api/feedback", body)
    if status == 201 and isinstance(answer, dict) and isinstance(answer.get("number"), int):
        return FeedbackAnswer(number=answer["number"])
    error = answer.get("error") if isinstance(answer, dict) else None
    return FeedbackAnswer(error=str(error) if error else "offline")


async def post_callback(passenger_url: str, phone: str) -> bool:
    """True once central has the number; False when it could not be sent or was refused."""
    address = callback_address(passenger_url)
    if address is None or not valid_phone(phone):
        return False
    return await asyncio.to_thread(_post, address, phone)
