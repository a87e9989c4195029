"""The two orders routing needs: waiting calls per skill (first come, first served) and idle agents per skill.

Both answer "who is next" in O(1) or O(log n), so a routing decision never scans every caller or agent.
"""

from __future__ import annotations

import heapq
import itertools
from collections import OrderedDict
from collections.abc import Iterator

# A heap with lazy removal is rebuilt once it holds this many more entries than live ones, so that agents
# flipping between available and away for hours cannot grow it without bound.
_COMPACT_SLACK = 64


class CallQueue:
    """One skill's waiting calls in the order they will be offered.

    New calls go to the tail; a call put back after an unanswered ring goes to the head. Removal from the
    middle (a caller who gives up) is O(1).
    """

    def __init__(self) -> None:
        self._arrivals: OrderedDict[str, float] = OrderedDict()
        self._put_back: set[str] = set()
        # Each call's place as a number that sorts like the queue, kept so that a restarted switchboard can
        # put the calls back in the same order (central.switchboard.live_store): the tail's + 1 for a new
        # call, the head's - 1 for one put back; only the order within one queue means anything.
        self._order: dict[str, float] = {}

    def __len__(self) -> int:
        return len(self._arrivals)

    def __bool__(self) -> bool:
        return bool(self._arrivals)

    def __contains__(self, call_id: object) -> bool:
        return call_id in self._arrivals

    def __iter__(self) -> Iterator[str]:
        """Call ids, head first."""
        return iter(self._arrivals)

    def append(self, call_id: str, arrived_at: float) -> None:
        tail = next(reversed(self._arrivals), None)
        self._order[call_id] = 0.0 if tail is None else self._order[tail] + 1
        self._arrivals[call_id] = arrived_at

    def put_back(self, call_id: str, arrived_at: float) -> None:
        """Back to the head: the call was offered and not answered, through no fault of the caller."""
        head = next(iter(self._arrivals), None)
        self._order[call_id] = 0.0 if head is None else self._order[head] - 1
        self._arrivals[call_id] = arrived_at
        self._arrivals.move_to_end(call_id, last=False)
        self._put_back.add(call_id)

    def restore(self, call_id: str, arrived_at: float, order: float) -> None:
        """A call saved before a restart, at the tail: restore them in the order their ``order`` sorts."""
        self._order[call_id] = order
        self._arrivals[call_id] = arrived_at

    def order_of(self, call_id: str) -> float | None:
        """The number that sorts the call into its place (see ``_order``); None when it is not waiting here."""
        return self._order.get(call_id)

    def remove(self, call_id: str) -> bool:
        self._put_back.discard(call_id)
        self._order.pop(call_id, None)
        return self._arrivals.pop(call_id, None) is not None

    def position(self, call_id: str) -> int | None:
        """The call's place, 1 = next to be offered; None when it is not waiting here.

        Walks from the head, so it is for the odd caller (a repeated request, a take-over, a view), not
        for every caller of a routing decision: a full walk of 10,000 calls takes about a millisecond.
        """
        if call_id not in self._arrivals:
            return None
        for place, waiting in enumerate(self._arrivals, start=1):
            if waiting == call_id:
                return place
        raise AssertionError("unreachable: the call is in the queue")

    def pop_head(self) -> str:
        call_id, _ = self._arrivals.popitem(last=False)
        self._put_back.discard(call_id)
        self._order.pop(call_id, None)
        return call_id

    def oldest_arrival(self) -> float | None:
        """The arrival of the call that has waited longest.

        Calls put back always go in front of everything, and the others only ever join at the tail, so
        the queue is a (short) run of calls put back followed by calls in arrival order: the oldest is in
        that run or is the first call after it.
        """
        oldest: float | None = None
        for call_id, arrived_at in self._arrivals.items():
            if oldest is None or arrived_at < oldest:
                oldest = arrived_at
            if call_id not in self._put_back:
                break
        return oldest


class IdleAgents:
    """The available agents with one skill, longest idle first."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, str]] = []
        self._live: dict[str, tuple[float, int]] = {}
        self._order = itertools.count()

    def __len__(self) -> int:
        return len(self._live)

    def __bool__(self) -> bool:
        return bool(self._live)

    def __contains__(self, agent_id: object) -> bool:
        return agent_id in self._live

    def add(self, agent_id: str, idle_since: float) -> None:
        key = (idle_since, next(self._order))
        self._live[agent_id] = key
        heapq.heappush(self._heap, (*key, agent_id))
        self._compact_if_needed()

    def discard(self, agent_id: str) -> None:
        if self._live.pop(agent_id, None) is not None:
            self._compact_if_needed()

    def first(self) -> str | None:
        """The agent idle longest (ties: the one who became available first), or None."""
        heap = self._heap
        while heap:
            idle_since, order, agent_id = heap[0]
            if self._live.get(agent_id) == (idle_since, order):
                return agent_id
            heapq.heappop(heap)
        return None

    def _compact_if_needed(self) -> None:
        if len(self._heap) > 2 * len(self._live) + _COMPACT_SLACK:
            self._heap = [(*key, agent_id) for agent_id, key in self._live.items()]
            heapq.heapify(self._heap)
