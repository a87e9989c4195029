"""Routing decisions of the switchboard under load, against the bare operations they are made of.

``python -m bench.switchboard [--decisions N] [--callers N] [--agents N] [--seed S] [--goal-ms MS] [--json PATH]
[--quick]``

A switchboard with ``--agents`` agents of mixed skills, every one of them on a call, and ``--callers``
callers waiting over the skills. Then, ``--decisions`` times: an agent finishes a call and sets themselves
available, and the switchboard rings them with the head of the longest-waiting queue they can serve
(timed); they accept; a new caller arrives to keep the queue full (timed); and when the switchboard's next
deadline has come, its ``tick`` runs as central's timer would run it (timed: the telling of the waiting
callers who moved). The clock is a fake one that moves 0.2 s per round, so that waits and expected waits
change as they would. Each is timed around the one switchboard call that makes it, everything it sends
included (into channels that only count). See ``bench/README.md`` for how to read the figures.
"""

from __future__ import annotations

import argparse
import gc
import heapq
import json
import os
import platform
import random
import statistics
import sys
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, ClassVar

from bench.report import percentile, table, yes
from bus.messages.call import CallRequest, Queued
from central.switchboard import MemoryCallStore, Switchboard, SwitchboardSettings
from central.switchboard.console.events import Ring
from central.switchboard.live_store import LiveCallStore
from central.switchboard.model import AgentEvent, CallerMessage

GOAL_P99_MS = 5.0
ROUND_S = 0.2
START = 1_795_400_000.0  # 2026-11-23 10:13 in Haikou: inside one local day for the whole run
# Shares of callers per skill, and agents' skill sets with their shares (a site of mostly Chinese
# speakers, some English, a few signing agents).
CALLER_SKILLS = (("zh", 0.6), ("en", 0.3), ("sign", 0.1))
AGENT_SKILLS: tuple[tuple[tuple[str, ...], float], ...] = (
    (("zh",), 0.5),
    (("en",), 0.2),
    (("zh", "en"), 0.2),
    (("zh", "sign"), 0.1),
)


class FakeClock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now


class CountingCaller:
    """A caller channel that only counts what it is sent."""

    sent = 0

    def __init__(self, caller_id: str) -> None:
        self.caller_id = caller_id
        self.kind = "device"

    def send(self, message: CallerMessage) -> None:
        CountingCaller.sent += 1


class CountingConsole:
    """An agent channel that counts what it is sent and notes the call that rings."""

    sent = 0
    rung: ClassVar[deque[str]] = deque()
    """Agents rung since the scenario last looked."""
    rung_at: ClassVar[tuple[int, int]] = (0, 0)
    """When the last ring arrived: ``perf_counter_ns`` and ``thread_time_ns``."""

    def __init__(self, agent_id: str) -> None:
        self.agent_id = agent_id
        self.call_id = ""

    def send(self, event: AgentEvent) -> None:
        CountingConsole.sent += 1
        if isinstance(event, Ring):
            CountingConsole.rung_at = (time.perf_counter_ns(), time.thread_time_ns())
            self.call_id = event.call
            CountingConsole.rung.append(self.agent_id)


class Samples:
    """Wall-clock and CPU time of each run of one kind of operation."""

    def __init__(self) -> None:
        self.wall_ns: list[int] = []
        self.cpu_ns: list[int] = []

    def time(self, operation: Callable[[], object]) -> tuple[int, int]:
        """Run ``operation`` once and keep its times; returns when it began (wall, CPU), in ns."""
        # CPU time of this thread leaves out what other processes took while we waited for a CPU: on a
        # shared machine it shows the code's own tail where the wall clock shows the neighbours'.
        cpu_began = time.thread_time_ns()
        began = time.perf_counter_ns()
        operation()
        self.add(time.perf_counter_ns() - began, time.thread_time_ns() - cpu_began)
        return began, cpu_began

    def add(self, wall_ns: int, cpu_ns: int) -> None:
        self.wall_ns.append(wall_ns)
        self.cpu_ns.append(cpu_ns)


