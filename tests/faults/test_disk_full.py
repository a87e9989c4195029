"""A disk full to the last byte under the device's outbox, the kiosk's print queue and central's stores.

Each test puts the store's directory on a tiny tmpfs (tests.peers.tmpfs), fills it with a filler file, works
through the full disk, deletes the filler, and then checks that what happened meanwhile was kept, that the
SQLite files pass ``PRAGMA integrity_check``, and that the store works again. The stores are the real ones,
in this process; the outbox sends to a real Mosquitto and the print queue prints on the emulator's pty.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from bus.link import BusLink
from bus.messages.call import CallCancel, CallHangup
from bus.messages.device import DeviceKind, PrinterState
from bus.topics import TopicKind
from central.fleet_history import HealthHistory
from central.live_calls import SqliteLiveCalls
from central.records.sqlite import SqliteCallStore
from central.switchboard import Outcome, Switchboard
from config.sections import BusSection
from device.disk import guard_disk
from device.events import FILE_NAME as EVENTS_FILE
from device.events import DeviceEvents
from device.health import HealthProbe
from device.presence import DeviceIdentity, DevicePresence
from device.settings import HealthSection
from hardware.printer.settings import PrinterSection
from kiosk.printing.queue import FILE_NAME as PRINT_JOBS_FILE
from kiosk.printing.queue import JobState
from kiosk.printing.service import PrintRefused
from kiosk.printing.setup import open_printer
from kiosk.printing.slips import QueueTicket
from tests.peers.bus_device import bus_observer, from_now_on
from tests.peers.central import SITE, TOPICS
from tests.peers.mosquitto import Mosquitto
from tests.peers.printer import printer_emulator
from tests.peers.switchboard import Board
from tests.peers.tmpfs import tiny_disk
from tests.peers.wait import until

pytestmark = [pytest.mark.slow, pytest.mark.faults]

WAIT_S = 20.0
# on a 1 MiB disk: low under 0.5 MiB, well again above 0.8 MiB; looked at every second
MARKS = HealthSection(disk_low_free_mb=0.5, disk_ok_free_mb=0.8, disk_check_interval_s=1)


def intact(path: Path) -> bool:
    """``PRAGMA integrity_check`` on a connection of its own says ok."""
    db = sqlite3.connect(str(path))
    try:
        return db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        db.close()


def event_seqs(messages: list[tuple[str, Any]], device: str) -> list[tuple[int, str]]:
    topic = TOPICS.device(device, TopicKind.DEVICE_EVENT)
    return [(body["seq"], body["name"]) for t, body in messages if t == topic and isinstance(body, dict)]


async def test_events_made_on_a_full_disk_wait_in_memory_health_says_full_and_they_all_go_when_room_returns(
    mosquitto: Mosquitto, tmp_path: Path
) -> None:
    device = "kiosk-full"
    with tiny_disk(tmp_path / "state") as disk:
        link = BusLink(BusSection(url=mosquitto.url, site=SITE), device)
        identity = DeviceIdentity(device_id=device, kind=DeviceKind.KIOSK, version="test")
        presence = DevicePresence(link, TOPICS, identity, HealthProbe(disk.path), interval_s=3600)
        events = DeviceEvents(link, TOPICS, device, disk.path)
        guard_disk(MARKS, disk.path, presence, events, own_events=True)
        health_topic = TOPICS.device(device, TopicKind.DEVICE_HEALTH)

        def health_says(full: bool) -> Any:
            return lambda topic, body: topic == health_topic and body.get("disk_full") is full

        async with bus_observer(mosquitto.url) as bus:
            await link.start()
            await presence.start()
            try:
                events.emit("test.before", {"n": 0})
                await bus.wait_for(lambda *_: (0, "test.before") in event_seqs(bus.messages, device), WAIT_S)
                await bus.wait_for(health_says(False), WAIT_S)

                disk.fill()
                held = [events.emit("test.during", {"n": n, "pad": "x" * 2000}) for n in range(1, 6)]
                assert held == [None] * 5 and events.outbox.held == 5  # none stored, none lost
                await bus.wait_for(health_says(True), WAIT_S)  # the guard's next look
                assert disk.free_bytes() == 0

                disk.free()
                await bus.wait_for(from_now_on(bus, health_says(False)), WAIT_S)
                await bus.wait_for(lambda *_: len(dict(event_seqs(bus.messages, device))) >= 7, WAIT_S)
                events.emit("test.after", {"n": 6})
                await bus.wait_for(lambda *_: "test.after" in dict(event_seqs(bus.messages, device)).values(), WAIT_S)
                await until(lambda: len(events.outbox) == 0, "every event acknowledged and forgotten", WAIT_S)
            finally:
                await presence.stop()  # closes the events and the link
        # as central does: an event sent again after a reconnect counts once (receivers drop repeats by seq)
        got = sorted(dict(event_seqs(bus.messages, device)).items())
        # every event, numbered in order with no gap; the disk.low said while full went out after too
        assert [seq for seq, _ in got] == list(range(len(got)))
        names = [name for _, name in got]
        assert names.count("test.during") == 5 and names[0] == "test.before" and names[-1] == "test.after"
        assert "disk.low" in names and "outbox.dropped" not in names
        assert events.outbox.failed == 0
        assert intact(disk.path / EVENTS_FILE)


def ticket(n: int) -> QueueTicket:
    return QueueTicket(number=f"A{n:03d}", service_zh="行李查询", service_en="Baggage")


def printed_numbers(receipts: list[dict[str, Any]]) -> list[str]:
    return [line for r in receipts if r["complete"] for line in r["text"] if line.startswith("A0")]


async def test_a_slip_queued_before_the_disk_filled_prints_once_a_new_one_is_refused_and_the_queue_recovers(
    tmp_path: Path,
) -> None:
    said: list[tuple[str, dict[str, Any]]] = []
    with printer_emulator(tmp_path / "emulator") as emulator, tiny_disk(tmp_path / "state") as disk:
        emulator.fault("cover_open")  # the first slip waits in the queue while the disk fills
        section = PrinterSection(
            enabled=True, port=str(emulator.link), baud=emulator.baud, paper_mm=58, status_interval_s=0.3
        )
        service = open_printer(section, disk.path, lambda name, data: said.append((name, data)))
        await service.start()
        try:
            first = service.submit(ticket(1))
            await until(lambda: service.state is PrinterState.COVER_OPEN, "cover open", WAIT_S)

            disk.fill()
            with pytest.raises(PrintRefused, match="full"):
                service.submit(ticket(2))  # the passenger's screen says it could not be printed
            assert [data["template"] for name, data in said if name == "print.refused"] == ["queue_ticket"]

            emulator.fault("clear")  # the cover closes: the first slip prints with the disk still full
            done = await asyncio.wait_for(service.finished(first), WAIT_S)
            assert done.state is JobState.DONE and service.health().jobs_pending == 0
            assert disk.free_bytes() == 0  # its end is kept in memory, not on the disk

            disk.free()
            third = service.submit(ticket(3))
            assert (await asyncio.wait_for(service.finished(third), WAIT_S)).state is JobState.DONE
        finally:
            await service.stop()
        receipts = emulator.wait_for_receipts(2)
        # the first printed once, not again at every look while its end could not be written
        assert printed_numbers(receipts) == ["A001", "A003"]
        assert intact(disk.path / PRINT_JOBS_FILE)
        db = sqlite3.connect(str(disk.path / PRINT_JOBS_FILE))
        try:
            states = db.execute("SELECT state FROM jobs ORDER BY seq").fetchall()
        finally:
            db.close()
        assert states == [("done",), ("done",)]


class StoredBoard(Board):
    """A :class:`Board` on central's real SQLite stores in ``folder``."""

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.records = SqliteCallStore(folder / "calls.sqlite3")
        self.live = SqliteLiveCalls(folder / "live-calls.sqlite3")
        self.store = self.records  # type: ignore[assignment]
        self.sb = Switchboard(self.settings, self.clock, self.records)
        self.sb.keep_live_calls(self.live, lambda _kind, caller_id: self.callers.get(caller_id))

    def close(self) -> None:
        self.records.close()
        self.live.close()


