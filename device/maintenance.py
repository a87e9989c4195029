"""The commands every screen device answers for facilities staff: ``restart_app``, ``show_notice``,
``collect_logs``, ``screenshot`` and, where the program holds the flight boards, ``reload_flights``.

Qt-free: the program passes in how to take its screenshot and how to restart.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bus.messages.flights import Direction
from device.commands import CommandHandler, CommandRefused, DeviceCommands
from device.flights.store import FlightStore
from device.logs import RING_LINES, LogRing
from device.notice import NoticeBoard, show_notice_command
from device.upload import UploadFailed, deliver, upload_target

RESTART_EXIT_STATUS = 75
"""The program's exit status after ``restart_app`` (EX_TEMPFAIL): not 0, so a service manager set to
restart on failure restarts it, and the log shows it was asked to."""
DEFAULT_LOG_LINES = 200
RELOAD_WAIT_S = 10.0


@dataclass(frozen=True)
class Screenshot:
    png: bytes
    width: int
    height: int


def _count(args: dict[str, Any], command: str, key: str, default: int, most: int) -> int:
    value = args.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= most:
        raise CommandRefused(f"{command}: {key!r} must be a whole number from 1 to {most}")
    return value


def collect_logs_command(ring: LogRing) -> CommandHandler:
    """``collect_logs``: args ``lines`` (1-2000, default 200), ``upload_url``, ``token``; the lines go to
    central as text/plain, the reply says how many."""

    async def collect_logs(args: dict[str, Any]) -> str:
        count = _count(args, "collect_logs", "lines", DEFAULT_LOG_LINES, RING_LINES)
        target = upload_target("collect_logs", args)
        lines = ring.tail(count)
        body = ("\n".join(lines) + "\n").encode()
        try:
            await deliver(target, body, "text/plain; charset=utf-8")
        except UploadFailed as exc:
            raise CommandRefused(f"collect_logs: {exc}") from None
        return f"{len(lines)} log lines uploaded ({len(body)} bytes)"

    return collect_logs


ScreenGrab = Callable[[], Awaitable[Screenshot]]
"""Takes the screenshot (the program's window, on its GUI thread)."""


def screenshot_command(grab: ScreenGrab) -> CommandHandler:
    """``screenshot``: args ``upload_url``, ``token``; a PNG of the window goes to central, not the broker."""

    async def screenshot(args: dict[str, Any]) -> str:
        target = upload_target("screenshot", args)
        shot = await grab()
        try:
            await deliver(target, shot.png, "image/png")
        except UploadFailed as exc:
            raise CommandRefused(f"screenshot: {exc}") from None
        return f"screenshot {shot.width}x{shot.height} uploaded ({len(shot.png)} bytes)"

    return screenshot


def restart_app_command() -> CommandHandler:
    """``restart_app``: no args. The reply goes out first; the program then stops as on SIGTERM (its
    ``shutdown`` status, the outbox closed) and exits with :data:`RESTART_EXIT_STATUS` for its service
    manager to start it again."""

    async def restart_app(_args: dict[str, Any]) -> str:
        return f"restarting: the app exits with status {RESTART_EXIT_STATUS} and its service manager starts it again"

    return restart_app


def register_device_commands(
    commands: DeviceCommands,
    *,
    notices: NoticeBoard,
    logs: LogRing,
    restart: Callable[[], None],
    grab: ScreenGrab | None = None,
) -> None:
    """``show_notice``, ``collect_logs``, ``restart_app`` and (with ``grab``) ``screenshot``."""
    commands.register("show_notice", show_notice_command(notices))
    commands.register("collect_logs", collect_logs_command(logs))
    commands.register("restart_app", restart_app_command(), after_reply=restart)
    if grab is not None:
        commands.register("screenshot", screenshot_command(grab))


def reload_flights_command(store: FlightStore, wait_s: float = RELOAD_WAIT_S) -> CommandHandler:
    """``reload_flights``: no args. Asks the broker for both retained boards again and replies with the
    revisions held once they are in (or says which did not come within ``wait_s``)."""

    async def reload_flights(_args: dict[str, Any]) -> str:
        asked = store.reload()
        if not asked:
            raise CommandRefused("reload_flights: not connected to the broker")
        deadline = time.monotonic() + wait_s
        # a board that arrives unchanged tells the store's listeners nothing, so look until both are in
        while any(store.resyncing(direction) for direction in asked) and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.1)
        missing = [direction.value for direction in asked if store.resyncing(direction)]
        held = ", ".join(f"{direction.value} revision {store.revision(direction)}" for direction in Direction)
        if missing:
            raise CommandRefused(f"reload_flights: no {' or '.join(missing)} board within {wait_s:g} s (held: {held})")
        return f"flight boards read again: {held}"

    return reload_flights


def register_flight_commands(commands: DeviceCommands, store: FlightStore) -> None:
    """``reload_flights`` for a program that runs a flight store."""
    commands.register("reload_flights", reload_flights_command(store))
