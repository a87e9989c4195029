"""A facilities-and-supervisor account for tests that look at the fleet and the wallboard, which need one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tests.peers.programs import ROOT

STAFF_ID = "ops"
STAFF_PASSWORD = "ops desk password"
STAFF_ROLES = "supervisor,facilities"
SESSION_COOKIE = "agent_session"


def add_staff(state_dir: Path, env: Mapping[str, str] | None = None) -> None:
    """``central agent add ops --roles supervisor,facilities`` in ``state_dir``."""
    command = ["agent", "add", STAFF_ID, "--name", "Ops Desk", "--roles", STAFF_ROLES, "--password-stdin"]
    subprocess.run(
        [sys.executable, "-m", "central", *command],
        input=STAFF_PASSWORD + "\n",
        env={**os.environ, **(env or {}), "CENTRAL_APP__STATE_DIR": str(state_dir)},
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )


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
