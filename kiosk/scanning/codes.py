"""Sorting a scanned text into what the kiosk does with it. Nothing here opens, fetches or stores anything."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

from hardware.scanner.bcbp import BoardingPass, BoardingPassError, claims_to_be_boarding_pass, parse

POINT_ID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
SHOWN_TEXT_CHARS = 160  # enough to recognise a code by; a code can carry 4,000
ELLIPSIS = "…"


@dataclass(frozen=True)
class PassScanned:
    boarding_pass: BoardingPass


@dataclass(frozen=True)
class UnreadablePass:
    """A code that starts like a boarding pass and is not one; ``reason`` is for the log and staff."""

    reason: str


@dataclass(frozen=True)
class PointScanned:
    point_id: str


@dataclass(frozen=True)
class OtherCode:
    """Any other code: only ever shown, as ``shown`` (control characters gone, cut short)."""

    shown: str


Scanned = PassScanned | UnreadablePass | PointScanned | OtherCode


def what_is(text: str, central_url: str) -> Scanned:
    """What ``text`` is to this kiosk, whose central's public address is ``central_url``."""
    if claims_to_be_boarding_pass(text):
        try:
            return PassScanned(parse(text))
        except BoardingPassError as exc:
            return UnreadablePass(exc.reason)
    point_id = info_point_id(text, central_url)
    if point_id is not None:
        return PointScanned(point_id)
    return OtherCode(shown_text(text))


def info_point_id(text: str, central_url: str) -> str | None:
    """The point id of ``{central_url}/p/{id}``, or None for any other text.

    Scheme and host (with port) must be central's exactly: a poster pasted over with another site's code
    is never followed. No query, fragment or user part is accepted, so the id is all the code carries.
    """
    try:
        code, central = urlsplit(text.strip()), urlsplit(central_url.rstrip("/"))
    except ValueError:
        return None
    if (code.scheme.lower(), code.netloc.lower()) != (central.scheme.lower(), central.netloc.lower()):
        return None
    if code.query or code.fragment or "@" in code.netloc:
        return None
    prefix = f"{central.path}/p/"
    if not code.path.startswith(prefix):
        return None
    point_id = code.path.removeprefix(prefix)
    return point_id if POINT_ID.match(point_id) else None


def shown_text(text: str, limit: int = SHOWN_TEXT_CHARS) -> str:
    """``text`` safe to show: control and format characters (bidi overrides, escapes) removed, white space
    runs made one space, cut to ``limit`` characters with an ellipsis."""
    kept = "".join(
        " " if char.isspace() else char for char in text if char.isspace() or unicodedata.category(char)[0] != "C"
    )
    kept = re.sub(r"\s+", " ", kept).strip()
    return kept if len(kept) <= limit else kept[: limit - 1].rstrip() + ELLIPSIS
