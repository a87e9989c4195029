"""A case and what may happen to it: a pure state machine (no I/O, the time is passed in).

Every change returns a new :class:`Case` with one more :class:`Entry` in its timeline, so the timeline
is the whole story of who did what and when. A closed case is reopened only with a note saying why.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

MAX_SUMMARY_CHARS = 1000
MAX_NOTE_CHARS = 2000
MAX_CALLS = 20
PHONE = re.compile(r"^\+?[0-9]{6,15}$")
_PHONE_SEPARATORS = re.compile(r"[\s().-]")


class Status(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    WAITING = "waiting_for_passenger"
    RESOLVED = "resolved"
    CLOSED = "closed"


FINISHED = frozenset({Status.RESOLVED, Status.CLOSED})
"""A finished case no longer runs against its time limit."""

ALLOWED: dict[Status, frozenset[Status]] = {
    Status.OPEN: frozenset({Status.IN_PROGRESS, Status.WAITING, Status.RESOLVED, Status.CLOSED}),
    Status.IN_PROGRESS: frozenset({Status.WAITING, Status.RESOLVED, Status.CLOSED}),
    Status.WAITING: frozenset({Status.IN_PROGRESS, Status.RESOLVED, Status.CLOSED}),
    Status.RESOLVED: frozenset({Status.IN_PROGRESS, Status.CLOSED}),
    # reopening: only with a note (see change_status)
    Status.CLOSED: frozenset({Status.IN_PROGRESS}),
}


class EntryKind(StrEnum):
    OPENED = "opened"
    NOTE = "note"
    STATUS = "status"
    OWNER = "owner"
    CALL = "call"
    RATED = "rated"
    CALLBACK = "callback"


class CaseRefused(ValueError):
    """A change the case does not allow; ``reason`` is a short code the pages translate."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(detail or reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Category:
    """A kind of case, from ``[cases] categories``: who solves it and how long they have."""

    id: str
    department: str
    limit_s: float
    en: str
    zh: str


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of a case's timeline. ``public`` entries are shown on the passenger's page."""

    at: float
    who: str
    kind: EntryKind
    text: str = ""
    public: bool = False
    status: Status | None = None


@dataclass(frozen=True, slots=True)
class Case:
    number: int
    token: str
    category: str
    department: str
    owner: str
    summary: str
    calls: tuple[str, ...]
    status: Status
    opened_at: float
    due_at: float
    timeline: tuple[Entry, ...]
    closed_at: float | None = None
    phone: str | None = None
    rating: int | None = None
    resolved_for_passenger: bool | None = None

    def overdue(self, now: float) -> bool:
        return self.status not in FINISHED and now > self.due_at

    @property
    def finished_at(self) -> float | None:
        """When it was last resolved or closed (None while it is not)."""
        if self.status not in FINISHED:
            return None
        for entry in reversed(self.timeline):
            if entry.kind is EntryKind.STATUS and entry.status in FINISHED:
                return entry.at
        return self.closed_at


def checked_text(text: object, limit: int, what: str) -> str:
    if not isinstance(text, str) or not text.strip():
        raise CaseRefused(f"{what}_missing", f"{what} is missing")
    text = text.strip()
    if len(text) > limit:
        raise CaseRefused(f"{what}_too_long", f"{what}: at most {limit} characters")
    return text


def checked_phone(phone: object) -> str | None:
    """The callback number without spaces, dashes or brackets; None when none was given."""
    if phone is None or phone == "":
        return None
    if not isinstance(phone, str) or len(phone) > 40:
        raise CaseRefused("bad_phone", "phone: 6-15 digits, optionally with a leading +")
    compact = _PHONE_SEPARATORS.sub("", phone)
    if not PHONE.fullmatch(compact):
        raise CaseRefused("bad_phone", "phone: 6-15 digits, optionally with a leading +")
    return compact


def open_case(
    number: int,
    token: str,
    category: Category,
    owner: str,
    summary: str,
    now: float,
    calls: Iterable[str] = (),
    phone: str | None = None,
) -> Case:
    """A new open case, due ``category.limit_s`` from now, owned by whoever opened it."""
    text = checked_text(summary, MAX_SUMMARY_CHARS, "summary")
    call_ids = tuple(dict.fromkeys(calls))
    if len(call_ids) > MAX_CALLS:
        raise CaseRefused("too_many_calls")
    return Case(
        number=number,
        token=token,
        category=category.id,
        department=category.department,
        owner=owner,
        summary=text,
        calls=call_ids,
        status=Status.OPEN,
        opened_at=now,
        due_at=now + category.limit_s,
        timeline=(Entry(now, owner, EntryKind.OPENED, status=Status.OPEN, public=True),),
        phone=checked_phone(phone),
    )


def _with(case: Case, entry: Entry, **changes: object) -> Case:
    return dataclasses.replace(case, timeline=(*case.timeline, entry), **changes)  # type: ignore[arg-type]


def change_status(case: Case, to: Status, who: str, now: float, note: str | None = None) -> Case:
    """``case`` moved to ``to``; a closed case is reopened only with a note (kept, internal)."""
    if to not in ALLOWED[case.status]:
        raise CaseRefused("transition_not_allowed", f"{case.status.value} → {to.value} is not allowed")
    reopening = case.status is Status.CLOSED
    text = ""
    if note is not None and note.strip():
        text = checked_text(note, MAX_NOTE_CHARS, "note")
    if reopening and not text:
        raise CaseRefused("reopen_needs_note", "reopening a closed case needs a note saying why")
    entry = Entry(now, who, EntryKind.STATUS, text=text, public=True, status=to)
    closed_at = now if to is Status.CLOSED else None
    # a reopened case starts from no rating: the passenger is asked again about the new outcome
    rating = None if reopening else case.rating
    resolved = None if reopening else case.resolved_for_passenger
    return _with(case, entry, status=to, closed_at=closed_at, rating=rating, resolved_for_passenger=resolved)


def add_note(case: Case, who: str, text: str, public: bool, now: float) -> Case:
    note = checked_text(text, MAX_NOTE_CHARS, "note")
    return _with(case, Entry(now, who, EntryKind.NOTE, text=note, public=public))


def reassign(case: Case, to_owner: str, who: str, now: float) -> Case:
    """A new owner (taking a case is reassigning it to oneself)."""
    if case.status is Status.CLOSED:
        raise CaseRefused("case_closed")
    if to_owner == case.owner:
        return case
    return _with(case, Entry(now, who, EntryKind.OWNER, text=to_owner), owner=to_owner)


def add_call(case: Case, call_id: str, who: str, now: float) -> Case:
    if call_id in case.calls:
        return case
    if len(case.calls) >= MAX_CALLS:
        raise CaseRefused("too_many_calls")
    return _with(case, Entry(now, who, EntryKind.CALL, text=call_id), calls=(*case.calls, call_id))


def rate(case: Case, rating: int, resolved: bool, now: float) -> Case:
    """The passenger's answer to "was this resolved?": once, and only once the case is closed."""
    if case.status is not Status.CLOSED:
        raise CaseRefused("not_closed")
    if case.rating is not None:
        raise CaseRefused("already_rated")
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise CaseRefused("bad_rating", "rating: 1 to 5")
    entry = Entry(now, "passenger", EntryKind.RATED, text=str(rating))
    return _with(case, entry, rating=rating, resolved_for_passenger=bool(resolved))


def add_callback(case: Case, phone: object, now: float) -> Case:
    """The passenger chose to leave a number for a callback (at the kiosk, after the case was opened). The
    timeline says that one was left, never the number; a case already closed takes none (nobody would call)."""
    if case.status is Status.CLOSED:
        raise CaseRefused("case_closed")
    number = checked_phone(phone)
    if number is None:
        raise CaseRefused("bad_phone", "phone: 6-15 digits, optionally with a leading +")
    return _with(case, Entry(now, "passenger", EntryKind.CALLBACK), phone=number)


def erase_phone(case: Case, now: float, keep_s: float) -> Case:
    """The callback number gone once the case has been closed ``keep_s``."""
    if case.phone is None or case.status is not Status.CLOSED or case.closed_at is None:
        return case
    if now < case.closed_at + keep_s:
        return case
    return dataclasses.replace(case, phone=None)