@dataclass(frozen=True)
class Figures:
    """Percentiles of one kind of operation, in microseconds."""

    name: str
    samples: int
    p50_us: float
    p99_us: float
    max_us: float
    cpu_p99_us: float
    messages: float | None
    """Messages sent per operation, on average (callers and consoles); None where it means nothing."""

    @classmethod
    def of(cls, name: str, samples: Samples, messages: float | None = 0.0) -> Figures:
        wall = sorted(samples.wall_ns)
        return cls(
            name=name,
            samples=len(wall),
            p50_us=statistics.median(wall) / 1000,
            p99_us=percentile(wall, 0.99) / 1000,
            max_us=wall[-1] / 1000,
            cpu_p99_us=percentile(samples.cpu_ns, 0.99) / 1000,
            messages=messages,
        )


@dataclass
class Run:
    routed: Figures
    ring: Figures
    request: Figures
    telling: Figures | None
    """The timer's ticks that told waiting callers of their moves (None when none came due)."""
    bare: Figures
    messages_floor: Figures
    rang: int
    """Of the ``routed`` decisions, how many rang the agent at once (the rest found their queues empty and
    took a later caller)."""
    waiting_after: int


def _weighted(rng: random.Random, choices: tuple[tuple[Any, float], ...]) -> Any:
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights=weights)[0]


class Scenario:
    """A full switchboard: every agent on a call, ``callers`` waiting."""

    def __init__(self, callers: int, agents: int, seed: int, live: LiveCallStore | None = None) -> None:
        self.rng = random.Random(seed)
        self.clock = FakeClock()
        self.sb = Switchboard(SwitchboardSettings(), self.clock, MemoryCallStore())
        if live is not None:  # live calls kept for a restart (bench/live_calls.py)
            self.sb.keep_live_calls(live, lambda _kind, _caller_id: None)
        self.calls = 0
        self.on_call: deque[str] = deque()
        self.consoles: dict[str, CountingConsole] = {}
        for n in range(agents):
            agent_id = f"agent-{n:03d}"
            self.consoles[agent_id] = CountingConsole(agent_id)
            self.sb.agent_sign_in(agent_id, f"Agent {n}", _weighted(self.rng, AGENT_SKILLS), self.consoles[agent_id])
            self.sb.agent_presence(agent_id, True)
        # Callers arrive until every agent is busy and ``callers`` wait; each agent accepts what rings.
        while self.waiting() < callers:
            self.sb.request(*self.next_request())
            self.accept_rung()
        self.rng.shuffle(self.on_call)

    def waiting(self) -> int:
        return sum(queue.waiting for queue in self.sb.queue_summary().skills.values())

    def accept_rung(self) -> int:
        """Every agent rung since the last look accepts; returns how many."""
        accepted = 0
        while CountingConsole.rung:
            agent_id = CountingConsole.rung.popleft()
            self.sb.agent_accept(agent_id, self.consoles[agent_id].call_id)
            self.on_call.append(agent_id)
            accepted += 1
        return accepted

    def next_request(self) -> tuple[CountingCaller, CallRequest]:
        """A new caller and their request, as the adapter hands them over (parsing is not timed)."""
        self.calls += 1
        caller = CountingCaller(f"kiosk-{self.calls:06d}")
        skill = _weighted(self.rng, CALLER_SKILLS)
        request = CallRequest(
            call=f"call-{self.calls:06d}",
            language="en" if skill == "en" else "zh-CN",
            skills=["sign"] if skill == "sign" else [],
        )
        return caller, request

    def finish_a_call(self) -> str:
        """The agent on call longest hangs up and files the disposition (not timed)."""
        agent_id = self.on_call.popleft()
        call_id = self.consoles[agent_id].call_id
        self.sb.agent_hangup(agent_id, call_id)
        self.sb.agent_disposition(agent_id, call_id, True, "flight_info", "")
        return agent_id


def _sent() -> int:
    return CountingCaller.sent + CountingConsole.sent


