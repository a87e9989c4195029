"""``central`` SIGKILLed at rush hour and started again on the same state directory loses nobody.

Real Mosquitto and the real ``central`` program (killed with SIGKILL: no shutdown code runs); ten waiting
passengers as bus devices (the aiortc-free caller peer: waiting needs no media); three calls in progress,
each between a real aiortc kiosk peer in its own process (``tests.peers.calling_kiosk``) and an agent's
real console page. The three consoles are three contexts (each with its own cookies, so its own session)
of one headless Chromium, whose fake camera plays a small looped file (``tests.peers.small_camera``), and
the kiosks send a small picture: the real page matters, because reconnecting without a sign-in and
getting back on the call is the page's doing, while the picture's size does not (a frame counter that
goes up proves the media flows). One browser and small pictures keep three calls within a machine of two
shared cores.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sqlite3
from collections.abc import Iterator
from contextlib import AsyncExitStack, ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Page, expect

from bus.messages.call import CallCancel, CallHangup
from bus.topics import TopicKind
from tests.peers.agent_console import available_console
from tests.peers.bus_device import BusDevice, bus_observer
from tests.peers.central import AGENTS, TOPICS, WAIT_S, CentralUnderTest, add_agents, central_env
from tests.peers.console import console
from tests.peers.mosquitto import Mosquitto
from tests.peers.programs import RunningProgram, running
from tests.peers.retained import read_retained
from tests.peers.small_camera import chromium_with_small_camera
from tests.peers.staff import add_staff

pytestmark = [pytest.mark.slow, pytest.mark.faults]

UI_TIMEOUT_MS = 20_000
WAITING = 10
CALLS = 3
STARTUP_S = 60.0
"""A program's start on a busy machine of two shared cores (three aiortc kiosks and Chromium are running)."""
MEDIA_WAIT_S = 30.0
"""Three calls' media on two shared cores can slow to a few frames a second: a generous wait, not a fixed one."""
KIOSK_PICTURE = "320x240"
RECONNECT_MS = 40_000
"""The console tries again 1, 2, 4, 8, then every 15 s after its socket dropped: a central down for ten
seconds on a busy machine may be back just after a try, and the next comes up to 15 s later."""
AGENTS_ON_CALLS = (("chen", "Chen Li", "zh,en"), ("li", "Li Na", "zh"), ("wang", "Wang Fang", "zh"))


@contextmanager
def central_on(mosquitto: Mosquitto, env: dict[str, str], timeout_s: float = 30.0) -> Iterator[CentralUnderTest]:
    """``central`` on ``env`` (the same port and state directory each time), once its birth is retained."""
    with running("central", env) as program:
        line = program.wait_for_line("central: agent console at ", timeout_s)
        base_url = line.split(" at ", 1)[1].strip().removesuffix("/agent")
        read_retained(mosquitto, TOPICS.site(TopicKind.CENTRAL_STATUS), lambda b: b.get("online") is True, timeout_s)
        yield CentralUnderTest(program, base_url, env)


def kill(central: CentralUnderTest) -> None:
    """SIGKILL: no shutdown, no goodbye to the consoles, nothing flushed; the broker publishes its Last Will."""
    central.program.process.kill()
    central.program.process.wait(WAIT_S)


async def frames_after(kiosk_lines: list[str], since: int, timeout_s: float = WAIT_S) -> int:
    """The kiosk's count of the agent's video frames once it has gone past ``since`` (it prints every 10)."""

    def latest() -> int:
        counts = [int(m.group(1)) for line in kiosk_lines if (m := re.fullmatch(r"frames (\d+)", line))]
        return max(counts, default=0)

    async with asyncio.timeout(timeout_s):
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


@dataclass
class CallInProgress:
    """One of the calls going on through the restart: the kiosk's process and the agent's page."""

    call_id: str
    device_id: str
    kiosk: RunningProgram
    agent_id: str = ""
    page: Page | None = None

    @property
    def console(self) -> Page:
        assert self.page is not None, f"{self.call_id} was not answered"
        return self.page


async def answer_the_ring(page: Page, agent_id: str, calls: dict[str, CallInProgress]) -> None:
    """The agent accepts whichever call rings their console (the switchboard picks; the test follows)."""
    ring = page.locator("#ring")
    await expect(ring).to_have_attribute("data-call", re.compile(r"^call-live-\d$"), timeout=UI_TIMEOUT_MS)
    call = calls[await ring.get_attribute("data-call") or ""]
    assert call.page is None, f"{call.call_id} rang twice"
    call.agent_id, call.page = agent_id, page
    await page.locator("#accept").click()
    await asyncio.to_thread(call.kiosk.wait_for_line, "media")
    await agent_frames_above(page, 10)


async def media_flows_both_ways(call: CallInProgress) -> None:
    """New frames arrive at the kiosk (the agent's camera) and on the agent's page (the kiosk's picture)."""
    page_frames = await agent_frames(call.console)
    kiosk_frames = await frames_after(call.kiosk.stdout, 0, MEDIA_WAIT_S)
    await asyncio.gather(
        frames_after(call.kiosk.stdout, kiosk_frames, MEDIA_WAIT_S), agent_frames_above(call.console, page_frames + 10)
    )


