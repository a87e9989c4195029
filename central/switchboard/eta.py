"""Expected waits: Erlang C before a passenger calls, ``k · AHT / N`` while they wait (docs/calls.md)."""

from __future__ import annotations

import math
from collections import deque

AHT_WINDOW_CALLS = 50
"""The average handle time is taken over this many recent calls of a skill."""
ARRIVAL_WINDOW_S = 3600.0
"""The arrival rate of a skill is taken over this last stretch of time."""


def erlang_b(servers: int, load: float) -> float:
    """Blocking probability of ``servers`` servers offered ``load`` Erlangs.

    Computed with the recursion ``B(k) = A·B(k-1) / (k + A·B(k-1))``, which never forms the factorials
    or powers of the textbook formula and so stays exact for hundreds of servers.
    """
    if servers < 0 or load < 0:
        raise ValueError("servers and load must not be negative")
    blocking = 1.0
    for k in range(1, servers + 1):
        blocking = load * blocking / (k + load * blocking)
    return blocking


def erlang_c(servers: int, load: float) -> float:
    """Probability that a call has to wait, with ``servers`` agents and ``load`` Erlangs offered.

    1.0 when the load reaches the number of agents: the queue then grows without bound.
    """
    if servers <= 0 or load >= servers:
        return 1.0
    if load <= 0:
        return 0.0
    blocking = erlang_b(servers, load)
    return servers * blocking / (servers - load * (1.0 - blocking))


def erlang_c_asa_s(servers: int, load: float, aht_s: float) -> float:
    """Average speed of answer in seconds; ``math.inf`` when the load reaches the number of agents."""
    if servers <= 0 or load >= servers:
        return math.inf
    return erlang_c(servers, load) * aht_s / (servers - load)


def waiting_eta_s(position: int, aht_s: float, staffed: int, head_waited_s: float) -> float | None:
    """A waiting caller's expected wait: ``k · AHT / N`` less what the head of the queue has waited, ≥ 0.

    Each of the ``N`` staffed agents frees up on average every ``AHT`` seconds. None when nobody with the
    skill is staffed.
    """
    if staffed <= 0:
        return None
    return max(0.0, position * aht_s / staffed - head_waited_s)


def before_call_eta_s(staffed: int, available: int, arrivals_per_s: float, aht_s: float, waiting: int) -> float | None:
    """The expected wait of a passenger who calls now.

    0 when an agent is available now, None when nobody is staffed, else Erlang C's average speed of
    answer with the offered load ``λ · AHT``. Where Erlang C has no answer (a load at or above the number
    of agents) the queue-based estimate for the caller who would join now (position ``waiting + 1``) is
    used instead.
    """
    if staffed <= 0:
        return None
    if available > 0:
        return 0.0
    asa_s = erlang_c_asa_s(staffed, arrivals_per_s * aht_s, aht_s)
    if math.isinf(asa_s):
        return (waiting + 1) * aht_s / staffed
    return asa_s


class HandleTimes:
    """The recent handle times (talk plus wrap-up) of one skill."""

    def __init__(self, default_s: float, window: int = AHT_WINDOW_CALLS) -> None:
        self._default_s = default_s
        self._times: deque[float] = deque(maxlen=window)
        self._sum = 0.0

    def __len__(self) -> int:
        return len(self._times)

    def add(self, handle_s: float) -> None:
        times = self._times
        if len(times) == times.maxlen:
            self._sum -= times[0]
        times.append(handle_s)
        self._sum += handle_s

    def mean_s(self) -> float:
        """The average over the window; the default until there is a call."""
        if not self._times:
            return self._default_s
        # A running sum drifts a little with every subtraction; clamp it so that an average is never negative.
        return max(0.0, self._sum / len(self._times))


class Arrivals:
    """When calls of one skill arrived, over the last ``ARRIVAL_WINDOW_S``."""

    def __init__(self, window_s: float = ARRIVAL_WINDOW_S) -> None:
        self._window_s = window_s
        self._times: deque[float] = deque()

    def add(self, at: float) -> None:
        self._times.append(at)

    def per_s(self, now: float) -> float:
        """Arrivals per second over the window (the whole window, also just after start-up)."""
        times = self._times
        while times and times[0] <= now - self._window_s:
            times.popleft()
        return len(times) / self._window_s
