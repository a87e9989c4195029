"""Stopping a background task a service started: one way, everywhere."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any


async def stop_task(task: asyncio.Task[Any] | None) -> None:
    """Cancel ``task`` and wait until it has ended, its cancellation swallowed; nothing when it is None.

    Waiting matters: a task cancelled but not awaited may still be running its ``finally`` when the service
    closes what it used (a file, a socket, the bus link).
    """
    if task is None:
        return
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
