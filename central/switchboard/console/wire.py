"""The one place console events and the wallboard view become JSON."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


def as_json(model: BaseModel) -> dict[str, Any]:
    """A console event or the wallboard view as a JSON-able dict (enums as their strings)."""
    return model.model_dump(mode="json")
