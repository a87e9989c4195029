"""What dedupe of devices' events needs, kept across central's restarts, in SQLite and in PostgreSQL: a restarted
central drops the minute of events a device sends again after its reconnect, fills its old gaps with late
events, keeps its counts (which never go down), and loses nothing when its store refuses a write for a while."""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterable
from pathlib import Path

import psycopg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import central.event_seqs
from bus.messages.device import DeviceEvent
from bus.topics import Topics
from central.alerts.facts import EventGaps
from central.device_events import RESEND_REACH, DeviceEventLog
from central.event_seqs import EventSeqs, SeqMarks
from central.records.sqlite import StoreError

TOPICS = Topics("airport/HAK")
KIOSK = "kiosk-t1-01"


@pytest.fixture(params=["sqlite", "postgres"])
def place(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    """Where the seqs are kept: a SQLite file in the state dir, or a PostgreSQL database ([store] url)."""
    if request.param == "sqlite":
        return tmp_path / "event-seqs.sqlite3"
    return str(request.getfixturevalue("postgres_url"))


def event(seq: int, name: str = "print.done") -> DeviceEvent:
    return DeviceEvent(seq=seq, name=name)


def central_on(place: Path | str) -> tuple[DeviceEventLog, EventSeqs, list[int]]:
    """A central's event log reading back and keeping its seqs at ``place``, and the seqs it takes."""
    seqs = EventSeqs(place)
    log = DeviceEventLog(TOPICS)
    log.keep_in(seqs)
    taken: list[int] = []
    log.add_listener(lambda _device, e: taken.append(e.seq))
    return log, seqs, taken


def test_a_row_reads_back_as_written_and_a_new_one_replaces_it(place: Path | str) -> None:
    seqs = EventSeqs(place)
    first = SeqMarks(last_seq=2**40, gaps=((3, 3), (7, 9)), taken=12, repeats=4, found_missing=4, filled=1)
    seqs.save([(KIOSK, first), ("sign-t2-gate-3", SeqMarks(0, (), 1, 0, 0, 0))])
    seqs.close()
    seqs = EventSeqs(place)
    assert seqs.load() == {KIOSK: first, "sign-t2-gate-3": SeqMarks(0, (), 1, 0, 0, 0)}
    seqs.save([(KIOSK, SeqMarks(2**40 + 1, (), 13, 4, 4, 4))])
    assert seqs.load()[KIOSK] == SeqMarks(2**40 + 1, (), 13, 4, 4, 4)
    seqs.close()


def test_after_central_s_restart_the_resent_minute_is_dropped_and_old_gaps_still_fill(place: Path | str) -> None:
    log, seqs, taken = central_on(place)
    for seq in (0, 1, 2, 4, 5, 6):  # 3 acknowledged by a dying broker and not passed on
        log.take(KIOSK, event(seq))
    assert taken == [0, 1, 2, 4, 5, 6]
    seqs.close()  # SIGKILL: nothing more written than what each take wrote

    log, seqs, taken = central_on(place)
    for seq in range(8):  # the device reconnects and sends its kept minute again, then a new event
        log.take(KIOSK, event(seq))
    assert taken == [3, 7]  # the late one fills its gap; every other one was taken before the restart
    stats = log.stats(KIOSK)
    assert stats is not None
    assert (stats.taken, stats.repeats, stats.found_missing, stats.filled, stats.missing) == (8, 6, 1, 1, 0)
    assert (stats.last_seq, stats.gaps) == (7, [])
    seqs.close()


def test_repeat_counts_are_written_at_the_end_and_a_new_device_starts_from_nothing(place: Path | str) -> None:
    log, seqs, _ = central_on(place)
    log.take(KIOSK, event(0))
    log.take(KIOSK, event(0))
    log.flush()
    seqs.close()
    log, seqs, taken = central_on(place)
    stats = log.stats(KIOSK)
    assert stats is not None and (stats.taken, stats.repeats) == (1, 1)
    assert log.take("kiosk-new", event(5))  # its first event, whatever its seq
    assert taken == [5]
    seqs.close()


def test_a_restarted_central_raises_no_gap_it_had_found_before(place: Path | str) -> None:
    log, seqs, _ = central_on(place)
    gaps = EventGaps(log, clock=lambda: 100.0)
    log.take(KIOSK, event(0))
    log.take(KIOSK, event(4))
    assert gaps.last_gap_at == {KIOSK: 100.0} and gaps.counts() == {KIOSK: (3, 0)}
    seqs.close()

    log, seqs, _ = central_on(place)
    gaps = EventGaps(log, clock=lambda: 200.0)
    log.take(KIOSK, event(5))
    log.take(KIOSK, event(2))  # late: fills, finds nothing new
    assert gaps.last_gap_at == {}
    assert gaps.counts() == {KIOSK: (3, 1)}  # read back: the counters go on from where they were
    log.take(KIOSK, event(9))
    assert gaps.last_gap_at == {KIOSK: 200.0} and gaps.counts() == {KIOSK: (6, 1)}
    seqs.close()


def test_only_the_most_recently_changed_devices_are_read_back(
    place: Path | str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(central.event_seqs, "MAX_DEVICES", 3)
    log, seqs, _ = central_on(place)
    for n in range(5):
        log.take(f"kiosk-{n}", event(0))
    seqs.close()
    seqs = EventSeqs(place)
    assert set(seqs.load()) == {"kiosk-2", "kiosk-3", "kiosk-4"}
    seqs.close()


def test_a_file_from_a_newer_program_is_refused_with_both_versions(tmp_path: Path) -> None:
    path = tmp_path / "event-seqs.sqlite3"
    EventSeqs(path).close()
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 7")
    with pytest.raises(StoreError, match=r"schema 7 is newer than this program's \(1\)"):
        EventSeqs(path)


def test_a_postgresql_database_from_a_newer_program_is_refused_with_both_versions(postgres_url: str) -> None:
    EventSeqs(postgres_url).close()
    with psycopg.connect(postgres_url, autocommit=True) as db:
        db.execute("UPDATE schema_versions SET version = 3 WHERE store = 'device event seqs'")
    with pytest.raises(StoreError, match=r"device event seqs schema 3 is newer than this program's \(1\)"):
        EventSeqs(postgres_url)


class RefusingSeqs(EventSeqs):
    """The store on a disk that is full until ``room`` is set."""

    room = False

    def save(self, rows: Iterable[tuple[str, SeqMarks]]) -> None:
        if not self.room:
            raise sqlite3.OperationalError("database or disk is full")
        super().save(rows)


def test_a_store_that_refuses_writes_loses_nothing_once_it_takes_them_again(tmp_path: Path) -> None:
    path = tmp_path / "event-seqs.sqlite3"
    seqs = RefusingSeqs(path)
    log = DeviceEventLog(TOPICS)
    log.keep_in(seqs)
    assert log.take(KIOSK, event(0)) and log.take("kiosk-t1-02", event(0))  # taken: only the write waits
    assert log.unsaved == 2
    seqs.room = True
    log.take(KIOSK, event(1))
    assert log.unsaved == 0
    seqs.close()
    assert EventSeqs(path).load() == {
        KIOSK: SeqMarks(1, (), 2, 0, 0, 0),
        "kiosk-t1-02": SeqMarks(0, (), 1, 0, 0, 0),
    }


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 30), min_size=1, max_size=60), st.integers(0, 60))
def test_counters_never_go_down_and_each_seq_is_taken_once_across_a_restart(seqs_sent: list[int], cut: int) -> None:
    """Events in any order, central restarted after ``cut`` of them (in memory: the store's part is above)."""
    kept: dict[str, SeqMarks] = {}

    class MemorySeqs(EventSeqs):
        def __init__(self) -> None:  # no file: the rows in ``kept``
            pass

        def load(self) -> dict[str, SeqMarks]:
            return dict(kept)

        def save(self, rows: Iterable[tuple[str, SeqMarks]]) -> None:
            kept.update(rows)

    taken: list[int] = []
    counts: list[tuple[int, int]] = []
    for part in (seqs_sent[:cut], seqs_sent[cut:]):
        log = DeviceEventLog(TOPICS)
        log.keep_in(MemorySeqs())
        log.add_listener(lambda _device, e: taken.append(e.seq))
        for seq in part:
            log.take(KIOSK, event(seq))
            counts.append(log.gap_counts()[KIOSK])
    assert len(taken) == len(set(taken))
    for (found, filled), (found_after, filled_after) in itertools.pairwise(counts):
        assert found <= found_after and filled <= filled_after
    assert all(filled <= found for found, filled in counts)


