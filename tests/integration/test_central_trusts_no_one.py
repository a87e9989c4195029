"""Even on a broker that lets anyone in, central takes calls and fleet entries only from registered devices
and puts its own retained topics back when someone overwrites them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bus.codec import encode
from bus.link import Publication
from bus.messages.call import CallRequest
from bus.messages.device import DeviceKind, DeviceStatus
from bus.topics import TopicKind, Topics
from config.sections import BusSection
from tests.peers.inbox import Inbox
from tests.peers.mosquitto import Mosquitto
from tests.peers.programs import ROOT as REPO
from tests.peers.programs import RunningProgram, running
from tests.peers.staff import add_staff, fetch_json, staff_cookie

TOPICS = Topics("airport/HAK")


@pytest.fixture
def central(mosquitto: Mosquitto, tmp_path: Path):
    state = tmp_path / "state"
    env = {**os.environ, "CENTRAL_APP__STATE_DIR": str(state)}
    added = subprocess.run(
        [sys.executable, "-m", "central", "device", "add", "kiosk-a", "--kind", "kiosk"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert added.returncode == 0, added.stderr
    add_staff(state)
    with running(
        "central", {"CENTRAL_APP__STATE_DIR": str(state), "CENTRAL_BUS__URL": mosquitto.url, "CENTRAL_HTTP__PORT": "0"}
    ) as program:
        program.wait_for_line("central: facilities page at ")
        yield program


def request(link_publish, device_id: str, call_id: str) -> None:
    status = DeviceStatus(online=True, kind=DeviceKind.KIOSK, version="t", boot_id="b", location="T1")
    link_publish(Publication(TOPICS.device(device_id, TopicKind.DEVICE_STATUS), encode(status), retain=True))
    link_publish(
        Publication(TOPICS.device(device_id, TopicKind.CALL_OUT), encode(CallRequest(call=call_id, language="en")))
    )


async def test_calls_from_an_unregistered_device_are_refused(mosquitto: Mosquitto, central: RunningProgram) -> None:
    bus = BusSection(url=mosquitto.url)
    async with Inbox(bus, f"{TOPICS.root}/#", "watch") as replies:
        # central serves its pages before it reaches the broker: wait until it is on the bus
        await replies.wait_for(lambda topic, body: topic.endswith("/central/status") and body["online"])
        request(replies.link.publish, "kiosk-x", "call-x-1")  # not registered
        request(replies.link.publish, "kiosk-a", "call-a-1")  # registered, sent after
        await replies.wait_for(
            lambda topic, body: (
                topic.endswith("/call/in") and body.get("call") == "call-a-1" and body["type"] == "queued"
            )
        )
        assert not any(t.endswith("/call/in") and body.get("call") == "call-x-1" for t, body in replies.messages)
    base = central.wait_for_line("central: facilities page at ").split(" at ", 1)[1].removesuffix("/facilities")
    fleet = fetch_json(f"{base}/api/fleet", staff_cookie(base))
    assert [device["id"] for device in fleet["devices"]] == ["kiosk-a"]
    assert "refused" in central.log and "unregistered device kiosk-x" in central.log


async def test_a_forged_retained_queue_and_central_status_are_put_back(
    mosquitto: Mosquitto, central: RunningProgram
) -> None:
    bus = BusSection(url=mosquitto.url)
    queue_topic, status_topic = TOPICS.site(TopicKind.QUEUE), TOPICS.site(TopicKind.CENTRAL_STATUS)
    async with Inbox(bus, f"{TOPICS.root}/#", "first-look") as first:
        await first.wait_for(lambda topic, body: topic == status_topic and body["online"])
        genuine = await first.wait_for(lambda topic, body: topic == queue_topic and "agents_staffed" in body)
        forged = json.dumps({"v": 1, "forged": True, "skills": {}}).encode()
        first.link.publish(Publication(queue_topic, forged, retain=True))
        first.link.publish(Publication(status_topic, b'{"v": 1, "online": false}', retain=True))
        await first.wait_for(lambda topic, body: topic == queue_topic and body.get("forged") is True)
        await first.wait_for(lambda topic, body: topic == queue_topic and "forged" not in body and body is not genuine)
    # a kiosk connecting now finds central's messages retained, not the forged ones
    async with Inbox(bus, f"{TOPICS.root}/#", "late-kiosk") as late:
        await late.wait_for(lambda topic, body: topic == queue_topic and "agents_staffed" in body)
        await late.wait_for(lambda topic, body: topic == status_topic and body.get("online") is True)
    assert "was overwritten by another client" in central.log