async def back_on_the_call(call: CallInProgress) -> None:
    """The console reconnected by itself, without a sign-in, and is on the same call again."""
    page = call.console
    await expect(page.locator("body")).to_have_attribute("data-state", "on_call", timeout=RECONNECT_MS)
    await expect(page.locator("#call")).to_have_attribute("data-call", call.call_id)
    await expect(page.locator("#signin")).to_be_hidden()


def on_call(board: dict[str, Any]) -> dict[str, str | None]:
    return {agent["id"]: agent["call"] for agent in board["agents"]["on_call"]}


async def test_a_killed_central_comes_back_with_the_queue_in_order_and_three_calls_still_on(
    mosquitto: Mosquitto, tmp_path: Path, chromium_executable: str
) -> None:
    state_dir = tmp_path / "central"
    # every caller who gives up counts as abandoned, however soon (on a quick machine wait-00 waits under 5 s)
    env = central_env(mosquitto, state_dir, wrap_up_s=300, short_abandon_s=0)
    add_agents(env, AGENTS_ON_CALLS)
    add_staff(state_dir, env)
    errors: list[str] = []
    calls: dict[str, CallInProgress] = {}
    async with (
        chromium_with_small_camera(chromium_executable, tmp_path) as browser,
        bus_observer(mosquitto.url) as bus,
    ):
        with central_on(mosquitto, env, STARTUP_S) as central, ExitStack() as kiosks:
            # the kiosks' processes start (seconds, on a busy machine) while the agents sign in; a call that
            # asks before any agent is available waits for one
            for n in range(1, CALLS + 1):
                device_id, call_id = f"kiosk-t1-{n:02}", f"call-live-{n}"
                kiosk = kiosks.enter_context(
                    running("tests.peers.calling_kiosk", {}, [mosquitto.url, device_id, call_id, KIOSK_PICTURE])
                )
                calls[call_id] = CallInProgress(call_id, device_id, kiosk)
            agents = await asyncio.gather(
                *(available_console(browser, central.base_url, errors, UI_TIMEOUT_MS, a) for a, _, _ in AGENTS_ON_CALLS)
            )
            for call in calls.values():
                await asyncio.to_thread(call.kiosk.wait_for_line, "queued", STARTUP_S)
            await asyncio.gather(
                *(
                    answer_the_ring(page, agent_id, calls)
                    for page, (agent_id, _, _) in zip(agents, AGENTS_ON_CALLS, strict=True)
                )
            )
            agent_of = {call.agent_id: call.call_id for call in calls.values()}

            # ten passengers wait behind the calls, in the order they asked
            async with AsyncExitStack() as stack:
                callers = [
                    await stack.enter_async_context(BusDevice(mosquitto.url, f"kiosk-w{n:02}")) for n in range(WAITING)
                ]
                for n, caller in enumerate(callers):
                    caller.request(f"wait-{n:02}")
                    await caller.expect("queued", call=f"wait-{n:02}", position=n + 1)
                before = await central.wallboard()
                assert before["skills"]["zh"]["waiting"] == WAITING
                assert on_call(before) == agent_of
                assert before["today"]["answered"] == 0  # a call counts when it ends

                kill(central)
                # the calls go on without central: frames still arrive on both sides of each
                await asyncio.gather(*(media_flows_both_ways(call) for call in calls.values()))

                with central_on(mosquitto, env, STARTUP_S) as central:
                    await asyncio.gather(*(back_on_the_call(call) for call in calls.values()))
                    # back on their sessions' cookies: nobody signed in with a password at this central
                    assert [line for line in central.log_lines if " signed in from " in line] == []
                    shots = Path(os.environ.get("FAULT_SCREENSHOTS") or tmp_path)
                    await agents[0].screenshot(path=str(shots / "agent-after-central-restart.png"))
                    after = await central.wallboard()
                    assert after["skills"]["zh"]["waiting"] == WAITING
                    assert on_call(after) == agent_of
                    assert after["today"] == before["today"]

                    # the order held: the head gives up, and the other nine move up in the same order
                    callers[0].send(CallCancel(call="wait-00"))
                    for n, caller in enumerate(callers[1:], start=1):
                        await caller.expect("queued", call=f"wait-{n:02}", position=n)
                    await asyncio.gather(*(media_flows_both_ways(call) for call in calls.values()))

                    # the calls end, two from the agent's page and one from the kiosk: each kiosk hears it,
                    # each agent goes to wrap-up, and each call counts once
                    ending = list(calls.values())
                    await ending[0].console.locator("#hangup").click()
                    ending[1].kiosk.process.send_signal(signal.SIGUSR1)
                    await ending[2].console.locator("#hangup").click()
                    for call, reason in zip(ending, ("agent", "caller", "agent"), strict=True):
                        ended = await bus.wait_for(
                            lambda topic, body, device=call.device_id: (
                                topic.endswith(f"/{device}/call/in") and body.get("type") == "ended"
                            )
                        )
                        assert (ended["call"], ended["reason"]) == (call.call_id, reason)
                        await expect(call.console.locator("body")).to_have_attribute(
                            "data-state", "wrap_up", timeout=UI_TIMEOUT_MS
                        )
                    board = await central.wallboard()
                    assert board["today"]["answered"] == before["today"]["answered"] + CALLS
                    assert board["today"]["abandoned"] == 1
                    assert board["skills"]["zh"]["waiting"] == WAITING - 1
                    assert on_call(board) == {}
    assert records_of(state_dir) == [*((call_id, "answered") for call_id in sorted(calls)), ("wait-00", "abandoned")]
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
