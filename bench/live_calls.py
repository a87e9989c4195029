"""What keeping live calls for a restart costs the switchboard: bench.switchboard's routing run, without a
live-call store (the baseline) and with the SQLite file central uses, in the same run.

``python -m bench.live_calls [--decisions N] [--callers N] [--agents N] [--quick]``

The same scenario and seed twice (bench/switchboard.py): agents finishing calls and being rung with the
next caller, new callers arriving, the timer telling waiting callers who moved. With the store, every step
writes the calls it changed (a new caller; a ring, an answer and an end) in one SQLite transaction to a
file in a temporary directory (WAL, ``synchronous=NORMAL``, as ``central.live_calls``). The table gives
both runs' p50 and p99 wall clock and the ratio; the store's figure is the extra time per step.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time
from pathlib import Path

from bench.report import table, yes
from bench.switchboard import Figures, run
from central.live_calls import SqliteLiveCalls

GOAL_EXTRA_P50_US = 500.0
"""A step may cost this much more with the store (p50): far under the switchboard's 5 ms p99 goal."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.live_calls", description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=3000, help="routing decisions (default 3000)")
    parser.add_argument("--callers", type=int, default=1000, help="callers kept waiting (default 1000)")
    parser.add_argument("--agents", type=int, default=200, help="agents, all busy (default 200)")
    parser.add_argument("--quick", action="store_true", help="200 decisions, 100 callers, 20 agents: checks it runs")
    args = parser.parse_args(argv)
    if args.quick:
        args.decisions, args.callers, args.agents = 200, 100, 20
    if args.decisions < 1 or args.callers < 1 or args.agents < 1:
        parser.error("--decisions, --callers and --agents must be at least 1")

    load_before = os.getloadavg()[0]
    began = time.monotonic()

    def quiet(_line: str) -> None:
        pass

    gc.collect()
    bare = run(args.decisions, args.callers, args.agents, 1, quiet)
    with tempfile.TemporaryDirectory(prefix="bench-live-calls-") as tmp:
        store = SqliteLiveCalls(Path(tmp) / "live-calls.sqlite3")
        try:
            gc.collect()
            kept = run(args.decisions, args.callers, args.agents, 1, quiet, live=store)
            rows_left = len(store.load())
        finally:
            store.close()

    def row(name: str, without: Figures, with_store: Figures) -> list[str]:
        return [
            name,
            f"{without.p50_us:.1f}",
            f"{with_store.p50_us:.1f}",
            f"{with_store.p50_us - without.p50_us:+.1f}",
            f"{with_store.p50_us / without.p50_us:.2f}×",
            f"{without.p99_us:.1f}",
            f"{with_store.p99_us:.1f}",
            f"{with_store.p99_us / without.p99_us:.2f}×",
        ]

    header = ["", "p50 µs none", "p50 µs SQLite", "extra", "ratio", "p99 µs none", "p99 µs SQLite", "ratio"]
    rows = [header, row("agent available → call rung", bare.routed, kept.routed)]
    rows.append(row("new request → queued", bare.request, kept.request))
    extra_p50 = max(kept.routed.p50_us - bare.routed.p50_us, kept.request.p50_us - bare.request.p50_us)
    worst_p99_ms = max(kept.routed.p99_us, kept.request.p99_us) / 1000
    print(
        "\n".join(
            [
                f"Live calls kept for a restart: {args.decisions} decisions, {args.callers} callers waiting,"
                f" {args.agents} agents; without a store (baseline) and with the SQLite file, same run"
                f" (load average {load_before:.2f} before)",
                "",
                table(rows),
                "",
                f"extra per step ≤ {GOAL_EXTRA_P50_US:g} µs (p50): {yes(extra_p50 <= GOAL_EXTRA_P50_US)}"
                f" (at most {extra_p50:+.1f} µs)",
                f"p99 ≤ 5 ms with the store: {yes(worst_p99_ms <= 5.0)} ({worst_p99_ms:.2f} ms)",
                f"- {rows_left} live calls in the file at the end ({kept.waiting_after} waiting and the calls"
                " in progress); the SQLite file is in a temporary directory on this machine's disk.",
                f"- Whole benchmark: {time.monotonic() - began:.1f} s.",
            ]
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
