"""What the loop's thread was doing during a long gap: garbage collection, the whole process starved, or busy.

Three witnesses run beside a heartbeat and are read after it:

- the garbage collector's own callbacks (``gc.callbacks``): when each collection started, how long it took,
  which generation;
- a watchdog thread that asks for a 5 ms sleep over and over: when it wakes up much later than asked, no
  Python thread of this process could run: the process's CPU time over that span tells a thread of ours
  holding the GIL in C code (CPU used) from the machine giving the process no CPU (none used);
- a sample of the loop thread's Python stack, taken by the watchdog when the heartbeat is late, which names
  the Python code that kept it (if it was running Python at all);
- a bystander: a separate process doing nothing but 5 ms sleeps. When it wakes up late at the same moment,
  the whole machine (or the virtual machine under it) stalled, not this process.

A gap is put down to the witness that overlaps it most; one with no witness is "busy" with its sampled stack.
"""

from __future__ import annotations

import gc
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from types import FrameType

WATCHDOG_S = 0.005
LATE_S = 0.020  # a watchdog wake-up this late, or a heartbeat this overdue, is worth a note


def _innermost(frame: FrameType, depth: int = 3) -> str:
    """The innermost Python frames, innermost first (``run_forever`` alone: Qt's C++ loop had the thread)."""
    where = traceback.extract_stack(frame)[-depth:]
    return " < ".join(f"{f.name} ({f.filename.rsplit('/', 1)[-1]}:{f.lineno})" for f in reversed(where))


@dataclass(frozen=True)
class Span:
    start: float
    end: float
    what: str

    @property
    def ms(self) -> float:
        return (self.end - self.start) * 1000

    def overlap(self, start: float, end: float) -> float:
        return max(0.0, min(self.end, end) - max(self.start, start))


@dataclass
class StallProbe:
    """Collects the witnesses while started; ``explain`` puts a name on a gap between two heartbeat ticks."""

    last_tick: Callable[[], float]
    collections: list[Span] = field(default_factory=list)
    starved: list[Span] = field(default_factory=list)
    stacks: list[tuple[float, str]] = field(default_factory=list)
    _gc_started: float = 0.0
    _stop: threading.Event = field(default_factory=threading.Event)
    bystander_late: list[Span] = field(default_factory=list)
    _thread: threading.Thread | None = None
    _bystander: subprocess.Popen[str] | None = None
    _loop_thread_id: int = 0

    def start(self) -> None:
        self._loop_thread_id = threading.get_ident()
        self._stop.clear()
        gc.callbacks.append(self._on_gc)
        self._thread = threading.Thread(target=self._watch, name="stall-watchdog", daemon=True)
        self._thread.start()
        self._bystander = subprocess.Popen(
            [sys.executable, "-c", f"import bench.stall_probe as p; p.bystander({WATCHDOG_S}, {LATE_S})"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def stop(self) -> None:
        self._stop.set()
        if self._on_gc in gc.callbacks:
            gc.callbacks.remove(self._on_gc)
        if self._thread is not None:
            self._thread.join()
        if self._bystander is not None:
            out, _ = self._bystander.communicate("stop\n", timeout=10)  # it reports when told to stop
            for line in filter(None, out.splitlines()):
                start, end = (float(v) for v in line.split())
                self.bystander_late.append(Span(start, end, "whole machine stalled: a bystander process was late too"))
            self._bystander = None

    def clear(self) -> None:
        self.collections.clear()
        self.starved.clear()
        self.stacks.clear()
        self.bystander_late.clear()

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        now = time.perf_counter()
        if phase == "start":
            self._gc_started = now
        else:
            self.collections.append(Span(self._gc_started, now, f"gc gen{info['generation']}"))

    def _watch(self) -> None:
        asked, cpu_then = time.perf_counter(), time.process_time()
        while not self._stop.wait(WATCHDOG_S):
            now, cpu_now = time.perf_counter(), time.process_time()
            if now - asked > WATCHDOG_S + LATE_S:
                # No Python thread ran. If the process still used CPU meanwhile, one of its threads held the
                # GIL in C code (a codec); if it used next to none, the machine gave it no CPU at all.
                share = (cpu_now - cpu_then) / (now - asked)
                cause = "GIL held by a thread of ours" if share > 0.5 else "no CPU given to the process"
                self.starved.append(Span(asked + WATCHDOG_S, now, f"{cause} ({share:.0%} of a core used)"))
            if now - self.last_tick() > LATE_S:
                frame = sys._current_frames().get(self._loop_thread_id)
                if frame is not None:
                    self.stacks.append((now, _innermost(frame)))
            asked, cpu_then = time.perf_counter(), time.process_time()

    def explain(self, start: float, end: float) -> str:
        """The likeliest cause of the gap from ``start`` to ``end`` (perf_counter seconds)."""
        for span in self.bystander_late:  # it says more than the witnesses inside this process
            if span.overlap(start, end) >= 0.3 * (end - start):
                return f"{span.what} ({span.ms:.0f} ms)"
        candidates = [
            (span.overlap(start, end), f"{span.what} {span.ms:.0f} ms") for span in self.collections + self.starved
        ]
        best = max(candidates, default=(0.0, ""))
        if best[0] >= 0.3 * (end - start):
            return best[1]
        inside = [stack for at, stack in self.stacks if start <= at <= end]
        return f"busy: {inside[-1]}" if inside else "busy (no Python stack sampled)"

    def gc_total(self, start: float, end: float) -> tuple[int, float, float]:
        """Collections between ``start`` and ``end``: how many, their total and their longest, in ms."""
        inside = [span for span in self.collections if start <= span.start <= end]
        return len(inside), sum(s.ms for s in inside), max((s.ms for s in inside), default=0.0)


def bystander(interval_s: float, late_s: float) -> None:
    """Sleep ``interval_s`` over and over until stdin says stop; then print each late wake-up as
    ``start end`` (perf_counter, which is CLOCK_MONOTONIC and so the same clock in every process)."""
    stop = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.readline(), stop.set()), daemon=True).start()
    late: list[tuple[float, float]] = []
    asked = time.perf_counter()
    while not stop.wait(interval_s):
        now = time.perf_counter()
        if now - asked > interval_s + late_s:
            late.append((asked + interval_s, now))
        asked = time.perf_counter()
    print("\n".join(f"{a:.6f} {b:.6f}" for a, b in late), flush=True)