def run(
    decisions: int,
    callers: int,
    agents: int,
    seed: int,
    progress: Callable[[str], None],
    live: LiveCallStore | None = None,
) -> Run:
    scenario = Scenario(callers, agents, seed, live)
    sb = scenario.sb
    progress(f"set up: {agents} agents on calls, {callers} callers waiting")
    routed, ring, request, telling = Samples(), Samples(), Samples(), Samples()
    routed_messages: list[int] = []
    request_messages = 0
    telling_messages = 0
    rang = 0
    for n in range(decisions):
        scenario.clock.now += ROUND_S
        agent_id = scenario.finish_a_call()
        sent_before = _sent()
        CountingConsole.rung_at = (0, 0)
        began, cpu_began = routed.time(lambda: sb.agent_presence(agent_id, True))  # noqa: B023 (called at once)
        routed_messages.append(_sent() - sent_before)
        if CountingConsole.rung_at[0]:
            ring.add(CountingConsole.rung_at[0] - began, CountingConsole.rung_at[1] - cpu_began)
        rang += scenario.accept_rung()

        caller, call_request = scenario.next_request()
        sent_before = _sent()
        request.time(lambda: sb.request(caller, call_request))  # noqa: B023 (called at once)
        request_messages += _sent() - sent_before
        # An agent left available (their queues were empty) takes the next caller of theirs when it comes.
        scenario.accept_rung()

        deadline = sb.next_deadline()
        if deadline is not None and deadline <= scenario.clock.now:
            sent_before = _sent()
            telling.time(sb.tick)
            telling_messages += _sent() - sent_before
            scenario.accept_rung()
        if (n + 1) % 1000 == 0:
            progress(f"{n + 1}/{decisions} decisions")
    return Run(
        routed=Figures.of("agent available → call rung", routed, statistics.mean(routed_messages)),
        ring=Figures.of("  of which: until the ring is delivered", ring, None),
        request=Figures.of("new request → queued", request, request_messages / decisions),
        telling=Figures.of("timer: tick telling who moved", telling, telling_messages / len(telling.wall_ns))
        if telling.wall_ns
        else None,
        bare=Figures.of("bare: heap push+pop + FIFO pop+append", _bare_operations(decisions, callers, agents)),
        messages_floor=Figures.of(
            "floor: the Queued messages alone", _messages_alone(routed_messages), statistics.mean(routed_messages)
        ),
        rang=rang,
        waiting_after=scenario.waiting(),
    )


def _bare_operations(samples: int, callers: int, agents: int) -> Samples:
    """What choosing an agent and a call costs with nothing around it: a heap of idle agents, a FIFO of
    waiting calls (ordered dict, as a queue that also allows leaving from the middle), of the same sizes."""
    heap = [(float(n), n, f"agent-{n:03d}") for n in range(agents)]
    heapq.heapify(heap)
    fifo: OrderedDict[str, float] = OrderedDict((f"call-{n:06d}", float(n)) for n in range(callers))
    times = Samples()

    def choose() -> None:
        heapq.heappush(heap, (float(agents), agents, "agent"))
        heapq.heappop(heap)
        call_id, arrived = fifo.popitem(last=False)
        fifo[call_id] = arrived

    for _ in range(samples):
        times.time(choose)
    return times


def _messages_alone(counts: list[int]) -> Samples:
    """The unavoidable part of a routing decision: one validated ``Queued`` per caller who moved up,
    built and handed to a channel, for the same numbers of messages the decisions sent."""
    channel = CountingCaller("kiosk-floor")
    times = Samples()
    for count in counts:

        def send_all(count: int = count) -> None:
            for position in range(1, count + 1):
                channel.send(Queued(call="call-000000", position=position, eta_s=float(position)))

        times.time(send_all)
    return times


def environment(load_before: float) -> dict[str, str]:
    return {
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Linux {platform.release()}",
        "python": sys.version.split()[0],
        "load_before": f"{load_before:.2f}",
    }


