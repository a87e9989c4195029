"""The fleet simulator (``python -m demo.fleet``) as a real process against a real Mosquitto: every device
speaks the contract (birth, health, numbered events, one reply per command), comes back by itself after the
broker restarts, says ``shutdown`` on SIGTERM, and leaves its Last Will when killed."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import psutil
import pytest

from bus.codec import decode, encode
from bus.link import Publication
from bus.messages.device import Command, DeviceEvent, DeviceHealth, DeviceStatus
from bus.topics import TopicKind, Topics
from config.sections import BusSection
from demo.fleet.driver import CONNECT_THREADS
from demo.fleet.fleet import FleetPlan
from tests.peers.inbox import Inbox
from tests.peers.mosquitto import Mosquitto
from tests.peers.programs import ROOT
from tests.peers.wait import until

TOPICS = Topics("airport/HAK")
DEVICES = 6


def start_fleet(url: str, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "demo.fleet", "--broker", url, "--devices", str(DEVICES), "--health-every", "1",
         "--event-every", "0.5", "--report-every", "60", "--keepalive", "5", "--signage-share", "0.5", *extra],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


def stop(process: subprocess.Popen[str], how: signal.Signals = signal.SIGTERM) -> str:
    if process.poll() is None:
        process.send_signal(how)
    out, _ = process.communicate(timeout=20)
    return out


def by_kind(inbox: Inbox, kind: TopicKind) -> dict[str, list[object]]:
    """Decoded messages of one kind, by device, in the order they came."""
    found: dict[str, list[object]] = defaultdict(list)
    for topic, body in list(inbox.messages):
        match = TOPICS.parse(topic)
        if match is not None and match.kind is kind and match.device_id is not None and body is not None:
            found[match.device_id].append(decode(kind, encode_json(body)))
    return found


def encode_json(body: object) -> bytes:
    return json.dumps(body).encode()


@pytest.mark.slow  # starts the broker and the simulator
async def test_every_simulated_device_speaks_the_contract_and_comes_back_after_a_broker_restart(
    mosquitto: Mosquitto, tmp_path: Path
) -> None:
    ids = [identity.device_id for identity in FleetPlan(DEVICES, signage_share=0.5).identities()]
    kiosk = next(i for i in ids if "-kiosk-" in i)
    display = next(i for i in ids if "-signage-" in i)
    settings = BusSection(url=mosquitto.url, reconnect_min_s=1, reconnect_max_s=1)
    fleet = start_fleet(mosquitto.url)
    try:
        async with Inbox(settings, f"{TOPICS.root}/device/#", client_id="test-fleet-watch") as inbox:
            await until(lambda: len(by_kind(inbox, TopicKind.DEVICE_EVENT)) == DEVICES, "events from every device")
            await until(lambda: all(len(h) >= 2 for h in by_kind(inbox, TopicKind.DEVICE_HEALTH).values()), "health")
            births = by_kind(inbox, TopicKind.DEVICE_STATUS)
            assert sorted(births) == sorted(ids)
            for statuses in births.values():
                assert isinstance(statuses[0], DeviceStatus) and statuses[0].online
            kiosk_health = by_kind(inbox, TopicKind.DEVICE_HEALTH)[kiosk][-1]
            assert isinstance(kiosk_health, DeviceHealth) and kiosk_health.printer is not None
            display_health = by_kind(inbox, TopicKind.DEVICE_HEALTH)[display][-1]
            assert isinstance(display_health, DeviceHealth) and display_health.printer is None

            commands = [
                (kiosk, "c1", "print_test", {}, True),
                (display, "c2", "print_test", {}, False),
                (display, "c3", "screen", {"state": "off"}, True),
                (display, "c4", "screen", {"state": "sideways"}, False),
                (kiosk, "c5", "make_coffee", {}, False),
            ]
            for device, cid, name, args, _ok in commands:
                command = Command(id=cid, name=name, args=args)
                inbox.link.publish(Publication(TOPICS.device(device, TopicKind.COMMAND), encode(command)))
            inbox.link.publish(Publication(TOPICS.device(kiosk, TopicKind.COMMAND), b'{"v": 1, "name": "x"}'))
            for device, cid, _name, _args, ok in commands:
                reply = await inbox.wait_for(
                    lambda t, b, d=device, c=cid: t == TOPICS.device(d, TopicKind.COMMAND_REPLY) and b["id"] == c
                )
                assert reply["ok"] is ok, reply
            replies = [t for t, _b in inbox.messages if t.endswith("/cmd/reply")]
            assert len(replies) == len(commands)  # exactly one each; the malformed one gets none

            mosquitto.stop()
            mosquitto.start()  # the same port: every device must come back by itself
            await until(lambda: inbox.link.state.value == "online", "the watcher back", 20)
            inbox.messages.clear()
            await until(
                lambda: (
                    sorted(d for d, s in by_kind(inbox, TopicKind.DEVICE_STATUS).items() if s[-1].online) == sorted(ids)
                ),
                "every device born again after the restart",
                30,
            )
            await until(lambda: len(by_kind(inbox, TopicKind.DEVICE_EVENT)) == DEVICES, "events after the restart")
            for events in by_kind(inbox, TopicKind.DEVICE_EVENT).values():
                seqs = [e.seq for e in events if isinstance(e, DeviceEvent)]
                assert seqs == sorted(seqs) and seqs[0] > 0  # numbering goes on, it does not start again

            inbox.messages.clear()
            out = stop(fleet)
            assert fleet.returncode == 0, out
            await until(lambda: len(by_kind(inbox, TopicKind.DEVICE_STATUS)) == DEVICES, "every shutdown status")
            for statuses in by_kind(inbox, TopicKind.DEVICE_STATUS).values():
                assert isinstance(statuses[-1], DeviceStatus) and statuses[-1].reason == "shutdown"
            assert f"{DEVICES} of {DEVICES} devices came online" in out, out
    finally:
        stop(fleet, signal.SIGKILL)


@pytest.mark.slow  # starts the broker and the simulator
async def test_a_killed_simulator_leaves_every_device_s_last_will(mosquitto: Mosquitto, tmp_path: Path) -> None:
    settings = BusSection(url=mosquitto.url)
    fleet = start_fleet(mosquitto.url)
    try:
        async with Inbox(settings, TOPICS.every_device(TopicKind.DEVICE_STATUS), client_id="test-wills") as inbox:
            await until(lambda: len(inbox.messages) >= DEVICES, "every birth")
            inbox.messages.clear()
            stop(fleet, signal.SIGKILL)
            # the broker sees the sockets close at once and publishes each Will
            await until(lambda: len({t for t, b in inbox.messages if b["reason"] == "lost"}) == DEVICES, "the Wills")
    finally:
        stop(fleet, signal.SIGKILL)


@pytest.mark.slow  # starts the broker and the simulator
async def test_a_hundred_devices_need_no_thread_each(mosquitto: Mosquitto) -> None:
    settings = BusSection(url=mosquitto.url)
    fleet = start_fleet(mosquitto.url, "--devices", "100", "--ramp", "1")
    try:
        async with Inbox(settings, TOPICS.every_device(TopicKind.DEVICE_STATUS), client_id="test-many") as inbox:
            await until(lambda: len({t for t, b in inbox.messages if b["online"]}) == 100, "a hundred births", 30)
            # the loop's thread, and the few that only open connections: paho's loop_start would add 100
            assert psutil.Process(fleet.pid).num_threads() <= 1 + CONNECT_THREADS
    finally:
        out = stop(fleet)
    assert "100 of 100 devices came online" in out, out


@pytest.mark.slow  # starts a process
def test_a_wrong_option_is_one_line_and_status_2() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "demo.fleet", "--broker", "http://x"], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "--broker 'http://x'" in done.stderr, done.stderr


def test_the_plan_mixes_kiosks_and_displays_over_terminals_with_valid_unique_ids() -> None:
    identities = FleetPlan(40).identities()
    ids = [i.device_id for i in identities]
    assert len(set(ids)) == 40
    assert all(TOPICS.parse(TOPICS.device(i, TopicKind.DEVICE_STATUS)) is not None for i in ids)
    kinds = [i.kind.value for i in identities]
    assert kinds.count("signage") == 16 and kinds.count("kiosk") == 24
    assert {i.location[:2] for i in identities} == {"T1", "T2"}
