"""Memory of a process tree: summed RSS and PSS, read from ``/proc/PID/smaps_rollup`` (Linux 4.14+).

RSS counts every resident page a process maps, so summing it over a tree counts shared libraries and
shared memory once per process. PSS splits each shared page between the processes sharing it, so its
sum is what the tree really costs the machine; both are reported because RSS is what most tools show.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from bench.proctree import tree_processes

PROC_ROOT = Path("/proc")
SETTLE_POLL_S = 0.1
SETTLE_MAX_S = 1.0
# Growth below this between two polls counts as settled: allocator noise, not start-up still going on.
SETTLE_TOLERANCE_BYTES = 256 * 1024


@dataclass(frozen=True)
class TreeMemory:
    """Memory of a process and its descendants at one moment."""

    rss_bytes: int
    pss_bytes: int
    uss_bytes: int
    processes: int


@dataclass(frozen=True)
class ProcessMemory:
    """Memory of one process, in bytes."""

    rss: int
    pss: int
    uss: int


def parse_smaps_rollup(text: str) -> ProcessMemory:
    """The figures of a ``smaps_rollup`` file (which gives them in kB)."""
    fields: dict[str, int] = {}
    for line in text.splitlines():
        name, _, rest = line.partition(":")
        parts = rest.split()
        if len(parts) == 2 and parts[1] == "kB":
            fields[name] = int(parts[0]) * 1024
    return ProcessMemory(rss=fields["Rss"], pss=fields["Pss"], uss=fields["Private_Clean"] + fields["Private_Dirty"])


def process_memory(pid: int) -> ProcessMemory | None:
    """Memory of one process, or None if it has exited (or is a zombie, which has no mappings)."""
    try:
        text = (PROC_ROOT / str(pid) / "smaps_rollup").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return parse_smaps_rollup(text) if text else None


def tree_memory(pid: int) -> TreeMemory:
    """Summed memory of ``pid`` and all its descendants; processes that exit meanwhile are skipped."""
    found = [m for m in (process_memory(p.pid) for p in tree_processes(pid)) if m is not None]
    return TreeMemory(
        rss_bytes=sum(m.rss for m in found),
        pss_bytes=sum(m.pss for m in found),
        uss_bytes=sum(m.uss for m in found),
        processes=len(found),
    )


def settled_memory(
    pid: int,
    max_wait_s: float = SETTLE_MAX_S,
    poll_s: float = SETTLE_POLL_S,
    tolerance_bytes: int = SETTLE_TOLERANCE_BYTES,
) -> TreeMemory:
    """The tree's memory once its RSS stops growing between two polls, or after ``max_wait_s`` at most."""
    deadline = time.monotonic() + max_wait_s
    last = tree_memory(pid)
    while time.monotonic() < deadline:
        time.sleep(poll_s)
        current = tree_memory(pid)
        if current.rss_bytes <= last.rss_bytes + tolerance_bytes:
            return current
        last = current
    return last
