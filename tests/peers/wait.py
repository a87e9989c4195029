"""Waiting for a condition another process makes true (checked repeatedly, never a fixed sleep)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(check: Callable[[], T], what: str, timeout_s: float = 15.0, interval_s: float = 0.05) -> T:
    """Call ``check`` until it returns something truthy, and return that; fail after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s:g} s waiting for {what}")
        time.sleep(interval_s)


async def until(condition: Callable[[], object], what: str | Callable[[], str], timeout_s: float = 15.0) -> None:
    """The asyncio twin of :func:`wait_until`, for a loop that must keep running Qt and calls meanwhile.

    For state that nothing announces (Qt widgets, other libraries' tasks and threads); where the code under
    test calls back, wait on that instead. ``what`` may be a function, to describe the state at the timeout.
    """
    try:
        async with asyncio.timeout(timeout_s):
            while not condition():
                await asyncio.sleep(0.02)
    except TimeoutError:
        described = what() if callable(what) else what
        raise AssertionError(f"timed out after {timeout_s:g} s waiting for {described}") from None
