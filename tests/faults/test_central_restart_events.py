"""``central`` SIGKILLed and started again takes none of a device's events twice.

Real Mosquitto, the real ``central`` program (SIGKILL: no shutdown code runs, nothing flushed) and a device's
real outbox. The device reconnects after central's restart and sends its kept minute of acknowledged events
again, first (bus/outbox.py), then a new one: central drops the minute as repeats by what it kept of each
device's seqs (central/event_seqs.py), so its page, its counts and its file show each seq once.
"""

from __future__ import annotations

import asyncio
import sqlite3
import urllib.request
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import pytest

from bus.link import BusLink
from bus.topics import TopicKind
from central.event_seqs import EVENT_SEQS_FILE
from config.sections import BusSection
from device.events import DeviceEvents
from tests.peers.central import TOPICS, WAIT_S, CentralUnderTest, central_env
from tests.peers.mosquitto import Mosquitto
from tests.peers.programs import running
from tests.peers.retained import read_retained
from tests.peers.staff import add_staff, fetch_json
from tests.peers.wait import until

pytestmark = [pytest.mark.slow, pytest.mark.faults]

DEVICE = "kiosk-t1-restart"
BEFORE = 12


@contextmanager
def central_on(mosquitto: Mosquitto, env: dict[str, str]) -> Iterator[CentralUnderTest]:
    """``central`` on ``env`` (the same port and state directory each time), once its birth is retained: its
    subscriptions are live from then on."""
    with running("central", env) as program:
        line = program.wait_for_line("central: agent console at ", WAIT_S)
        base_url = line.split(" at ", 1)[1].strip().removesuffix("/agent")
        read_retained(mosquitto, TOPICS.site(TopicKind.CENTRAL_STATUS), lambda b: b.get("online") is True, WAIT_S)
        yield CentralUnderTest(program, base_url, env)


def kill(central: CentralUnderTest) -> None:
    """SIGKILL: no shutdown code runs, nothing is flushed."""
    central.program.process.kill()
    central.program.process.wait(WAIT_S)


@asynccontextmanager
async def device_on(mosquitto: Mosquitto, state_dir: Path) -> AsyncIterator[DeviceEvents]:
    """The device's outbox on a connection of its own; a new one is a reconnect (the kept minute goes again)."""
    link = BusLink(BusSection(url=mosquitto.url, reconnect_min_s=1, reconnect_max_s=1), DEVICE)
    await link.start()
    events = DeviceEvents(link, TOPICS, DEVICE, state_dir)
    events.start()
    try:
        # online is set just before the outbox hears of the connection and sends its kept minute: an event made
        # from now on goes after that minute (made earlier, it could go out ahead of it, on the first pump)
        await until(lambda: link.state.value == "online", "the device online", 15)
        yield events
    finally:
        events.close()
        await link.stop()


async def device_page(central: CentralUnderTest) -> dict[str, Any]:
    url = f"{central.base_url}/api/fleet/devices/{DEVICE}"
    page: dict[str, Any] = await asyncio.to_thread(fetch_json, url, central.staff_cookie())
    return page


async def seqs_on_page(central: CentralUnderTest) -> list[int]:
    """The seqs of the device's events on its page, oldest first."""
    return [event["seq"] for event in (await device_page(central))["events"]][::-1]


async def page_reaches(central: CentralUnderTest, seq: int) -> list[int]:
    """The page's seqs once they include ``seq`` (asked again and again: nothing announces it to a test)."""
    shown: list[int] = []
    try:
        async with asyncio.timeout(15):
            while seq not in shown:
                shown = await seqs_on_page(central)
    except TimeoutError:
        raise AssertionError(f"event {seq} never on central's page (it shows {shown[-5:]})") from None
    return shown


def kept_row(state_dir: Path) -> tuple[int, int, int, int]:
    """The device's row in central's file: last seq, events taken, repeats dropped, events found missing."""
    with sqlite3.connect(f"file:{state_dir / EVENT_SEQS_FILE}?mode=ro", uri=True) as db:
        row = db.execute(
            "SELECT last_seq, taken, repeats, found_missing FROM device_event_seqs WHERE device = ?", (DEVICE,)
        ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1]), int(row[2]), int(row[3])


async def test_a_killed_central_drops_the_minute_a_device_sends_again_after_its_restart(
    mosquitto: Mosquitto, tmp_path: Path
) -> None:
    state_dir = tmp_path / "central"
    env = central_env(mosquitto, state_dir)
    add_staff(state_dir)
    device_dir = tmp_path / "kiosk"
    device_dir.mkdir()
    with central_on(mosquitto, env) as central:
        async with device_on(mosquitto, device_dir) as device:
            made = [device.emit("print.done", {"n": n}) for n in range(BEFORE)]
            sent = [event.seq for event in made if event is not None]
            assert len(sent) == BEFORE
            await until(lambda: len(device.outbox) == 0, "every event acknowledged by the broker", 15)
            assert await page_reaches(central, sent[-1]) == sent  # central's subscription was live from its birth
            assert device.outbox.kept_acked == BEFORE  # the minute the outbox sends again after a reconnect
            kill(central)
    assert kept_row(state_dir) == (sent[-1], BEFORE, 0, 0)  # written as taken: the kill flushed nothing

    with central_on(mosquitto, env) as central:
        async with device_on(mosquitto, device_dir) as device:  # the device reconnects: its minute goes again
            after = device.emit("print.done", {"n": "after"})
            assert after is not None
            shown = await page_reaches(central, after.seq)
            # in order on one connection: the resent minute came first, and none of it was taken again
            assert shown == [after.seq]
            page = await device_page(central)
            assert page["events_missing"] == 0
            last_seq, taken, repeats, missing = kept_row(state_dir)
            assert (last_seq, taken, missing) == (after.seq, BEFORE + 1, 0)
            assert repeats >= BEFORE  # the whole minute arrived, and was dropped
        metrics = await asyncio.to_thread(fetch_text, f"{central.base_url}/metrics")
    assert f'airport_device_events_missing_total{{device="{DEVICE}"}} 0.0' in metrics


def fetch_text(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return str(response.read().decode())
