"""``[cases]``: the categories of follow-up cases (each with its department and time limit), how long a
callback number outlives its case, and the passenger page's limits."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from central.cases.model import Category
from config.sections import Section

CATEGORY_ID = r"^[a-z][a-z0-9_]{0,31}$"


class CaseCategory(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, Field(pattern=CATEGORY_ID)]
    department: Annotated[str, Field(pattern=CATEGORY_ID)]
    limit_h: Annotated[float, Field(gt=0, le=24 * 365)]
    en: Annotated[str, Field(min_length=1, max_length=60)]
    zh: Annotated[str, Field(min_length=1, max_length=30)]

    def category(self) -> Category:
        return Category(self.id, self.department, self.limit_h * 3600, self.en, self.zh)


DEFAULT_CATEGORIES = (
    CaseCategory(id="lost_property", department="lost_found", limit_h=48, en="Lost property", zh="遗失物品"),
    CaseCategory(id="damaged_bag", department="baggage", limit_h=72, en="Damaged baggage", zh="行李损坏"),
    CaseCategory(id="delayed_bag", department="baggage", limit_h=24, en="Delayed baggage", zh="行李延误"),
    CaseCategory(id="complaint", department="service", limit_h=120, en="Complaint", zh="投诉"),
    CaseCategory(id="other", department="service", limit_h=24, en="Other request", zh="其他诉求"),
)


class CasesSection(Section):
    """Follow-up cases (see docs/cases.md)."""

    categories: Annotated[list[CaseCategory], Field(max_length=100)] = Field(
        default_factory=list,
        description="Case categories: [[cases.categories]] tables of id, department, limit_h (hours to close), "
        "en and zh (the names people see); empty: lost property, damaged and delayed baggage, complaint and "
        "other (see docs/cases.md).",
    )
    phone_keep_days: Annotated[float, Field(ge=0, le=365)] = Field(
        default=30.0, description="Days a callback number is kept after its case is closed; then it is erased."
    )
    check_s: Annotated[float, Field(gt=0, le=3600)] = Field(
        default=30.0, description="Seconds between two looks for overdue cases and numbers to erase."
    )
    passenger_posts_per_minute: Annotated[int, Field(ge=1, le=1000)] = Field(
        default=10, description="Ratings one client address may send to passenger pages a minute."
    )

    @field_validator("categories")
    @classmethod
    def _ids_unique(cls, value: list[CaseCategory]) -> list[CaseCategory]:
        ids = [entry.id for entry in value]
        doubled = sorted({entry for entry in ids if ids.count(entry) > 1})
        if doubled:
            raise ValueError(f"category ids must differ: {', '.join(doubled)} given twice")
        return value

    def category_list(self) -> list[Category]:
        return [entry.category() for entry in self.categories or DEFAULT_CATEGORIES]
