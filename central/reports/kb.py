"""Knowledge-base pushes in the supervisors' reports: for a range of local days, each article agents pushed
to kiosks, how often, its share of all pushes then, and the agent who pushed it most; as rows a page shows
and a CSV file holds. The counting is the store's SQL (:meth:`central.kb.store.ArticleStore.pushes_between`);
this module only shapes it."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from typing import Any

from central.kb.store import PushedArticle
from central.reports.cases import CaseRange
from central.reports.export import safe_cell

CSV_COLUMNS = ("article_id", "title_zh", "title_en", "pushes", "share", "top_agent", "top_agent_pushes")
TOTAL_LABEL = "total"


def kb_report(pushed: Iterable[PushedArticle], asked: CaseRange) -> dict[str, Any]:
    """The rows (the most pushed first) and the total, as JSON; ``share`` is of all pushes in the range."""
    rows = list(pushed)
    total = sum(row.pushes for row in rows)
    return {
        "first": asked.first.isoformat(),
        "last": asked.last.isoformat(),
        "rows": [
            {
                "article_id": row.article_id,
                "title_zh": row.title_zh,
                "title_en": row.title_en,
                "pushes": row.pushes,
                "share": row.pushes / total,
                "top_agent": row.top_agent,
                "top_agent_pushes": row.top_agent_pushes,
            }
            for row in rows
        ],
        "total": {"pushes": total, "articles": len(rows)},
    }


def kb_report_csv(report: Mapping[str, Any]) -> str:
    """One line per article, then the total; titles and agent ids are made formula-safe (they are typed by
    people, and ``=HYPERLINK(…)`` must stay text in a spreadsheet)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in report["rows"]:
        writer.writerow(
            [
                str(row["article_id"]),
                safe_cell(row["title_zh"]),
                safe_cell(row["title_en"]),
                str(row["pushes"]),
                f"{row['share']:.4f}",
                safe_cell(row["top_agent"]),
                str(row["top_agent_pushes"]),
            ]
        )
    total = report["total"]
    writer.writerow([TOTAL_LABEL, "", "", str(total["pushes"]), "1" if total["pushes"] else "", "", ""])
    return out.getvalue()
