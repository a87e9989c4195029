"""Tests marked ``long`` (minutes each) run only when asked for: ``-m`` must name the marker.

``pytest -m long`` runs them (``.ci/run`` does, after the README's test command); any run whose ``-m`` does
not mention ``long`` (none, ``"not slow"``, ``faults``) skips them with the reason, so that the everyday
runs keep their time. A hook rather than a default ``-m`` in the settings: a caller's own ``-m`` would
replace that default, and the long tests would come back into ``pytest -m faults``.
"""

from __future__ import annotations

import re

import pytest

_NAMES_LONG = re.compile(r"\blong\b")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _NAMES_LONG.search(config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="long: runs for minutes; ask for it with -m long")
    for item in items:
        if item.get_closest_marker("long") is not None:
            item.add_marker(skip)
