"""Handing the memory a finished call freed back to the system.

A call's encoder and decoder allocate their frame buffers from aiortc's and av's worker threads, so glibc
spreads them over several malloc arenas and keeps the freed pages afterwards: measured with
``bench/call_media.py``, the kiosk's RSS then grows by tens of MB over 20 calls although no Python object
and no peer connection is left (tracemalloc shows under 50 kB). ``malloc_trim`` returns those pages.
"""

from __future__ import annotations

import ctypes
import functools
from collections.abc import Callable


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        trim: Callable[[int], int] = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to do
        return None
    return trim


def return_freed_memory() -> bool:
    """glibc's ``malloc_trim(0)``; False where there is none. Takes a few ms: call it off the asyncio loop."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True


M_ARENA_MAX = -8  # glibc's mallopt parameter number for the arena limit
KIOSK_ARENA_MAX = 2


def limit_malloc_arenas(arenas: int = KIOSK_ARENA_MAX) -> bool:
    """Cap glibc's malloc arenas (as ``MALLOC_ARENA_MAX`` would), before any worker thread starts.

    Measured with ``bench/call_media.py``: with two arenas the kiosk's RSS after 20 calls is within a few
    per cent of after one; with glibc's default (8 per core) it grows by about a fifth. False where there
    is no glibc.
    """
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(M_ARENA_MAX, arenas))