async def test_a_call_ending_on_central_s_full_disk_is_recorded_once_room_returns_and_central_carries_on(
    tmp_path: Path,
) -> None:
    with tiny_disk(tmp_path / "state") as disk:
        board = StoredBoard(disk.path)
        history = HealthHistory(disk.path / "fleet-history.sqlite3", clock=lambda: board.clock.now)
        try:
            board.call("kiosk-1")
            board.agent("chen", skills=["zh"])
            call_id = board.connect("chen")
            board.advance(30)
            history.record("kiosk-1", 10.0, 20.0, None, None)

            disk.fill()
            board.sb.caller_hangup("kiosk-1", CallHangup(call=call_id))  # no exception: the step goes on
            waiting = board.call("kiosk-2")  # and so do the next ones, told their place as ever
            assert board.callers["kiosk-2"].queued()
            assert board.records.unsaved == 1 and board.live.unsaved >= 2
            assert board.sb.kpis_today().answered == 1  # the figures count the call kept in memory
            board.advance(61)
            assert history.flush() == 0 and history.points("kiosk-1")  # kept, still charted
            assert history.unsaved == 1  # central's /metrics: store_unsaved{store="fleet_history"}
            assert disk.free_bytes() == 0

            disk.free()
            board.advance(1)  # the next step writes what waited
            board.sb.cancel("kiosk-2", CallCancel(call=waiting))
            assert board.records.unsaved == 0 and board.live.unsaved == 0
            history.flush()
            assert history.unsaved == 0
        finally:
            history.close()
            board.close()
        for name in ("calls.sqlite3", "live-calls.sqlite3", "fleet-history.sqlite3"):
            assert intact(disk.path / name), name
        reopened = SqliteCallStore(disk.path / "calls.sqlite3")
        try:
            record = reopened.get(call_id)
            assert record is not None and record.outcome is Outcome.ANSWERED and record.talk_s == 30
        finally:
            reopened.close()
        assert SqliteLiveCalls(disk.path / "live-calls.sqlite3").load() == []  # both calls ended, none left
        again = HealthHistory(disk.path / "fleet-history.sqlite3", clock=lambda: board.clock.now)
        try:
            assert again.row_count() == 1
        finally:
            again.close()
