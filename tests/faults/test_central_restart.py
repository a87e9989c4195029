"""``central`` SIGKILLed at rush hour and started again on the same state directory loses nobody.

Real Mosquitto and the real ``central`` program (killed with SIGKILL: no shutdown code runs); ten waiting
passengers as bus devices (the aiortc-free caller peer: waiting needs no media); one call in progress
between a real aiortc kiosk peer in its own process (``tests.peers.calling_kiosk``) and the agent's real
console in headless Chromium. One call in progress rather than three: each is a Chromium page and an
aiortc process on a machine of two shared cores, and what the restart does to a call (nothing, it is
peer to peer) does not depend on how many there are; the switchboard's side of several is in
tests/unit/test_switchboard_restart.py.
"""

from __future__ import annotations

import asyncio
import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import AsyncExitStack, contextmanager
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from bus.messages.call import CallCancel, CallHangup
from bus.topics import TopicKind
from tests.peers.agent_console import available_console, chromium
from tests.peers.bus_device import BusDevice, bus_observer
from tests.peers.central import AGENTS, TOPICS, WAIT_S, CentralUnderTest, add_agents, central_env
from tests.peers.console import console
from tests.peers.mosquitto import Mosquitto
from tests.peers.programs import running
from tests.peers.retained import read_retained
from tests.peers.staff import add_staff

pytestmark = [pytest.mark.slow, pytest.mark.faults]

UI_TIMEOUT_MS = 20_000
WAITING = 10


@contextmanager
def central_on(mosquitto: Mosquitto, env: dict[str, str]) -> Iterator[CentralUnderTest]:
    """``central`` on ``env`` (the same port and state directory each time), once its birth is retained."""
    with running("central", env) as program:
        line = program.wait_for_line("central: agent console at ")
        base_url = line.split(" at ", 1)[1].strip().removesuffix("/agent")
        read_retained(mosquitto, TOPICS.site(TopicKind.CENTRAL_STATUS), lambda b: b.get("online") is True, WAIT_S)
        yield CentralUnderTest(program, base_url, env)


def kill(central: CentralUnderTest) -> None:
    """SIGKILL: no shutdown, no goodbye to the consoles, nothing flushed; the broker publishes its Last Will."""
    central.program.process.kill()
    central.program.process.wait(WAIT_S)


async def frames_after(kiosk_lines: list[str], since: int) -> int:
    """The kiosk's count of the agent's video frames once it has gone past ``since`` (it prints every 50)."""

    def latest() -> int:
        counts = [int(m.group(1)) for line in kiosk_lines if (m := re.fullmatch(r"frames (\d+)", line))]
        return max(counts, default=0)

    async with asyncio.timeout(WAIT_S):
        while latest() <= since:
            await asyncio.sleep(0.1)  # polling a list another thread appends to; no event to wait on
    return latest()


async def agent_frames(page: Page) -> float:
    return float(await page.locator("#remote-video").get_attribute("data-frames") or 0)


async def agent_frames_above(page: Page, floor: float) -> None:
    await page.wait_for_function(
        "(floor) => Number(document.querySelector('#remote-video')?.getAttribute('data-frames')) > floor",
        arg=floor,
        timeout=UI_TIMEOUT_MS,
    )


