"""A facilities-and-supervisor account for tests that look at the fleet and the wallboard, which need one."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import central.accounts
from central.accounts import AgentAccounts
from central.service import ACCOUNTS_FILE

TEST_SCRYPT_N = 2**12
STAFF_ID = "ops"
STAFF_PASSWORD = "ops desk password"
STAFF_ROLES = "supervisor,facilities"
SESSION_COOKIE = "agent_session"


@contextmanager
def written_accounts(state_dir: Path) -> Iterator[AgentAccounts]:
    """``state_dir``'s accounts file, for writing a test's accounts directly (``central agent add`` is
    tested on its own). Their hashes use a lower scrypt cost: a stored hash names its own cost, so central
    checks these at that cost, and every sign-in in the tests does not pay 0.4 s."""
    state_dir.mkdir(parents=True, exist_ok=True)
    accounts = AgentAccounts(state_dir / ACCOUNTS_FILE)
    full_cost = central.accounts.SCRYPT_N
    central.accounts.SCRYPT_N = TEST_SCRYPT_N
    try:
        yield accounts
    finally:
        central.accounts.SCRYPT_N = full_cost
        accounts.close()


def add_staff(state_dir: Path, env: Mapping[str, str] | None = None) -> None:
    """The staff account (supervisor and facilities) in ``state_dir``."""
    del env  # the state dir is all that decides where the account goes
    with written_accounts(state_dir) as accounts:
        accounts.add(STAFF_ID, "Ops Desk", [], STAFF_PASSWORD, roles=STAFF_ROLES.split(","))


def staff_cookie(base_url: str, account: str = STAFF_ID, password: str = STAFF_PASSWORD) -> str:
    """A ``Cookie`` header value for the staff account (or another), signed in to the central at ``base_url``."""
    body = json.dumps({"agent_id": account, "password": password}).encode()
    request = urllib.request.Request(
        f"{base_url}/api/agent/login", data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            if name == SESSION_COOKIE:
                return f"{SESSION_COOKIE}={rest.split(';', 1)[0]}"
    raise AssertionError(f"signing {account} in gave no session cookie")


def fetch_json(url: str, cookie: str) -> Any:
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def sign_in_browser_sync(page: Any, base_url: str) -> None:
    """The same for Playwright's synchronous API."""
    response = page.request.post(f"{base_url}/api/agent/login", data={"agent_id": STAFF_ID, "password": STAFF_PASSWORD})
    assert response.ok, response.text()


async def sign_in_browser(page: Any, base_url: str) -> None:
    """Sign a Playwright page's browser context in as the staff account (its cookie serves every page)."""
    response = await page.request.post(
        f"{base_url}/api/agent/login", data={"agent_id": STAFF_ID, "password": STAFF_PASSWORD}
    )
    assert response.ok, await response.text()
