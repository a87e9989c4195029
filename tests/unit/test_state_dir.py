"""Every program's state directory is its own user's alone: it holds hashes, sessions, jobs and records."""

from __future__ import annotations

import stat
from pathlib import Path

from config.sections import AppSection


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_state_dir_is_private(tmp_path: Path) -> None:
    state = AppSection(state_dir=tmp_path / "var" / "airport").prepare_state_dir()
    assert state.is_dir() and mode(state) == 0o700


def test_an_existing_open_state_dir_is_closed(tmp_path: Path) -> None:
    state = tmp_path / "state"
    state.mkdir(mode=0o755)
    state.chmod(0o755)
    AppSection(state_dir=state).prepare_state_dir()
    assert mode(state) == 0o700
