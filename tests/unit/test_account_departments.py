"""Accounts have a department (schema v3): a file written before it keeps every account, each with no
department, until one is given; a department that is not a plain name is refused."""

from __future__ import annotations

import json
import sqlite3

import pytest

import central.accounts
from central.accounts import _MIGRATE_TO_V2, _SCHEMA_V1, AccountError, AgentAccounts, Role


@pytest.fixture(autouse=True)
def cheap_scrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(central.accounts, "SCRYPT_N", 2**8)


def test_a_version_2_file_is_migrated_and_keeps_its_accounts(tmp_path) -> None:
    path = tmp_path / "agents.sqlite3"
    stored = central.accounts.hash_password("correct horse battery")
    with sqlite3.connect(path) as db:
        db.executescript(f"{_SCHEMA_V1} {_MIGRATE_TO_V2} PRAGMA user_version = 2;")
        db.execute(
            "INSERT INTO agents (agent_id, name, skills, password, created_at, updated_at, roles) "
            "VALUES ('chen', 'Chen Li', ?, ?, 0, 0, ?)",
            (json.dumps(["zh"]), stored, json.dumps(["agent", "supervisor"])),
        )
    accounts = AgentAccounts(path)
    try:
        chen = accounts.get("chen")
        assert chen is not None and chen.department == "" and chen.roles == (Role.AGENT, Role.SUPERVISOR)
        assert accounts.verify("chen", "correct horse battery") == chen
        assert accounts.update("chen", department="lost_found").department == "lost_found"
        with pytest.raises(AccountError, match="department"):
            accounts.update("chen", department="Lost & Found")
        with pytest.raises(AccountError, match="department"):
            accounts.add("li", "Li Na", [], "correct horse battery", department="x" * 40)
        assert accounts.add("li", "Li Na", [], "correct horse battery", department="baggage").department == "baggage"
    finally:
        accounts.close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (3,)
