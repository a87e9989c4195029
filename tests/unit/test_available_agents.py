"""Whom a call can be passed on to by name: ``GET /api/agent/available`` and the view behind it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

import central.accounts
from central.switchboard import AgentEvent, AgentState
from central.switchboard.model import AgentView
from central.switchboard.views import available_others
from tests.unit.test_agent_web import Rig, login


class QuietConsole:
    """An agent signed in without a page."""

    def send(self, event: AgentEvent) -> None:
        pass


@pytest.fixture(autouse=True)
def cheap_scrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(central.accounts, "SCRYPT_N", 2**8)


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[Rig]:
    yield Rig(tmp_path)


def view(agent_id: str, name: str, state: AgentState) -> AgentView:
    return AgentView(agent_id, name, ("zh",), state, 0.0, None)


def test_only_other_available_agents_are_offered_by_name() -> None:
    views = [
        view("zhao", "Zhao Lei", AgentState.AVAILABLE),
        view("chen", "Chen Li", AgentState.AVAILABLE),
        view("wang", "wang fang", AgentState.AVAILABLE),
        view("sun", "Sun Min", AgentState.ON_CALL),
        view("li", "Li Na", AgentState.AWAY),
    ]
    assert [v.agent_id for v in available_others(views, "chen")] == ["wang", "zhao"]


async def test_the_list_follows_who_is_available_and_needs_an_agents_session(rig: Rig) -> None:
    async with rig as client:
        assert (await client.get("/api/agent/available")).status == 401
        rig.switchboard.agent_sign_in("chen", "Chen Li", ["zh", "en"], QuietConsole())
        rig.switchboard.agent_presence("chen", True)
        rig.switchboard.agent_sign_in("wang", "Wang Fang", ["zh"], QuietConsole())
        assert (await login(client)).status == 200
        assert await (await client.get("/api/agent/available")).json() == []  # Wang is away; Chen is the asker

        rig.switchboard.agent_presence("wang", True)
        response = await client.get("/api/agent/available")
        assert (response.status, await response.json()) == (
            200,
            [{"id": "wang", "name": "Wang Fang", "skills": ["zh"]}],
        )

        rig.switchboard.agent_sign_out("wang")
        assert await (await client.get("/api/agent/available")).json() == []


async def test_a_supervisor_without_the_agent_role_gets_no_list(rig: Rig) -> None:
    async with rig as client:
        assert (await login(client, "sun")).status == 200
        assert (await client.get("/api/agent/available")).status == 403
