"""A full SD card: the device keeps running, says so, and trims what only staff read before anything a
passenger needs.

Every ``[health] disk_check_interval_s`` the guard reads the free space of the state directory's file
system. Under ``disk_low_free_mb`` it trims, in this order, rotated log files in the state directory and
the outbox's oldest events beyond ``disk_low_keep_events`` (counted in an ``outbox.dropped`` event, as
the outbox's own bound does). Print jobs and the flight boards are never touched: the first is what a
passenger is waiting for at the printer, the second what a screen shows when the network is gone.

Health carries ``disk_low``; a ``disk.low`` event goes out once when the free space falls under the
low-water mark and a ``disk.ok`` once when it rises above ``disk_ok_free_mb`` (the high-water mark), so
a disk hovering at one mark does not flap.

A disk full outright (under ``FULL_FREE_KIB`` free, or the outbox holding events it could not store) is
``disk_full`` in health as well: the events wait in memory (bus.outbox) and are stored at the next look
that finds room, and new print jobs are refused until then.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bus.outbox import Outbox, OutboxFull
from config.background import stop_task
from device.events import DeviceEvents
from device.presence import DevicePresence
from device.settings import HealthSection

log = logging.getLogger(__name__)

MIB = 1024 * 1024

ROTATED_LOGS = ("*.log.[0-9]*", "*.log.gz", "*.log.old", "*.log-[0-9]*")
"""Names logrotate and Python's rotating handlers give old log files; the live ``*.log`` is kept."""

FULL_FREE_KIB = 64
"""Free space under which no SQLite write can be counted on (a transaction with its log and a page or two)."""

StatVfs = Callable[[str], os.statvfs_result]
EventSink = Callable[[str, dict[str, Any]], object]


@dataclass(frozen=True)
class DiskCheck:
    """What one look at the disk found and did."""

    free_mb: float
    low: bool
    trimmed_files: int = 0
    trimmed_mb: float = 0.0
    dropped_events: int = 0
    full: bool = False


