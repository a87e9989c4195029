"""The switchboard's adapters in the real ``central`` process: devices call over a real Mosquitto, an agent
answers over the console socket, and the queue topics, timers and Last Wills do what docs/calls.md says."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path
from typing import Any

import pytest

from bus.codec import encode
from bus.messages.call import CallHangup, SdpOffer
from bus.messages.device import DeviceKind, DeviceStatus, OfflineReason
from bus.topics import TopicKind
from tests.peers.bus_device import BusDevice, bus_observer, from_now_on, queue_summary
from tests.peers.central import TOPICS, WAIT_S, central_running
from tests.peers.console import console
from tests.peers.mosquitto import Mosquitto
from tests.peers.programs import running
from tests.peers.retained import read_retained

# whole calls through the central process and Mosquitto: the full run, not the quick one
pytestmark = pytest.mark.slow

SDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
QUEUE_TOPIC = TOPICS.site(TopicKind.QUEUE)


def one_waiting(summary: dict[str, Any]) -> bool:
    return bool(summary["skills"]["zh"]["waiting"] == 1)


# --- tests -----------------------------------------------------------------------------------------------


@pytest.mark.slow  # a whole call through central as a process: the full run's
async def test_a_call_from_request_to_wrap_up_through_the_bus_and_the_console(mosquitto: Mosquitto, tmp_path: Path):
    with central_running(mosquitto, tmp_path / "central", wrap_up_s=1) as central:
        async with (
            bus_observer(mosquitto.url) as observer,
            BusDevice(mosquitto.url, "kiosk-t1-01") as kiosk,
            BusDevice(mosquitto.url, "kiosk-t1-02") as second,
            console(central.base_url) as agent,
        ):
            kiosk.request("call-a")
            assert (await kiosk.expect("queued", call="call-a"))["position"] == 1
            ring = await agent.next("ring", call="call-a")
            assert (ring["caller"], ring["location"], ring["skill"]) == ("kiosk-t1-01", "T1 Hall B, gate 12", "zh")

            await agent.send({"type": "accept", "call": "call-a"})
            connect = await kiosk.expect("connect", call="call-a")
            assert connect["agent"] == {"id": "chen", "name": "Chen Li"}
            assert connect["ice_servers"] == []

            kiosk.send(SdpOffer(call="call-a", sdp=SDP))
            assert (await agent.next("offer", call="call-a"))["sdp"] == SDP
            await agent.send({"type": "answer", "call": "call-a", "sdp": SDP + "a=answer\r\n"})
            assert (await kiosk.expect("answer", call="call-a"))["sdp"].endswith("a=answer\r\n")

            # the only agent is busy: the next caller waits, with an expected wait of about one handle time
            waiting_one = from_now_on(observer, queue_summary(lambda b: b["skills"]["zh"]["waiting"] == 1))
            second.request("call-b")
            queued = await second.expect("queued", call="call-b")
            assert queued["position"] == 1
            assert 170 <= queued["eta_s"] <= 180
            await observer.wait_for(waiting_one, WAIT_S)
            # published and retained: a subscriber that comes after the publish gets it with the retain flag
            summary = await asyncio.to_thread(read_retained, mosquitto, QUEUE_TOPIC, one_waiting)
            assert summary["service_hours"] == "06:00–24:00"
            assert summary["agents_staffed"] == 1

            await agent.send({"type": "hangup", "call": "call-a"})
            assert (await kiosk.expect("ended", call="call-a"))["reason"] == "agent"
            await agent.next("wrap_up", call="call-a")
            await agent.send({"type": "disposition", "call": "call-a", "resolved": True, "category": "flight_info"})
            await agent.next("disposition_saved", call="call-a")

            # wrap-up ends by the timer (1 s): the agent is available again and the waiting call rings
            await agent.next("ring", call="call-b")
            today = (await central.wallboard())["today"]
            assert (today["offered"], today["answered"], today["fcr"]) == (1, 1, 1.0)


@pytest.mark.slow  # a whole call through central as a process: the full run's
async def test_an_unanswered_ring_times_out_back_to_the_head_of_the_queue(mosquitto: Mosquitto, tmp_path: Path):
    with central_running(mosquitto, tmp_path / "central", ring_timeout_s=1) as central:
        async with (
            BusDevice(mosquitto.url, "kiosk-t1-03") as kiosk,
            console(central.base_url) as agent,
        ):
            kiosk.request("call-c")
            await agent.next("ring", call="call-c")

            cancelled = await agent.next("ring_cancelled", call="call-c")

            assert cancelled["reason"] == "timeout"
            await agent.next("state", state="away")
            snapshot = await central.wallboard()
            assert snapshot["skills"]["zh"]["waiting"] == 1
            assert [a["id"] for a in snapshot["agents"]["away"]] == ["chen"]


@pytest.mark.slow  # a whole call through central as a process: the full run's
async def test_a_device_killed_while_waiting_is_abandoned_through_its_last_will(mosquitto: Mosquitto, tmp_path: Path):
    with central_running(mosquitto, tmp_path / "central", short_abandon_s=0) as central:
        device_args = [mosquitto.url, "kiosk-doomed", str(tmp_path / "device")]
        with running("tests.peers.device_process", {}, device_args) as device:
            await asyncio.to_thread(device.wait_for_line, "connected")
            async with (
                bus_observer(mosquitto.url) as observer,
                BusDevice(mosquitto.url, "kiosk-doomed") as kiosk,
            ):
                kiosk.request("call-d")
                assert (await kiosk.expect("queued", call="call-d"))["position"] == 1
                await observer.wait_for(queue_summary(lambda b: b["skills"]["zh"]["waiting"] == 1), WAIT_S)
                emptied = from_now_on(observer, queue_summary(lambda b: b["skills"]["zh"]["waiting"] == 0))

                device.process.send_signal(signal.SIGKILL)
                device.process.wait(10)

                await observer.wait_for(emptied, WAIT_S)
                late = await asyncio.to_thread(read_retained, mosquitto, QUEUE_TOPIC)
                assert late["skills"]["zh"]["waiting"] == 0  # what a console or kiosk starting now would see
                today = (await central.wallboard())["today"]
                assert (today["offered"], today["abandoned"], today["answered"]) == (1, 1, 0)
                assert kiosk.received("ended") == []  # nobody is left to tell


async def test_a_clean_shutdown_status_ends_the_devices_call_too(mosquitto: Mosquitto, tmp_path: Path):
    with central_running(mosquitto, tmp_path / "central", short_abandon_s=0) as central:
        async with bus_observer(mosquitto.url) as observer, BusDevice(mosquitto.url, "kiosk-t1-04") as kiosk:
            kiosk.request("call-e")
            await kiosk.expect("queued", call="call-e")
            await observer.wait_for(queue_summary(lambda b: b["skills"]["zh"]["waiting"] == 1), WAIT_S)
            emptied = from_now_on(observer, queue_summary(lambda b: b["skills"]["zh"]["waiting"] == 0))

            status = DeviceStatus(online=False, kind=DeviceKind.KIOSK, reason=OfflineReason.SHUTDOWN)
            kiosk.publish(TopicKind.DEVICE_STATUS, encode(status), retain=True)

            await observer.wait_for(emptied, WAIT_S)
            assert (await central.wallboard())["today"]["abandoned"] == 1


async def test_malformed_signalling_is_logged_once_fails_the_named_call_and_central_carries_on(
    mosquitto: Mosquitto, tmp_path: Path
):
    with central_running(mosquitto, tmp_path / "central") as central:
        async with (
            BusDevice(mosquitto.url, "kiosk-broken") as broken,
            BusDevice(mosquitto.url, "kiosk-fine") as fine,
        ):
            broken.request("call-f")
            await broken.expect("queued", call="call-f")

            broken.publish(TopicKind.CALL_OUT, b'{"v": 1, "type": "offer", "call": "call-f"}')  # no sdp
            assert (await broken.expect("ended", call="call-f"))["reason"] == "failed"
            broken.publish(TopicKind.CALL_OUT, b"{this is not json")
            broken.publish(TopicKind.CALL_OUT, b'{"v": 1, "type": "offer", "call": "' + b"x" * 200_000 + b'"}')
            broken.send(CallHangup(call="call-f"))  # a valid message that follows: refused, no longer its call

            fine.request("call-g")
            assert (await fine.expect("queued", call="call-g"))["position"] == 1

    mentions = [line for line in central.log_lines if "kiosk-broken" in line and "dropped malformed" in line]
    assert len(mentions) == 1, mentions
    assert "WARNING" in mentions[0]
    assert "Traceback" not in "\n".join(central.log_lines)
    assert len(broken.received("ended")) == 1


async def test_sigterm_during_a_call_tells_the_device_and_exits_cleanly(mosquitto: Mosquitto, tmp_path: Path):
    with central_running(mosquitto, tmp_path / "central") as central:
        async with BusDevice(mosquitto.url, "kiosk-t1-05") as kiosk, console(central.base_url) as agent:
            kiosk.request("call-h")
            await agent.next("ring", call="call-h")
            await agent.send({"type": "accept", "call": "call-h"})
            await kiosk.expect("connect", call="call-h")

            central.program.process.send_signal(signal.SIGTERM)

            ended = await kiosk.expect("ended", call="call-h")
            assert (ended["reason"], ended["requeue_offered"]) == ("agent_lost", True)
            assert await asyncio.to_thread(central.program.process.wait, 20) == 0
    assert "Traceback" not in "\n".join(central.log_lines)
