"""One article: what a supervisor writes (:class:`ArticleDraft`, checked field by field) and what the store
keeps (:class:`Article`, with its id, its push count and who changed it last)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

MAX_TITLE_CHARS = 200
MAX_BODY_CHARS = 4000  # a note push carries at most 4,000 characters (bus/messages/call.py LongText)
MAX_TAGS = 20
MAX_TAG_CHARS = 40
MAX_URL_CHARS = 2000
MAX_MAP_TEXT_CHARS = 200
FLIGHT_NUMBER = re.compile(r"^[A-Z0-9]{2}[A-Z]?\s?[0-9]{1,4}[A-Z]?$")
# control characters other than line breaks and tabs would only hide text from the person reading it
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ArticleInvalid(ValueError):
    """A draft that cannot be kept: which field, and why, in words a supervisor understands."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class ArticleDraft:
    """The fields a supervisor edits. Make one with :meth:`from_json` (or :func:`draft`) so it is checked."""

    title_zh: str = ""
    title_en: str = ""
    body_zh: str = ""
    body_en: str = ""
    tags: tuple[str, ...] = ()
    url: str = ""
    map_text: str = ""
    flight: str = ""

    @classmethod
    def from_json(cls, body: object) -> ArticleDraft:
        """A checked draft from a decoded JSON object; :class:`ArticleInvalid` names the first bad field."""
        if not isinstance(body, dict):
            raise ArticleInvalid("article", "send a JSON object")
        unknown = set(body) - set(cls.__dataclass_fields__)
        if unknown:
            raise ArticleInvalid(sorted(unknown)[0], "unknown field")
        return draft(**{name: value for name, value in body.items() if name in cls.__dataclass_fields__})

    def as_json(self) -> dict[str, Any]:
        return {
            "title_zh": self.title_zh,
            "title_en": self.title_en,
            "body_zh": self.body_zh,
            "body_en": self.body_en,
            "tags": list(self.tags),
            "url": self.url,
            "map_text": self.map_text,
            "flight": self.flight,
        }


def draft(**fields: object) -> ArticleDraft:
    """Check and tidy every field (trimmed, NFC, no control characters) and build the draft."""
    title_zh = _text(fields, "title_zh", MAX_TITLE_CHARS, multiline=False)
    title_en = _text(fields, "title_en", MAX_TITLE_CHARS, multiline=False)
    if not title_zh and not title_en:
        raise ArticleInvalid("title_en", "give a title in Chinese or English (or both)")
    raw_tags = fields.get("tags", [])
    if isinstance(raw_tags, str):
        raw_tags = raw_tags.split(",")
    if not isinstance(raw_tags, list | tuple):
        raise ArticleInvalid("tags", "must be a list of words")
    tags: list[str] = []
    for tag in raw_tags:
        if not isinstance(tag, str):
            raise ArticleInvalid("tags", "must be a list of words")
        tidy = _tidy(tag, multiline=False)
        if len(tidy) > MAX_TAG_CHARS:
            raise ArticleInvalid("tags", f"a tag may have at most {MAX_TAG_CHARS} characters")
        if tidy and tidy.casefold() not in {known.casefold() for known in tags}:
            tags.append(tidy)
    if len(tags) > MAX_TAGS:
        raise ArticleInvalid("tags", f"at most {MAX_TAGS} tags")
    url = _text(fields, "url", MAX_URL_CHARS, multiline=False)
    if url and not web_address(url):
        raise ArticleInvalid("url", "must be a full http:// or https:// address")
    flight = _text(fields, "flight", 16, multiline=False).upper()
    if flight and not FLIGHT_NUMBER.fullmatch(flight):
        raise ArticleInvalid("flight", "must be a flight number such as HU7181")
    return ArticleDraft(
        title_zh=title_zh,
        title_en=title_en,
        body_zh=_text(fields, "body_zh", MAX_BODY_CHARS, multiline=True),
        body_en=_text(fields, "body_en", MAX_BODY_CHARS, multiline=True),
        tags=tuple(tags),
        url=url,
        map_text=_text(fields, "map_text", MAX_MAP_TEXT_CHARS, multiline=False),
        flight=flight.replace(" ", ""),
    )


def web_address(text: str) -> bool:
    """Whether ``text`` is an absolute http or https address with a host (what a QR push may carry)."""
    if any(char.isspace() for char in text):
        return False
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 (a bad port raises here)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def _text(fields: dict[str, object], name: str, limit: int, *, multiline: bool) -> str:
    value = fields.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ArticleInvalid(name, "must be text")
    tidy = _tidy(value, multiline=multiline)
    if len(tidy) > limit:
        raise ArticleInvalid(name, f"too long: {len(tidy)} characters, at most {limit}")
    return tidy


def _tidy(value: str, *, multiline: bool) -> str:
    text = _CONTROL.sub("", unicodedata.normalize("NFC", value))
    if not multiline:
        text = " ".join(text.split())
    return text.strip()


@dataclass(frozen=True, slots=True)
class Article:
    """A kept article: the draft's fields, its id, how often agents pushed it, and its last change."""

    id: int
    fields: ArticleDraft
    pushes: int = 0
    updated_at: float = 0.0
    updated_by: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            **self.fields.as_json(),
            "kb_pushes": self.pushes,
            "updated_at": self.updated_at,
            "updated_by": self.updated_by,
        }
