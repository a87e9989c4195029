"""A suggestion or a complaint left without a call, at a kiosk or on a QR point's page: checked here before
it becomes a case in its category's department. Pure: the web side passes the form in.

Text is refused rather than cleaned: an oversized text, or one carrying control or direction-override
characters (which can make a line read differently from what it holds), gets a clear reason back and is
not stored. Markup is not refused: every page shows a case's text as text, never as markup.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from central.cases.model import CaseRefused, checked_phone, checked_text

MAX_FEEDBACK_CHARS = 1000
PLACE_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_ALLOWED_CONTROLS = frozenset("\n\t")


class Source(StrEnum):
    KIOSK = "kiosk"
    POINT = "point"


@dataclass(frozen=True, slots=True)
class Feedback:
    category: str
    text: str
    source: Source
    place: str
    """The kiosk's device id or the QR point's id."""
    phone: str | None

    @property
    def summary(self) -> str:
        return self.text


def _hostile(text: str) -> bool:
    """Control characters (but newline and tab) and format characters such as U+202E, which reverses
    what follows it on screen."""
    return any(unicodedata.category(char) in ("Cc", "Cf") and char not in _ALLOWED_CONTROLS for char in text)


def checked_feedback(body: dict[str, object]) -> Feedback:
    """The form as a :class:`Feedback`, or :class:`CaseRefused` with the reason (``text_missing``,
    ``text_too_long``, ``text_refused``, ``bad_source``, ``bad_place``, ``bad_phone``, ``unknown_category``
    is the desk's)."""
    try:
        source = Source(str(body.get("source")))
    except ValueError:
        raise CaseRefused("bad_source", "source: kiosk or point") from None
    place = body.get("from")
    if not isinstance(place, str) or not PLACE_ID.fullmatch(place):
        raise CaseRefused("bad_place", "from: the kiosk's or the point's id")
    category = body.get("category")
    if not isinstance(category, str) or len(category) > 64:
        raise CaseRefused("unknown_category")
    text = body.get("text")
    if isinstance(text, str) and _hostile(text):
        raise CaseRefused("text_refused", "the text holds control or direction characters")
    checked = checked_text(text, MAX_FEEDBACK_CHARS, "text")
    return Feedback(category, checked, source, place, checked_phone(body.get("contact")))
