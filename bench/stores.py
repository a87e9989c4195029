"""Central's records on SQLite and on PostgreSQL side by side: the same operations through the same classes.

``python -m bench.stores [--calls N] [--runs R] [--quick]``

Each store is made new in a temporary directory: a SQLite file (the baseline, measured in the same run) and
a database on a PostgreSQL server this benchmark starts on loopback (as the tests do,
:mod:`tests.peers.postgres`; fsync off, so the figures are the stores' own work rather than the disk's).
The operations: N call records saved one by one, as the switchboard saves each call as it ends (default
10,000, over 30 days); the supervisors' reports over them (by day for the month, by hour for a day, by skill
and by agent), median of R runs each; case updates (a note added and the case saved, 1,000 of them over
100 cases); the live calls kept for a restart (1,000 callers each arriving, answered and ending: the
switchboard's three writes per call, then 1,000 waiting callers read back as a restarted central does); and
the knowledge base (500 articles added, the index opened again as at a restart, and every keystroke of
bench.kb's queries searched, median of R runs: a search reads its hits' articles from the store). Exit
status 2 when PostgreSQL is not installed (the runner then lists it as skipped).
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.kb import QUERIES, generate, keystrokes
from bench.report import table
from central.cases import model
from central.cases.model import Category
from central.cases.store import open_case_store
from central.kb import KnowledgeBase, open_article_store
from central.kb.article import draft
from central.kb.store import article_terms
from central.live_calls import open_live_calls
from central.records import SqliteCallStore
from central.records.pg_calls import PgCallStore
from central.reports import Grouping, ReportBook, ReportRequest
from central.reports.sample import sample_records
from central.switchboard.live_store import SavedCall
from central.switchboard.model import CallLeg, LegEnd
from central.switchboard.store import CallStore

ZONE = ZoneInfo("Asia/Shanghai")
LAST_DAY = date(2026, 11, 30)
DAYS = 30
LOST = Category("lost_property", "lost_found", 3600, "Lost property", "遗失物品")
UNAVAILABLE = 2


def reports() -> list[tuple[str, ReportRequest]]:
    first = LAST_DAY - timedelta(days=DAYS - 1)
    return [
        ("report by day, the month", ReportRequest(first, LAST_DAY, Grouping.DAY)),
        ("report by hour, a day", ReportRequest(LAST_DAY, LAST_DAY, Grouping.HOUR)),
        ("report by skill, the month", ReportRequest(first, LAST_DAY, Grouping.SKILL)),
        ("report by agent, the month", ReportRequest(first, LAST_DAY, Grouping.AGENT)),
    ]


@contextmanager
def postgres() -> Iterator[Callable[[], str]]:
    """A PostgreSQL server for the run; yields a maker of fresh databases' URLs."""
    from tests.peers.postgres import Postgres, bindir

    if bindir() is None:
        print("bench.stores: PostgreSQL is not installed (apt-get install postgresql)", file=sys.stderr)
        raise SystemExit(UNAVAILABLE)
    workdir = Path(tempfile.mkdtemp(prefix="bench-stores-pg-"))
    server = Postgres(workdir)
    try:
        server.start()
        yield server.fresh_database
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def seconds(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def save_calls(store: CallStore, calls: int) -> float:
    per_day = max(1, calls // DAYS)
    records = list(sample_records(LAST_DAY - timedelta(days=DAYS - 1), DAYS, per_day, ZONE))[:calls]

    def save_each() -> None:
        for record in records:
            store.save(record)

    return seconds(save_each)


def case_updates(place: Path | str, cases: int, updates: int) -> float:
    store = open_case_store(place)
    try:
        opened = [model.open_case(n, f"{n:032d}", LOST, "chen", "bag", 10.0 + n) for n in range(1, cases + 1)]
        for case in opened:
            store.save(case)

        def update() -> None:
            for n in range(updates):
                case = opened[n % cases]
                case = model.add_note(case, "chen", f"called the passenger ({n})", public=False, now=100.0 + n)
                opened[n % cases] = case
                store.save(case)

        return seconds(update)
    finally:
        store.close()


def caller(n: int) -> SavedCall:
    context = '{"flight":"HU7181","gate":"12","language":"zh-CN"}'
    return SavedCall(
        call_id=f"call-{n}",
        caller_id=f"kiosk-{n % 300}",
        caller_kind="device",
        skill="zh",
        arrived_skill="zh",
        language="zh-CN",
        context_json=context,
        arrived_at=1000.0 + n,
        order=float(n),
    )


def answered(call: SavedCall, at: float) -> SavedCall:
    leg = CallLeg(agent_id="chen", skill=call.skill, answered_at=at, ended_at=at, end=LegEnd.CLOSED)
    return dataclasses.replace(call, connected=True, agent_id="chen", answered_at=at, leg_answered_at=at, legs=(leg,))


def live_call_steps(place: Path | str, callers: int) -> float:
    """Each caller's three writes, as the switchboard makes them: arrived (waiting), answered, ended."""
    store = open_live_calls(place)
    try:

        def steps() -> None:
            for n in range(callers):
                waiting = caller(n)
                store.write([waiting], [])
                store.write([answered(waiting, 1010.0 + n)], [])
                store.write([], [waiting.call_id])

        return seconds(steps)
    finally:
        store.close()


def live_calls_read_back(place: Path | str, callers: int) -> float:
    """``callers`` waiting, read back by a store opened again (central's start after a restart)."""
    store = open_live_calls(place)
    store.write([caller(n) for n in range(callers)], [])
    store.close()
    again = open_live_calls(place)
    try:
        loaded: list[SavedCall] = []
        took = seconds(lambda: loaded.extend(again.load()))
        assert len(loaded) == callers, len(loaded)
        return took
    finally:
        again.close()


def knowledge_base(place: Path | str, articles: int, runs: int) -> dict[str, list[float]]:
    """Articles added one by one, the index opened again (a restart), and every keystroke searched."""
    drafts = [draft(**fields) for fields in generate(articles, random.Random(7))]
    article_terms(drafts[0])  # pypinyin loads its dictionaries once, at the first article: not a store's cost
    store = open_article_store(place)
    try:
        kb = KnowledgeBase(store)
        added = seconds(lambda: [kb.add(one, "sun") for one in drafts])
        opened = [seconds(lambda: KnowledgeBase(store)) for _ in range(runs)]
        typed = keystrokes(QUERIES)
        searched = [seconds(lambda: [kb.search(query) for query in typed]) for _ in range(runs)]
    finally:
        store.close()
    return {
        f"knowledge base: add {articles:,} articles": [added],
        f"knowledge base: open the index of {articles:,} (a restart)": opened,
        f"knowledge base: {len(typed)} keystrokes searched": searched,
    }


def measure(
    place: Path | str, calls: int, runs: int, cases: int, updates: int, callers: int, articles: int
) -> dict[str, list[float]]:
    """Every operation on the store at ``place`` (a SQLite file or a PostgreSQL URL): seconds per run."""
    store: CallStore = PgCallStore(place) if isinstance(place, str) else SqliteCallStore(place)
    try:
        timings = {f"save {calls:,} call records, one by one": [save_calls(store, calls)]}
    finally:
        store.close()
    book = ReportBook(place, ZONE, service_level_s=15.0, short_abandon_s=5.0)
    for name, request in reports():
        timings[name] = [seconds(lambda request=request: book.report(request)) for _ in range(runs)]
    cases_place = place if isinstance(place, str) else place.with_name("cases.sqlite3")  # a file per store
    timings[f"{updates:,} case updates (a note each)"] = [case_updates(cases_place, cases, updates)]
    live_place = place if isinstance(place, str) else place.with_name("live-calls.sqlite3")
    timings[f"live calls: {callers:,} callers arrive, answered, end"] = [live_call_steps(live_place, callers)]
    timings[f"live calls: {callers:,} waiting read back"] = [live_calls_read_back(live_place, callers)]
    timings.update(knowledge_base(place if isinstance(place, str) else place.with_name("kb.sqlite3"), articles, runs))
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=10_000, help="call records saved (default 10,000)")
    parser.add_argument("--runs", type=int, default=5, help="runs of each report (default 5)")
    parser.add_argument(
        "--quick", action="store_true", help="500 calls, 2 runs, 100 updates, 100 callers, 50 articles: checks it works"
    )
    args = parser.parse_args()
    calls, runs, updates = (500, 2, 100) if args.quick else (args.calls, args.runs, 1_000)
    callers, articles = (100, 50) if args.quick else (1_000, 500)
    cases = 100
    with tempfile.TemporaryDirectory(prefix="bench-stores-") as tmp, postgres() as fresh_database:
        on_sqlite = measure(Path(tmp) / "central.sqlite3", calls, runs, cases, updates, callers, articles)
        on_postgres = measure(fresh_database(), calls, runs, cases, updates, callers, articles)
    rows = [["operation", "SQLite ms", "PostgreSQL ms", "PostgreSQL ÷ SQLite"]]
    for name, baseline in on_sqlite.items():
        sqlite_s, postgres_s = statistics.median(baseline), statistics.median(on_postgres[name])
        ratio = f"{postgres_s / sqlite_s:.2f}" if sqlite_s > 0 else "-"
        rows.append([name, f"{sqlite_s * 1000:.1f}", f"{postgres_s * 1000:.1f}", ratio])
    print(f"SQLite (the baseline) and PostgreSQL on loopback, the same operations; reports: median of {runs} runs")
    print(table(rows))


if __name__ == "__main__":
    main()