def render(result: Run, env: dict[str, str], args: argparse.Namespace, took_s: float) -> str:
    bare = result.bare
    floor = result.messages_floor

    def row(f: Figures, vs: Figures | None) -> list[str]:
        ratio = f"{f.p50_us / vs.p50_us:.0f}×" if vs is not None else ""
        times = [f.p50_us, f.p99_us, f.max_us, f.cpu_p99_us]
        messages = "" if f.messages is None else f"{f.messages:.0f}"
        return [f.name, *(f"{t:.1f}" for t in times), messages, ratio]

    rows = [
        ["", "p50 µs", "p99 µs", "max µs", "CPU p99 µs", "messages", "p50 / bare"],
        row(result.routed, bare),
        row(result.ring, bare),
        row(result.request, bare),
        *([row(result.telling, bare)] if result.telling is not None else []),
        row(bare, None),
        row(floor, bare),
    ]
    goal_ms = args.goal_ms
    worst_p99_ms = max(result.routed.p99_us, result.request.p99_us) / 1000
    worst_cpu_p99_ms = max(result.routed.cpu_p99_us, result.request.cpu_p99_us) / 1000
    tellings = result.telling.samples if result.telling is not None else 0
    return "\n".join(
        [
            f"Switchboard routing: {args.decisions} decisions of each kind, {args.callers} callers waiting,"
            f" {args.agents} agents (all busy)",
            f"on {env['machine']} (load average {env['load_before']} before the run), Python {env['python']}",
            "",
            table(rows),
            "",
            f"p99 ≤ {goal_ms:g} ms: {yes(worst_p99_ms <= goal_ms)}"
            f" (wall clock: agent available → rung {result.routed.p99_us / 1000:.2f} ms,"
            f" new request {result.request.p99_us / 1000:.2f} ms)",
            f"p99 ≤ {goal_ms:g} ms in CPU time: {yes(worst_cpu_p99_ms <= goal_ms)}"
            f" (agent available → rung {result.routed.cpu_p99_us / 1000:.2f} ms,"
            f" new request {result.request.cpu_p99_us / 1000:.2f} ms)",
            f"routing decision / its messages alone (p50): {result.routed.p50_us / floor.p50_us:.2f}×",
            "",
            "Notes:",
            f"- {result.rang} of {args.decisions} agents were rung at once; {result.waiting_after} callers were"
            " waiting at the end.",
            "- 'messages' is how many messages each sent (queued to callers, state and ring to the agent). A",
            "  routing decision tells no waiting caller of their move: the timer's tick does, at most once a",
            f"  second ({tellings} tellings in this run), to the callers whose place or estimate moved enough",
            "  (docs/calls.md). The floor row builds and sends as many Queued messages as each decision sent.",
            "- Timed around one switchboard call: wall clock (perf_counter_ns) and this thread's CPU time",
            "  (thread_time_ns), which leaves out time other processes took. When the floor row's p99 is far",
            "  above its p50 the machine was busy with something else. The garbage collector stays on. The",
            "  switchboard's clock is a fake one moving 0.2 s per round.",
            f"- Whole benchmark: {took_s:.1f} s.",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.switchboard", description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=5000, help="routing decisions of each kind (default 5000)")
    parser.add_argument("--callers", type=int, default=1000, help="callers kept waiting (default 1000)")
    parser.add_argument("--agents", type=int, default=200, help="agents, all busy (default 200)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the skill mix (default 1)")
    parser.add_argument(
        "--goal-ms", type=float, default=GOAL_P99_MS, help=f"the p99 goal line, in ms (default {GOAL_P99_MS:g})"
    )
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    parser.add_argument("--quick", action="store_true", help="200 decisions, 100 callers, 20 agents: checks it runs")
    args = parser.parse_args(argv)
    if args.quick:
        args.decisions, args.callers, args.agents = 200, 100, 20
    if args.decisions < 1 or args.callers < 1 or args.agents < 1:
        parser.error("--decisions, --callers and --agents must be at least 1")

    load_before = os.getloadavg()[0]
    began = time.monotonic()
    gc.collect()
    result = run(args.decisions, args.callers, args.agents, args.seed, lambda line: print(line, file=sys.stderr))
    took_s = time.monotonic() - began
    env = environment(load_before)
    print(render(result, env, args, took_s))
    if args.json:
        data = {"environment": env, "args": {k: v for k, v in vars(args).items() if k != "json"}, **asdict(result)}
        args.json.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
