"""How a case is shown: in full to staff (``staff_view``), and to the passenger (``public_view``: status,
category and public notes only; never the callback number, the owner or internal notes)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from central.cases.model import Case, Category, Entry, EntryKind


def iso(epoch_s: float | None) -> str | None:
    return None if epoch_s is None else datetime.fromtimestamp(epoch_s, UTC).isoformat()


def _entry(entry: Entry) -> dict[str, Any]:
    return {
        "at": iso(entry.at),
        "who": entry.who,
        "kind": entry.kind.value,
        "text": entry.text,
        "public": entry.public,
        "status": None if entry.status is None else entry.status.value,
    }


def category_view(category: Category) -> dict[str, Any]:
    return {"id": category.id, "department": category.department, "limit_s": category.limit_s,
            "en": category.en, "zh": category.zh}  # fmt: skip


def staff_view(case: Case, now: float) -> dict[str, Any]:
    return {
        "number": case.number,
        "token": case.token,
        "category": case.category,
        "department": case.department,
        "owner": case.owner,
        "summary": case.summary,
        "calls": list(case.calls),
        "status": case.status.value,
        "opened_at": iso(case.opened_at),
        "due_at": iso(case.due_at),
        "closed_at": iso(case.closed_at),
        "overdue": case.overdue(now),
        "phone": case.phone,
        "rating": case.rating,
        "resolved_for_passenger": case.resolved_for_passenger,
        "timeline": [_entry(entry) for entry in case.timeline],
    }


def public_view(case: Case, category: Category | None) -> dict[str, Any]:
    shown = [
        {"at": iso(entry.at), "kind": entry.kind.value, "text": entry.text if entry.kind is EntryKind.NOTE else "",
         "status": None if entry.status is None else entry.status.value}
        for entry in case.timeline
        if entry.public
    ]  # fmt: skip
    return {
        "number": case.number,
        "category": {"en": category.en, "zh": category.zh} if category else {"en": case.category, "zh": case.category},
        "status": case.status.value,
        "opened_at": iso(case.opened_at),
        "due_at": iso(case.due_at),
        "timeline": shown,
        "may_rate": case.status.value == "closed" and case.rating is None,
        "rating": case.rating,
    }
