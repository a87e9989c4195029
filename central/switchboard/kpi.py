"""Today's service figures from the call records: offered, answered, service level, ASA, AHT, FCR, rating.

"Today" is the site's local day of a call's arrival. Durations are summed in whole milliseconds so that
taking a record out again (when its disposition or rating is filled in later) leaves no rounding behind.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from central.switchboard.model import CallRecord, Outcome


def local_day(epoch_s: float, zone: ZoneInfo) -> tuple[float, float]:
    """The start and end (epoch seconds) of the local day that contains ``epoch_s``."""
    day = datetime.fromtimestamp(epoch_s, zone).date()
    start = datetime.combine(day, time(), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(), tzinfo=zone)
    return start.timestamp(), end.timestamp()


@dataclass(frozen=True, slots=True)
class Kpis:
    """A day's figures. Shares are 0..1 and None when there is nothing to divide by."""

    offered: int
    """Answered + abandoned + failed; callers who gave up within ``short_abandon_s`` are not offered."""
    answered: int
    abandoned: int
    """Gave up after ``short_abandon_s`` or later."""
    short_abandoned: int
    failed: int
    unsupported: int
    answered_in_target: int
    service_level: float | None
    """Answered within ``service_level_s`` / offered."""
    asa_s: float | None
    """Average speed of answer (wait of the answered calls)."""
    aht_s: float | None
    """Average handle time (talk + wrap-up) of the answered calls whose wrap-up is over."""
    fcr: float | None
    """Resolved at first contact / answered calls with a disposition."""
    dispositions: int
    average_rating: float | None
    ratings: int
    question_answered: float | None
    """Share of the ratings that said the question was answered (of those that said either way)."""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _ms(seconds: float) -> int:
    return round(seconds * 1000)


class DayTally:
    """Running sums over a set of records; records can be added and taken out again."""

    def __init__(self, service_level_s: float, short_abandon_s: float) -> None:
        self._target_ms = _ms(service_level_s)
        self._short_ms = _ms(short_abandon_s)
        self.answered = 0
        self.abandoned = 0
        self.short_abandoned = 0
        self.failed = 0
        self.unsupported = 0
        self.answered_in_target = 0
        self._wait_ms = 0
        self._handled = 0
        self._handle_ms = 0
        self._dispositions = 0
        self._resolved = 0
        self._ratings = 0
        self._stars = 0
        self._question_said = 0
        self._question_yes = 0

    def add(self, record: CallRecord) -> None:
        self._count(record, 1)

    def remove(self, record: CallRecord) -> None:
        self._count(record, -1)

    def _count(self, record: CallRecord, sign: int) -> None:
        wait_ms = _ms(record.wait_s)
        if record.outcome is Outcome.ANSWERED:
            self.answered += sign
            self._wait_ms += sign * wait_ms
            if wait_ms <= self._target_ms:
                self.answered_in_target += sign
            if record.talk_s is not None and record.wrap_s is not None:
                self._handled += sign
                self._handle_ms += sign * (_ms(record.talk_s) + _ms(record.wrap_s))
            if record.resolved_first_contact is not None:
                self._dispositions += sign
                self._resolved += sign * int(record.resolved_first_contact)
        elif record.outcome is Outcome.ABANDONED:
            if wait_ms < self._short_ms:
                self.short_abandoned += sign
            else:
                self.abandoned += sign
        elif record.outcome is Outcome.FAILED:
            self.failed += sign
        else:
            self.unsupported += sign
        if record.rating is not None:
            self._ratings += sign
            self._stars += sign * record.rating
        if record.question_answered is not None:
            self._question_said += sign
            self._question_yes += sign * int(record.question_answered)

    def kpis(self) -> Kpis:
        offered = self.answered + self.abandoned + self.failed
        return Kpis(
            offered=offered,
            answered=self.answered,
            abandoned=self.abandoned,
            short_abandoned=self.short_abandoned,
            failed=self.failed,
            unsupported=self.unsupported,
            answered_in_target=self.answered_in_target,
            service_level=_share(self.answered_in_target, offered),
            asa_s=_mean_s(self._wait_ms, self.answered),
            aht_s=_mean_s(self._handle_ms, self._handled),
            fcr=_share(self._resolved, self._dispositions),
            dispositions=self._dispositions,
            average_rating=_share(self._stars, self._ratings),
            ratings=self._ratings,
            question_answered=_share(self._question_yes, self._question_said),
        )


def kpis_of(records: list[CallRecord], service_level_s: float, short_abandon_s: float) -> Kpis:
    """The figures of a set of records (for example one day's, read back from the store)."""
    tally = DayTally(service_level_s, short_abandon_s)
    for record in records:
        tally.add(record)
    return tally.kpis()


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole > 0 else None


def _mean_s(total_ms: int, count: int) -> float | None:
    return total_ms / count / 1000 if count > 0 else None
