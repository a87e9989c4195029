"""What every benchmark's printout shares: spreads of a few runs, plain-text tables, goal answers, and the
--json file of the call benchmarks."""

from __future__ import annotations

import json
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Spread:
    """Median, lowest and highest of a few runs."""

    median: float
    low: float
    high: float

    @classmethod
    def of(cls, values: list[float]) -> Spread:
        return cls(statistics.median(values), min(values), max(values))

    def __str__(self) -> str:
        return f"{self.median:.0f} ({self.low:.0f}–{self.high:.0f})"


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile (``share`` 0.99 for p99): a value that was measured, never interpolated.

    The one definition every benchmark uses, so that their p99s can be compared.
    """
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1))]


def table(rows: list[list[str]]) -> str:
    """First column left-aligned, the others right-aligned, a rule under the header."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join([row[0].ljust(widths[0]), *(c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True))]).rstrip()
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def yes(ok: bool) -> str:
    """The answer to a goal line."""
    return "yes" if ok else "no"


def write_figures(path: Path, environment: dict[str, Any], took_s: float, **figures: object) -> None:
    """Writes a run's raw figures as JSON: the machine it ran on, how long it took, then the figures."""
    data = {"environment": environment, "took_s": round(took_s, 2), **figures}
    path.write_text(json.dumps(data, indent=2) + "\n")
