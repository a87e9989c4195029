"""Made-up call records for demonstrations, tests and the benchmark: the same seed gives the same calls.

Arrivals fall anywhere in the local day (midnight included, so day and hour edges are exercised); the mix of
outcomes, waits around the service-level target, missing wrap-ups, dispositions and ratings is roughly a
busy airport's.
"""

from __future__ import annotations

import dataclasses
import random
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import closing
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from central.records import SqliteCallStore
from central.reports.period import local_midnight
from central.switchboard.model import CallRecord, Outcome

SKILLS = ("zh", "en", "sign", "lost_property")
CATEGORIES = ("flight_info", "lost_property", "transport", "wifi", "other")
AGENTS = ("agent.chen", "agent.li", "agent.wang", "agent.zhao", "agent.ma", "agent.sun")


def sample_records(
    first: date,
    days: int,
    calls_per_day: int,
    zone: ZoneInfo,
    seed: int = 14,
    agents: Sequence[str] = AGENTS,
    categories: Sequence[str] = CATEGORIES,
) -> Iterator[CallRecord]:
    rng = random.Random(seed)  # noqa: S311 (made-up data, repeatable on purpose)
    for day in range(days):
        that_day = first + timedelta(days=day)
        start = local_midnight(that_day, zone)
        length = local_midnight(that_day, zone, 1) - start
        for n in range(calls_per_day):
            yield _call(rng, f"{that_day}-{n:06d}", start + rng.random() * length, agents, categories)


def _call(
    rng: random.Random, call_id: str, arrived_at: float, agents: Sequence[str], categories: Sequence[str]
) -> CallRecord:
    roll = rng.random()
    outcome = (
        Outcome.ANSWERED
        if roll < 0.82
        else Outcome.ABANDONED
        if roll < 0.95
        else Outcome.FAILED
        if roll < 0.98
        else Outcome.UNSUPPORTED
    )
    # whole and half seconds land exactly on the targets (15 s, 5 s) often enough to test the edges
    wait_s = round(rng.expovariate(1 / 12.0) * 2) / 2
    skill = rng.choice(SKILLS)
    common = {
        "call_id": call_id,
        "caller_id": f"kiosk-t{rng.randint(1, 2)}-{rng.randint(1, 30):02d}",
        "caller_kind": "device" if rng.random() < 0.8 else "phone",
        "skill": skill,
        "language": "zh-CN" if skill != "en" else "en",
        "location": "T1 Hall B",
        "arrived_at": arrived_at,
        "wait_s": wait_s,
        "outcome": outcome,
    }
    if outcome is not Outcome.ANSWERED:
        return CallRecord(**common, ended_at=arrived_at + wait_s, end_reason="caller")  # type: ignore[arg-type]
    talk_s = round(rng.uniform(20, 600), 2)
    return CallRecord(
        **common,  # type: ignore[arg-type]
        answered_at=arrived_at + wait_s,
        ended_at=arrived_at + wait_s + talk_s,
        agent_id=rng.choice(agents),
        end_reason=rng.choice(("caller", "agent")),
        talk_s=talk_s,
        wrap_s=None if rng.random() < 0.05 else round(rng.uniform(5, 90), 2),
        resolved_first_contact=None if rng.random() < 0.1 else rng.random() < 0.75,
        category=None if rng.random() < 0.2 else rng.choice(categories),
        rating=None if rng.random() < 0.6 else rng.randint(1, 5),
        question_answered=None if rng.random() < 0.6 else rng.random() < 0.8,
    )


def write_records(path: Path, records: Iterable[CallRecord]) -> int:
    """Adds the records to the store at ``path`` (made if new) in one transaction; how many were written."""
    SqliteCallStore(path).close()  # the schema, at this program's version
    fields = [field.name for field in dataclasses.fields(CallRecord) if field.name != "legs"]  # one leg each
    sql = f"INSERT INTO calls ({', '.join(fields)}) VALUES ({', '.join('?' for _ in fields)})"  # noqa: S608 (ours)
    rows = (tuple(getattr(record, name) for name in fields) for record in records)
    with closing(sqlite3.connect(path)) as db, db:
        cursor = db.executemany(sql, rows)
        return cursor.rowcount
