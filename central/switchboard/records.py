"""Call records as the switchboard keeps them: in the store, with today's figures kept in step."""

from __future__ import annotations

import dataclasses
from typing import Any

from central.switchboard.kpi import DayTally, Kpis, local_day
from central.switchboard.model import CallRecord
from central.switchboard.settings import SwitchboardSettings
from central.switchboard.store import CallStore


class CallLog:
    """Writes records to the store and keeps a running tally of the current local day.

    The tally is read from the store at start and at each local midnight, and then follows every write, so
    that the figures never need a query over the day's records.
    """

    def __init__(self, store: CallStore, settings: SwitchboardSettings, now: float) -> None:
        self._store = store
        self._zone = settings.zone
        self._service_level_s = settings.service_level_s
        self._short_abandon_s = settings.short_abandon_s
        self._day_start = self._day_end = 0.0
        self._tally = DayTally(self._service_level_s, self._short_abandon_s)
        self.roll(now)

    def get(self, call_id: str) -> CallRecord | None:
        return self._store.get(call_id)

    def recent_handle_times(self, skill: str, limit: int) -> list[float]:
        """The handle times of the last ``limit`` calls of ``skill`` whose wrap-up is over, oldest first."""
        records = reversed(self._store.recent_handled(skill, limit))
        return [handle_s for record in records if (handle_s := record.handle_s) is not None]

    def add(self, record: CallRecord, now: float) -> None:
        """A call that has just ended."""
        self._save(record, None, now)

    def update(self, record: CallRecord, now: float, **changes: Any) -> CallRecord:
        """Fill in details (disposition, rating, wrap-up); returns the record as stored."""
        # Read again: a rating and a disposition may each have changed the stored record since.
        current = self._store.get(record.call_id) or record
        updated = dataclasses.replace(current, **changes)
        self._save(updated, current, now)
        return updated

    def kpis(self, now: float) -> Kpis:
        """The figures of the local day of ``now``."""
        self.roll(now)
        return self._tally.kpis()

    def roll(self, now: float) -> None:
        """Start the figures of a new day when ``now`` has left the current one."""
        if self._day_start <= now < self._day_end:
            return
        self._day_start, self._day_end = local_day(now, self._zone)
        self._tally = DayTally(self._service_level_s, self._short_abandon_s)
        for record in self._store.arrived_between(self._day_start, self._day_end):
            self._tally.add(record)

    def _save(self, record: CallRecord, previous: CallRecord | None, now: float) -> None:
        self.roll(now)
        self._store.save(record)
        if self._day_start <= record.arrived_at < self._day_end:
            if previous is not None:
                self._tally.remove(previous)
            self._tally.add(record)