def test_a_device_that_numbers_anew_far_below_any_resend_is_taken_from_its_new_numbers(place: Path | str) -> None:
    """Its outbox file was lost (a new card): seq 0 again, long after central kept its highest."""
    log, seqs, taken = central_on(place)
    old = RESEND_REACH + 500
    for seq in (old - 3, old - 1, old):  # a gap found on the way: counted, and it stays counted
        log.take(KIOSK, event(seq))
    seqs.close()
    log, seqs, taken = central_on(place)
    assert not log.take(KIOSK, event(old - RESEND_REACH))  # as far back as a resend may reach: a repeat
    for seq in (0, 1, 0, 2):
        log.take(KIOSK, event(seq))
    assert taken == [0, 1, 2]
    stats = log.stats(KIOSK)
    assert stats is not None and (stats.last_seq, stats.gaps, stats.repeats) == (2, [], 2)
    assert log.gap_counts()[KIOSK] == (1, 0)  # the counters do not go down with the old numbering
    seqs.close()


def test_with_the_links_hook_a_reads_events_are_written_together_before_its_acknowledgements(tmp_path: Path) -> None:
    """Given the link's before-acks hook, taking an event writes nothing; the hook (run once per read of the
    bus, before its PUBACKs) writes every device taken in that read, and a restart reads them back."""
    place = tmp_path / "event-seqs.sqlite3"
    seqs = EventSeqs(place)
    log = DeviceEventLog(TOPICS)
    hooks: list = []
    log.keep_in(seqs, hooks.append)
    assert len(hooks) == 1
    for seq in range(3):
        assert log.take(KIOSK, event(seq))
    assert log.take("kiosk-t1-02", event(0))
    assert EventSeqs(place).load() == {}  # nothing written by the handlers themselves
    hooks[0]()  # the read's end
    seqs.close()
    again, _seqs, taken = central_on(place)
    assert not again.take(KIOSK, event(2)) and again.take(KIOSK, event(3)) and taken == [3]
    assert set(_seqs.load()) == {KIOSK, "kiosk-t1-02"}
