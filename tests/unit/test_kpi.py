"""Today's figures from call records: what counts as offered, the service level, ASA, AHT, FCR, rating."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from central.switchboard import CallRecord, DayTally, Outcome, kpis_of, local_day

SHANGHAI = ZoneInfo("Asia/Shanghai")


def record(n: int, outcome: Outcome, wait_s: float, **fields: object) -> CallRecord:
    values: dict[str, object] = {
        "call_id": f"c{n}",
        "caller_id": "kiosk-1",
        "caller_kind": "device",
        "skill": "zh",
        "language": "zh-CN",
        "location": "T1",
        "arrived_at": 1000.0 + n,
        "ended_at": 2000.0 + n,
        "outcome": outcome,
        "end_reason": "caller",
        "wait_s": wait_s,
    }
    values.update(fields)
    return CallRecord(**values)  # type: ignore[arg-type]


def answered(n: int, wait_s: float, talk_s: float, wrap_s: float | None = None, **fields: object) -> CallRecord:
    return record(n, Outcome.ANSWERED, wait_s, answered_at=1000.0 + n + wait_s, talk_s=talk_s, wrap_s=wrap_s, **fields)


DAY = [
    answered(1, 10.0, 100.0, 20.0, resolved_first_contact=True, rating=5, question_answered=True),
    answered(2, 15.0, 200.0, 40.0, resolved_first_contact=False, rating=3, question_answered=False),
    answered(3, 30.0, 60.0),  # still in wrap-up, no disposition
    record(4, Outcome.ABANDONED, 4.9),  # short: not offered
    record(5, Outcome.ABANDONED, 5.0),
    record(6, Outcome.ABANDONED, 45.0),
    record(7, Outcome.FAILED, 2.0),
    record(8, Outcome.UNSUPPORTED, 0.0),
]


def test_offered_is_answered_abandoned_and_failed_without_short_abandons():
    kpis = kpis_of(DAY, service_level_s=15.0, short_abandon_s=5.0)

    assert (kpis.offered, kpis.answered, kpis.abandoned, kpis.short_abandoned) == (6, 3, 2, 1)
    assert (kpis.failed, kpis.unsupported) == (1, 1)


def test_service_level_asa_aht_fcr_and_rating():
    kpis = kpis_of(DAY, service_level_s=15.0, short_abandon_s=5.0)

    assert kpis.answered_in_target == 2  # 10 s and exactly 15 s
    assert kpis.service_level == pytest.approx(2 / 6)
    assert kpis.asa_s == pytest.approx((10 + 15 + 30) / 3)
    assert kpis.aht_s == pytest.approx((120 + 240) / 2)  # only the calls whose wrap-up is over
    assert kpis.fcr == pytest.approx(1 / 2)
    assert kpis.average_rating == pytest.approx(4.0)
    assert kpis.question_answered == pytest.approx(0.5)


def test_nothing_to_divide_by_gives_none_not_zero():
    kpis = kpis_of([], service_level_s=15.0, short_abandon_s=5.0)

    assert kpis.offered == 0
    assert (kpis.service_level, kpis.asa_s, kpis.aht_s, kpis.fcr, kpis.average_rating) == (None,) * 5


def test_a_record_filled_in_later_replaces_its_old_self_exactly():
    tally = DayTally(service_level_s=15.0, short_abandon_s=5.0)
    for r in DAY:
        tally.add(r)
    before = tally.kpis()
    old = DAY[2]
    new = replace(old, wrap_s=33.3, resolved_first_contact=True, category="other", rating=4)

    tally.remove(old)
    tally.add(new)
    tally.remove(new)
    tally.add(old)

    assert tally.kpis() == before


def test_the_local_day_runs_from_midnight_to_midnight_in_the_sites_zone():
    start, end = local_day(datetime(2026, 11, 23, 17, 0, tzinfo=UTC).timestamp(), SHANGHAI)

    assert datetime.fromtimestamp(start, SHANGHAI) == datetime(2026, 11, 24, 0, 0, tzinfo=SHANGHAI)
    assert end - start == 86400.0


def test_a_day_with_a_daylight_saving_change_is_not_24_hours():
    zone = ZoneInfo("Europe/Berlin")
    start, end = local_day(datetime(2026, 3, 29, 12, 0, tzinfo=UTC).timestamp(), zone)

    assert end - start == 23 * 3600.0
