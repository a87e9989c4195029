"""How long each supervisors' report takes over a year of call records, beside a full scan of the table.

``python -m bench.reports [--calls N] [--runs R] [--quick]``

A SQLite call store in a temporary directory gets one year of made-up records (default 500,000 calls,
:mod:`central.reports.sample`, 2025-12-01 to 2026-11-30, Asia/Shanghai). Each report a page shows is run R
times through :class:`central.reports.ReportBook` (as ``/api/reports`` runs it, on a fresh read-only
connection each time): by day for a month (and for the year), by hour for a day, and by skill, category and
agent for the year.
The baseline, measured in the same run: one full scan of the table (``SELECT COUNT(*), SUM(wait_s),
SUM(talk_s) FROM calls``). Goal: every report ≤ 1 s (median).
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import tempfile
import time
from contextlib import closing
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.report import table, yes
from central.reports import Grouping, ReportBook, ReportRequest
from central.reports.sample import sample_records, write_records

ZONE = ZoneInfo("Asia/Shanghai")
LAST_DAY = date(2026, 11, 30)
DAYS = 365
GOAL_S = 1.0


def reports() -> list[tuple[str, ReportRequest]]:
    year = LAST_DAY - timedelta(days=DAYS - 1)
    return [
        ("by day, a month", ReportRequest(date(2026, 11, 1), LAST_DAY, Grouping.DAY)),
        ("by day, a year", ReportRequest(year, LAST_DAY, Grouping.DAY)),
        ("by hour, a day", ReportRequest(date(2026, 11, 16), date(2026, 11, 16), Grouping.HOUR)),
        ("by skill, a year", ReportRequest(year, LAST_DAY, Grouping.SKILL)),
        ("by category, a year", ReportRequest(year, LAST_DAY, Grouping.CATEGORY)),
        ("by agent, a year", ReportRequest(year, LAST_DAY, Grouping.AGENT)),
    ]


def full_scan(path: Path) -> float:
    started = time.perf_counter()
    with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
        db.execute("SELECT COUNT(*), SUM(wait_s), SUM(talk_s) FROM calls").fetchone()
    return time.perf_counter() - started


def timed(book: ReportBook, request: ReportRequest) -> float:
    started = time.perf_counter()
    book.report(request)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=500_000, help="calls in the year (default 500,000)")
    parser.add_argument("--runs", type=int, default=5, help="runs of each query (default 5)")
    parser.add_argument("--quick", action="store_true", help="5,000 calls, 2 runs: checks the benchmark works")
    args = parser.parse_args()
    calls, runs = (5_000, 2) if args.quick else (args.calls, args.runs)
    per_day = max(1, calls // DAYS)
    with tempfile.TemporaryDirectory(prefix="bench-reports-") as tmp:
        path = Path(tmp) / "calls.sqlite3"
        started = time.perf_counter()
        written = write_records(path, sample_records(LAST_DAY - timedelta(days=DAYS - 1), DAYS, per_day, ZONE))
        print(f"{written:,} call records over {DAYS} days written in {time.perf_counter() - started:.1f} s")
        book = ReportBook(path, ZONE, service_level_s=15.0, short_abandon_s=5.0)
        timings: dict[str, list[float]] = {"baseline: full scan of the table": []}
        for name, _ in reports():
            timings[name] = []
        for _ in range(runs):  # interleaved, so a busy moment of the machine touches every row alike
            timings["baseline: full scan of the table"].append(full_scan(path))
            for name, request in reports():
                timings[name].append(timed(book, request))
    base = statistics.median(timings["baseline: full scan of the table"])
    rows = [["query", "median ms", "min ms", "max ms", "× full scan"]]
    for name, values in timings.items():
        median = statistics.median(values)
        ratio = f"{median / base:.2f}" if base > 0 else "-"
        rows.append([name, f"{median * 1000:.1f}", f"{min(values) * 1000:.1f}", f"{max(values) * 1000:.1f}", ratio])
    print(f"{runs} runs of each, over {written:,} calls")
    print(table(rows))
    slowest = max(statistics.median(values) for name, values in timings.items() if not name.startswith("baseline"))
    print(f"every report ≤ {GOAL_S:.0f} s (median): {yes(slowest <= GOAL_S)} (slowest {slowest * 1000:.0f} ms)")


if __name__ == "__main__":
    main()
