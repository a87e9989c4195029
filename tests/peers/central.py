"""The real ``central`` program with agent accounts, as a process on a free port against a test broker."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from bus.topics import TopicKind, Topics
from tests.peers.mosquitto import Mosquitto
from tests.peers.net import free_port
from tests.peers.programs import RunningProgram, running
from tests.peers.retained import read_retained
from tests.peers.staff import add_staff, staff_cookie, written_accounts

SITE = "HAK"
TOPICS = Topics(f"airport/{SITE}")
PASSWORD = "correct horse battery"
AGENTS = (("chen", "Chen Li", "zh,en"),)
WAIT_S = 15.0


@dataclass
class CentralUnderTest:
    program: RunningProgram
    base_url: str
    env: dict[str, str]

    _cookie: str = ""

    def staff_cookie(self) -> str:
        """The staff account's session (signed in once, on first use)."""
        if not self._cookie:
            self._cookie = staff_cookie(self.base_url)
        return self._cookie

    @property
    def log_lines(self) -> list[str]:
        return list(self.program.stderr)

    async def wallboard(self) -> dict[str, Any]:
        """The wallboard's snapshot, as the staff account sees it."""
        headers = {"Cookie": self.staff_cookie()}
        async with (
            aiohttp.ClientSession() as http,
            http.get(f"{self.base_url}/api/wallboard", headers=headers) as response,
        ):
            data: dict[str, Any] = await response.json()
            return data


def central_env(mosquitto: Mosquitto, state_dir: Path, **calls: object) -> dict[str, str]:
    """Central's settings as environment variables; ``calls`` are ``[calls]`` settings (``wrap_up_s=1``)."""
    env = {
        "CENTRAL_BUS__URL": mosquitto.url,
        "CENTRAL_BUS__SITE": SITE,
        "CENTRAL_BUS__RECONNECT_MAX_S": "2",
        "CENTRAL_HTTP__HOST": "127.0.0.1",
        "CENTRAL_HTTP__PORT": str(free_port()),
        "CENTRAL_APP__STATE_DIR": str(state_dir),
    }
    env.update({f"CENTRAL_CALLS__{name.upper()}": str(value) for name, value in calls.items()})
    return env


def add_agents(env: Mapping[str, str], agents: tuple[tuple[str, str, str], ...]) -> None:
    """Each (id, name, skills) as an agent account in central's state dir, all with :data:`PASSWORD`."""
    with written_accounts(Path(env["CENTRAL_APP__STATE_DIR"])) as accounts:
        for agent_id, name, skills in agents:
            accounts.add(agent_id, name, skills.split(","), PASSWORD)


@contextmanager
def central_running(
    mosquitto: Mosquitto, state_dir: Path, agents: tuple[tuple[str, str, str], ...] = AGENTS, **calls: object
) -> Iterator[CentralUnderTest]:
    """The real ``central`` with the given agent accounts; stopped (and reaped) afterwards."""
    env = central_env(mosquitto, state_dir, **calls)
    add_agents(env, agents)
    add_staff(state_dir, env)
    with running("central", env) as program:
        line = program.wait_for_line("central: agent console at ")
        base_url = line.split(" at ", 1)[1].strip().removesuffix("/agent")
        program.wait_for_line("central: wallboard at ")
        # The pages come up before the broker connection. Central subscribes before it publishes its birth,
        # so once the birth is retained its subscriptions are live and a device's first message is heard.
        status = TOPICS.site(TopicKind.CENTRAL_STATUS)
        read_retained(mosquitto, status, lambda body: body.get("online") is True, timeout_s=WAIT_S)
        yield CentralUnderTest(program, base_url, env)


def kiosk_env(mosquitto: Mosquitto, state_dir: Path, device_id: str, **settings: str) -> dict[str, str]:
    """The ``kiosk`` program's environment for a windowed, offscreen kiosk on the test broker."""
    return {
        "QT_QPA_PLATFORM": "offscreen",
        "KIOSK_BUS__URL": mosquitto.url,
        "KIOSK_BUS__DEVICE_ID": device_id,
        "KIOSK_APP__STATE_DIR": str(state_dir),
        "KIOSK_UI__FULLSCREEN": "false",
        **settings,
    }