class DiskGuard:
    """Watches the free space of ``state_dir``'s file system; :meth:`check` is one look, :meth:`start` looks
    every ``disk_check_interval_s``."""

    def __init__(
        self,
        state_dir: Path,
        settings: HealthSection,
        outbox: Outbox | None = None,
        emit: EventSink | None = None,
        statvfs: StatVfs = os.statvfs,
    ) -> None:
        self._state_dir = state_dir
        self._settings = settings
        self._outbox = outbox
        self._emit = emit
        self._statvfs = statvfs
        self._listeners: list[Callable[[bool], None]] = []
        self._task: asyncio.Task[None] | None = None
        self._unreadable = False
        self.low: bool | None = None
        """None before the first look (or while the disk cannot be read at all)."""
        self.full: bool | None = None
        """Writes fail (or soon will): None before the first look."""

    def add_listener(self, listener: Callable[[bool], None]) -> None:
        """Called with the low state when the disk turns low or well again, or full or no longer full."""
        self._listeners.append(listener)

    async def start(self) -> None:
        self._task = asyncio.create_task(self._watch(), name="disk-guard")

    async def stop(self) -> None:
        await stop_task(self._task)
        self._task = None

    def check(self) -> DiskCheck | None:
        """Look once (reading the disk on this thread): the check, or None when the disk cannot be read."""
        free_mb = self._read_free_mb()
        return None if free_mb is None else self.apply(free_mb)

    def apply(self, free_mb: float) -> DiskCheck:
        """Act on ``free_mb`` free: trim while under the low-water mark, and say so once per crossing."""
        under = free_mb < self._settings.disk_low_free_mb
        files, trimmed_bytes, dropped = self._trim() if under else (0, 0, 0)
        full_turned, low_before = self._see_full(free_mb), self.low
        if under and self.low is not True:
            self._turn(True)
            log.warning(
                "disk low: %.0f MiB free under %.0f MiB in %s; trimmed %d rotated log files and %d old events",
                free_mb,
                self._settings.disk_low_free_mb,
                self._state_dir,
                files,
                dropped,
            )
            self._event(
                "disk.low",
                {
                    "free_mb": round(free_mb, 1),
                    "low_mb": self._settings.disk_low_free_mb,
                    "trimmed_files": files,
                    "trimmed_mb": round(trimmed_bytes / MIB, 2),
                    "dropped_events": dropped,
                },
            )
        elif under and (files or dropped):
            log.info("disk still low (%.0f MiB free): trimmed %d rotated logs, %d old events", free_mb, files, dropped)
        elif self.low is not False and free_mb > self._settings.disk_ok_free_mb:
            was_low = self.low is True
            self._turn(False)
            if was_low:
                log.info("disk ok again: %.0f MiB free in %s", free_mb, self._state_dir)
                self._event("disk.ok", {"free_mb": round(free_mb, 1), "ok_mb": self._settings.disk_ok_free_mb})
        elif self.low is None:
            self._turn(False)  # between the marks at the first look: not low, and no crossing to report
        if full_turned and self.low is low_before:  # said once: a change of low has told the listeners already
            self._tell(self.low is True)
        return DiskCheck(free_mb, self.low is True, files, trimmed_bytes / MIB, dropped, self.full is True)

    def _see_full(self, free_mb: float) -> bool:
        """Store the events held while the disk was full, if it takes them now; then whether it is full.
        Whether that changed."""
        if self._outbox is not None and self._outbox.held:
            self._outbox.store_held()
        full = free_mb * 1024 < FULL_FREE_KIB or (self._outbox is not None and self._outbox.held > 0)
        if full is self.full:
            return False
        was, self.full = self.full, full
        if full:
            held = 0 if self._outbox is None else self._outbox.held
            log.error("disk full: %.0f KiB free in %s; %d events wait in memory", free_mb * 1024, self._state_dir, held)
        elif was:
            log.info("disk no longer full: %.0f KiB free in %s", free_mb * 1024, self._state_dir)
        return True

    def _tell(self, low: bool) -> None:
        for listener in self._listeners:
            try:
                listener(low)
            except Exception:
                log.exception("disk guard listener failed")

    def _turn(self, low: bool) -> None:
        self.low = low
        self._tell(low)

    def _event(self, name: str, data: dict[str, Any]) -> None:
        # after the trim, so the event has room; on a disk that is full outright it is lost, and health says so
        if self._emit is not None:
            self._emit(name, data)

    def _read_free_mb(self) -> float | None:
        try:
            found = self._statvfs(str(self._state_dir))
        except OSError as exc:
            if not self._unreadable:
                log.warning("cannot read the free space of %s: %s", self._state_dir, exc)
            self._unreadable = True
            return None
        self._unreadable = False
        # f_bavail: what an unprivileged user (the kiosk's) may still write; root's reserve does not help it
        return found.f_bavail * found.f_frsize / MIB

    def _trim(self) -> tuple[int, int, int]:
        """Staff's data only, logs first: (files removed, their bytes, events dropped)."""
        files = trimmed_bytes = 0
        for path in rotated_logs(self._state_dir):
            try:
                size = path.stat().st_size
                path.unlink()
            except OSError as exc:
                log.warning("cannot remove the rotated log %s: %s", path, exc)
                continue
            files += 1
            trimmed_bytes += size
        dropped = 0
        if self._outbox is not None:
            with contextlib.suppress(OutboxFull):  # the outbox logged it; the next look tries again
                dropped = self._outbox.drop_oldest_beyond(self._settings.disk_low_keep_events)
        return files, trimmed_bytes, dropped

    async def _watch(self) -> None:
        while True:
            try:
                free_mb = await asyncio.to_thread(self._read_free_mb)  # an SD card can stall: off the UI loop
                if free_mb is not None:
                    self.apply(free_mb)
            except Exception:
                log.exception("disk check failed; trying again next interval")
            await asyncio.sleep(self._settings.disk_check_interval_s)


def rotated_logs(state_dir: Path) -> Iterator[Path]:
    """Rotated log files under ``state_dir`` (regular files only, links are not followed)."""
    seen: set[Path] = set()
    for pattern in ROTATED_LOGS:
        for path in state_dir.rglob(pattern):
            if path not in seen and path.is_file() and not path.is_symlink():
                seen.add(path)
                yield path


def guard_disk(
    settings: HealthSection,
    state_dir: Path,
    presence: DevicePresence,
    events: DeviceEvents,
    own_events: bool = False,
    statvfs: StatVfs = os.statvfs,
) -> DiskGuard:
    """The disk guard of a running device: in its health, its events, and started and stopped with its
    presence. With ``own_events`` (a device with no other events) it also starts and closes ``events``."""
    guard = DiskGuard(state_dir, settings, events.outbox, events.emit, statvfs)
    presence.add_health_extras(
        lambda health: health.model_copy(update={"disk_low": guard.low, "disk_full": guard.full})
    )
    guard.add_listener(lambda _low: presence.health_changed())
    presence.add_watcher(_WithEvents(guard, events) if own_events else guard)
    return guard


class _WithEvents:
    """The guard together with the events it alone sends."""

    def __init__(self, guard: DiskGuard, events: DeviceEvents) -> None:
        self._guard = guard
        self._events = events

    async def start(self) -> None:
        self._events.start()
        await self._guard.start()

    async def stop(self) -> None:
        await self._guard.stop()
        self._events.close()
