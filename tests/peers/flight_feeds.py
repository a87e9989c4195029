"""The field mapping of the test JSON flight feed (tests/data/flights/board.json and the served boards)."""

from __future__ import annotations

JSON_FIELDS = {
    "flight": "flt",
    "origin": "from",
    "destination": "to",
    "std": "dep.sched",
    "etd": "dep.est",
    "sta": "arr.sched",
    "ata": "arr.actual",
    "status": "state",
    "check_in": "counters",
    "codeshares": "shares",
}
"""Our field name → the feed's dotted path to it."""
