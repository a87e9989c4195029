"""The broker SIGKILLed mid-call and started again on the same port: the call goes on and ends cleanly.

Real Mosquitto (without persistence, as the tests run it: the restarted broker remembers no session and
no retained message), the real ``central``, an aiortc kiosk peer in its own process and the agent's
console in headless Chromium. The media is peer to peer, so it does not notice the broker; what must
survive is the signalling: after the restart central and the kiosk reconnect by themselves, and the end of
the call reaches the kiosk and is recorded once.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from playwright.async_api import expect

from tests.faults.test_central_restart import (
    UI_TIMEOUT_MS,
    agent_frames,
    agent_frames_above,
    central_on,
    frames_after,
    records_of,
)
from tests.peers.agent_console import available_console, chromium
from tests.peers.bus_device import bus_observer
from tests.peers.central import AGENTS, WAIT_S, add_agents, central_env
from tests.peers.mosquitto import Mosquitto
from tests.peers.programs import running
from tests.peers.staff import add_staff

pytestmark = [pytest.mark.slow, pytest.mark.faults]


async def connected_again(mosquitto: Mosquitto, client_id: str) -> None:
    """Until the restarted broker's log (a new file) shows ``client_id`` connecting."""
    async with asyncio.timeout(WAIT_S):
        while f" as {client_id} " not in mosquitto.log_text():
            await asyncio.sleep(0.1)  # the broker's log is a file; no event to wait on


async def test_the_broker_killed_mid_call_leaves_the_call_on_and_its_end_reaches_both_sides(
    mosquitto: Mosquitto, tmp_path: Path, chromium_executable: str
) -> None:
    state_dir = tmp_path / "central"
    env = central_env(mosquitto, state_dir, wrap_up_s=300)
    add_agents(env, AGENTS)
    add_staff(state_dir, env)
    errors: list[str] = []
    kiosk_client = "test-kiosk-t1-01"
    async with chromium(chromium_executable) as browser:
        with central_on(mosquitto, env) as central:
            agent = await available_console(browser, central.base_url, errors, UI_TIMEOUT_MS)
            state = agent.locator("body")
            with running("tests.peers.calling_kiosk", {}, [mosquitto.url, "kiosk-t1-01", "call-b"]) as kiosk:
                await expect(agent.locator("#ring")).to_have_attribute("data-call", "call-b", timeout=UI_TIMEOUT_MS)
                await agent.locator("#accept").click()
                await asyncio.to_thread(kiosk.wait_for_line, "media")
                await agent_frames_above(agent, 10)

                assert mosquitto.process is not None
                mosquitto.process.kill()  # SIGKILL: no Last Will is sent, nothing kept
                mosquitto.process.wait(WAIT_S)
                kiosk_frames = await frames_after(kiosk.stdout, 0)
                page_frames = await agent_frames(agent)
                await frames_after(kiosk.stdout, kiosk_frames)
                await agent_frames_above(agent, page_frames + 25)
                mosquitto.start()  # the same port

                await connected_again(mosquitto, "central-hak")
                await connected_again(mosquitto, kiosk_client)
                await expect(state).to_have_attribute("data-state", "on_call")  # the console never noticed
                async with bus_observer(mosquitto.url) as bus:
                    await agent.locator("#hangup").click()
                    ended = await bus.wait_for(
                        lambda topic, body: topic.endswith("/kiosk-t1-01/call/in") and body.get("type") == "ended"
                    )
                assert (ended["call"], ended["reason"]) == ("call-b", "agent")
                await expect(state).to_have_attribute("data-state", "wrap_up", timeout=UI_TIMEOUT_MS)
                board = await central.wallboard()
                assert board["today"]["answered"] == 1
    assert records_of(state_dir) == [("call-b", "answered")]
    assert errors == []
