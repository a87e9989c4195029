"""The switchboard is pure logic: none of its modules does I/O or runs an event loop (docs/calls.md)."""

from __future__ import annotations

import ast
from pathlib import Path

SWITCHBOARD = Path(__file__).parents[2] / "central" / "switchboard"
IO_MODULES = {"sqlite3", "asyncio", "aiohttp", "socket", "paho", "threading", "subprocess", "central.records"}


def imports_of(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_switchboard_module_imports_io():
    modules = sorted(SWITCHBOARD.rglob("*.py"))
    assert len(modules) > 10
    for path in modules:
        io = {name for name in imports_of(path) if name.split(".")[0] in IO_MODULES or name in IO_MODULES}
        assert not io, f"{path.relative_to(SWITCHBOARD)} imports {sorted(io)}"


def test_no_switchboard_module_is_over_300_lines():
    for path in SWITCHBOARD.rglob("*.py"):
        lines = len(path.read_text(encoding="utf-8").splitlines())
        assert lines <= 300, f"{path.relative_to(SWITCHBOARD)} has {lines} lines: split it by concern"