def records_of(state_dir: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(state_dir / "central.sqlite3") as db:
        return sorted(db.execute("SELECT call_id, outcome FROM calls"))


async def test_a_killed_central_comes_back_with_the_queue_in_order_and_the_call_still_on(
    mosquitto: Mosquitto, tmp_path: Path, chromium_executable: str
) -> None:
    state_dir = tmp_path / "central"
    env = central_env(mosquitto, state_dir, wrap_up_s=300)
    add_agents(env, AGENTS)
    add_staff(state_dir, env)
    errors: list[str] = []
    async with chromium(chromium_executable) as browser, bus_observer(mosquitto.url) as bus:
        with central_on(mosquitto, env) as central:
            agent = await available_console(browser, central.base_url, errors, UI_TIMEOUT_MS)
            state = agent.locator("body")

            with running("tests.peers.calling_kiosk", {}, [mosquitto.url, "kiosk-t1-01", "call-live"]) as kiosk:
                await expect(agent.locator("#ring")).to_have_attribute("data-call", "call-live", timeout=UI_TIMEOUT_MS)
                await agent.locator("#accept").click()
                await asyncio.to_thread(kiosk.wait_for_line, "media")
                await agent_frames_above(agent, 10)

                # ten passengers wait behind the call, in the order they asked
                async with AsyncExitStack() as stack:
                    callers = [
                        await stack.enter_async_context(BusDevice(mosquitto.url, f"kiosk-w{n:02}"))
                        for n in range(WAITING)
                    ]
                    for n, caller in enumerate(callers):
                        caller.request(f"wait-{n:02}")
                        await caller.expect("queued", call=f"wait-{n:02}", position=n + 1)
                    board = await central.wallboard()
                    assert board["skills"]["zh"]["waiting"] == WAITING
                    assert board["today"]["answered"] == 0  # a call counts when it ends

                    kill(central)
                    # the call goes on without central: frames still arrive on both sides
                    kiosk_frames = await frames_after(kiosk.stdout, 0)
                    page_frames = await agent_frames(agent)
                    await frames_after(kiosk.stdout, kiosk_frames)
                    await agent_frames_above(agent, page_frames + 25)

                    with central_on(mosquitto, env) as central:
                        # the console reconnects on its own, without a sign-in, and is on the call again
                        await expect(state).to_have_attribute("data-state", "on_call", timeout=UI_TIMEOUT_MS)
                        await expect(agent.locator("#signin")).to_be_hidden()
                        shots = Path(os.environ.get("FAULT_SCREENSHOTS") or tmp_path)
                        await agent.screenshot(path=str(shots / "agent-after-central-restart.png"))
                        board = await central.wallboard()
                        assert board["skills"]["zh"]["waiting"] == WAITING
                        assert [a["id"] for a in board["agents"]["on_call"]] == ["chen"]
                        assert board["today"]["offered"] == 0 and board["today"]["answered"] == 0

                        # the order held: the head gives up, and the other nine move up in the same order
                        callers[0].send(CallCancel(call="wait-00"))
                        for n, caller in enumerate(callers[1:], start=1):
                            await caller.expect("queued", call=f"wait-{n:02}", position=n)

                        page_frames = await agent_frames(agent)
                        kiosk_frames = await frames_after(kiosk.stdout, 0)
                        await agent_frames_above(agent, page_frames + 25)
                        await frames_after(kiosk.stdout, kiosk_frames)

                        # the agent ends the call from the same page: the kiosk hears it, it is recorded once
                        await agent.locator("#hangup").click()
                        ended = await bus.wait_for(
                            lambda topic, body: topic.endswith("/kiosk-t1-01/call/in") and body.get("type") == "ended"
                        )
                        assert (ended["call"], ended["reason"]) == ("call-live", "agent")
                        await expect(state).to_have_attribute("data-state", "wrap_up", timeout=UI_TIMEOUT_MS)
                        board = await central.wallboard()
                        assert board["today"]["answered"] == 1
                        assert board["today"]["abandoned"] == 1
                        assert board["skills"]["zh"]["waiting"] == WAITING - 1
    assert records_of(state_dir) == [("call-live", "answered"), ("wait-00", "abandoned")]
    assert errors == []


async def test_a_hang_up_sent_while_central_is_down_is_recorded_once_when_it_is_back(
    mosquitto: Mosquitto, tmp_path: Path
) -> None:
    """The broker keeps the kiosk's hang-up for central's persistent session; the restarted central, which
    knows the call from its live-call file, records it. No media here: the switchboard's side only."""
    state_dir = tmp_path / "central"
    env = central_env(mosquitto, state_dir)
    add_agents(env, AGENTS)
    add_staff(state_dir, env)
    async with BusDevice(mosquitto.url, "kiosk-t1-02") as kiosk:
        with central_on(mosquitto, env) as central:
            async with console(central.base_url) as agent:
                kiosk.request("call-hangs-up")
                ring = await agent.next("ring")
                await agent.send({"type": "accept", "call": ring["call"]})
                await kiosk.expect("connect", call="call-hangs-up")
                kill(central)
        kiosk.send(CallHangup(call="call-hangs-up"))  # nobody there to hear it but the broker
        with central_on(mosquitto, env) as central:
            async with asyncio.timeout(WAIT_S):
                while (await central.wallboard())["today"]["answered"] != 1:
                    await asyncio.sleep(0.2)  # polling central's HTTP view; it pushes nothing to a plain client
            board = await central.wallboard()
            assert board["skills"]["zh"]["waiting"] == 0
            assert board["today"]["offered"] == 1
    assert records_of(state_dir) == [("call-hangs-up", "answered")]
