"""Agent accounts: scrypt hashes in SQLite or PostgreSQL, checked in constant work, never shown."""

from __future__ import annotations

import base64
import hashlib
import logging
import sqlite3
from pathlib import Path

import pytest

import central.accounts
from central.accounts import (
    MIN_PASSWORD_CHARS,
    Account,
    AccountError,
    AgentAccounts,
    check_password,
    hash_password,
)

PASSWORD = "correct horse battery"


@pytest.fixture
def real_scrypt() -> None:
    """Asked for by the tests that check the real parameters and cost of the hash."""


@pytest.fixture(autouse=True)
def cheap_scrypt(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    # One real hash takes about 0.1 s; the tests of everything else need not pay that each time.
    if "real_scrypt" not in request.fixturenames:
        monkeypatch.setattr(central.accounts, "SCRYPT_N", 2**8)


@pytest.fixture(params=["sqlite", "postgres"])
def place(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    """Where the accounts live: a SQLite file, or a PostgreSQL database ([store] url)."""
    if request.param == "sqlite":
        return tmp_path / "accounts.sqlite3"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def accounts(place: Path | str) -> AgentAccounts:
    store = AgentAccounts(place)
    yield store  # type: ignore[misc]
    store.close()


def test_an_agent_signs_in_with_the_right_password_only(accounts: AgentAccounts):
    added = accounts.add("agent.chen", "陈丽", ["zh", "en"], PASSWORD)

    assert added == Account("agent.chen", "陈丽", ("zh", "en"))
    assert accounts.verify("agent.chen", PASSWORD) == added
    assert accounts.verify("agent.chen", PASSWORD + "!") is None
    assert accounts.verify("agent.wang", PASSWORD) is None
    assert accounts.verify("no such id!", PASSWORD) is None


def test_the_hash_is_scrypt_n131072_r8_p1_with_a_16_byte_salt_and_says_so(tmp_path: Path, real_scrypt: None):
    path = tmp_path / "accounts.sqlite3"
    accounts = AgentAccounts(path)
    accounts.add("chen", "Chen", [], PASSWORD)
    accounts.close()

    (stored,) = sqlite3.connect(path).execute("SELECT password FROM agents").fetchone()
    scheme, n, r, p, salt_b64, digest_b64 = stored.split("$")
    assert (scheme, n, r, p) == ("scrypt", "131072", "8", "1")
    salt = base64.b64decode(salt_b64)
    assert len(salt) == 16
    assert base64.b64decode(digest_b64) == hashlib.scrypt(
        PASSWORD.encode(), salt=salt, n=131072, r=8, p=1, dklen=32, maxmem=200 * 2**20
    )
    assert PASSWORD not in stored


def test_the_same_password_gets_a_new_salt_every_time():
    assert hash_password(PASSWORD) != hash_password(PASSWORD)


def test_a_malformed_or_greedy_stored_hash_never_matches():
    good = hash_password(PASSWORD)
    salt, digest = good.split("$")[4:]
    assert check_password(PASSWORD, good)
    for bad in (
        "",
        "plain",
        f"bcrypt$16384$8$1${salt}${digest}",
        f"scrypt$1000$8$1${salt}${digest}",
        f"scrypt${2**30}$8$1${salt}${digest}",
        f"scrypt$16384$8$1$!!!${digest}",
    ):
        assert not check_password(PASSWORD, bad), bad


def test_a_password_typed_with_full_width_characters_matches(accounts: AgentAccounts):
    accounts.add("chen", "Chen", [], "password-2026")

    assert accounts.verify("chen", "ｐａｓｓｗｏｒｄ－２０２６") is not None


def test_an_unknown_agent_costs_as_much_work_as_a_known_one(
    real_scrypt: None, accounts: AgentAccounts, monkeypatch: pytest.MonkeyPatch
):
    accounts.add("chen", "Chen", [], PASSWORD)
    # Counted, not timed: the scrypt calls and their cost parameters are what make the time, and a
    # stopwatch on a loaded machine would measure the neighbours instead.
    calls: list[tuple[int, int, int, int]] = []
    real = hashlib.scrypt

    def counted(password: bytes, *, salt: bytes, n: int, r: int, p: int, dklen: int, maxmem: int) -> bytes:
        calls.append((n, r, p, dklen))
        return real(password, salt=salt, n=n, r=r, p=p, dklen=dklen, maxmem=maxmem)

    monkeypatch.setattr(central.accounts.hashlib, "scrypt", counted)

    def work(agent_id: str) -> list[tuple[int, int, int, int]]:
        calls.clear()
        accounts.verify(agent_id, "wrong password")
        return list(calls)

    known = work("chen")
    assert known == [(central.accounts.SCRYPT_N, 8, 1, 32)]
    assert work("nobody") == known  # an unknown id costs the same scrypt (a skipped one would cost nothing)
    assert work("no such id!") == known  # so does an id that could not exist


@pytest.mark.parametrize(
    ("agent_id", "name", "skills", "password", "problem"),
    [
        ("chen li", "Chen", [], PASSWORD, "agent id"),
        ("x" * 65, "Chen", [], PASSWORD, "agent id"),
        ("chen\n", "Chen", [], PASSWORD, "agent id"),  # re.match would let "$" pass before a newline
        ("chen", "", [], PASSWORD, "name"),
        ("chen", "Chen", ["Sign Language"], PASSWORD, "skills"),
        ("chen", "Chen", [], "x" * (MIN_PASSWORD_CHARS - 1), "too short"),
    ],
)
def test_accounts_that_do_not_fit_are_refused(
    accounts: AgentAccounts, agent_id: str, name: str, skills: list[str], password: str, problem: str
):
    with pytest.raises(AccountError, match=problem) as refused:
        accounts.add(agent_id, name, skills, password)

    assert password not in str(refused.value) or len(password) < 3


def test_an_id_is_taken_once(accounts: AgentAccounts):
    accounts.add("chen", "Chen", [], PASSWORD)

    with pytest.raises(AccountError, match="already exists"):
        accounts.add("chen", "Other", [], PASSWORD)


def test_password_change_update_list_and_remove(accounts: AgentAccounts, caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.DEBUG)
    accounts.add("wang", "Wang", ["zh"], PASSWORD)
    accounts.add("chen", "Chen", ["en"], PASSWORD)

    accounts.set_password("chen", "a new password")
    assert accounts.verify("chen", PASSWORD) is None
    assert accounts.verify("chen", "a new password") is not None
    assert accounts.update("chen", name="Chen Li", skills=["en", "sign"]) == Account(
        "chen", "Chen Li", ("en", "sign"), credential_version=2
    )
    assert [a.agent_id for a in accounts.list()] == ["chen", "wang"]
    assert accounts.remove("wang") is True
    assert accounts.remove("wang") is False
    assert accounts.get("wang") is None
    with pytest.raises(AccountError, match="no agent"):
        accounts.set_password("wang", "another password")

    assert PASSWORD not in caplog.text and "a new password" not in caplog.text and "scrypt$" not in caplog.text


def test_accounts_survive_reopening(place: Path | str):
    path = place
    first = AgentAccounts(path)
    first.add("chen", "Chen", ["zh"], PASSWORD)
    first.close()

    again = AgentAccounts(path)
    try:
        assert again.verify("chen", PASSWORD) == Account("chen", "Chen", ("zh",))
    finally:
        again.close()


def test_an_account_shows_no_password_material(accounts: AgentAccounts):
    account = accounts.add("chen", "Chen", [], PASSWORD)

    assert "scrypt" not in repr(account) and PASSWORD not in repr(account)
