"""The kiosk's camera lost mid-call: the call goes on with a "camera unavailable" card, health says so.

A real call session (aiortc, VP8 over loopback) against the scripted agent's real aiortc peer; the camera
is the synthetic pattern made to fail at the moment the test chooses: its reads raise (unplugged), give
nothing, or hang (a wedged driver). The agent must keep receiving pictures, the card among them; the
camera's health must say failed (or, for the hang, a running camera whose last frame grows old), which
is what raises the fleet's "camera without frames" alert; and when the camera comes back, so does the
passenger's picture.
"""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import pytest

from bus.messages.call import CallContext
from bus.messages.device import CameraState, DeviceHealth
from central.alerts.rules import DeviceFacts, Rule, device_findings
from central.alerts.settings import AlertsSection
from hardware.camera import CameraOwner
from tests.peers.camera_faults import BreakableCamera, CameraLoss, PictureKeepingAgent, share_near
from tests.peers.wait import until
from video.placeholder import BACKGROUND
from video.session import CallSession, SessionPhase
from video.settings import VideoSection
from video.signalling import MemorySignallingPair

pytestmark = [pytest.mark.slow, pytest.mark.faults]

WIDTH, HEIGHT = 320, 240  # small pictures: the whole suite shares two cores
FPS = 15
WAIT_S = 15.0


def shows_the_card(agent: PictureKeepingAgent) -> bool:
    picture = agent.last_picture()
    return picture is not None and share_near(picture, BACKGROUND) > 0.8


def shows_the_passenger(agent: PictureKeepingAgent) -> bool:
    # the colour bars have no pixel of the card's slate; a little of it may come from VP8's smearing
    picture = agent.last_picture()
    return picture is not None and share_near(picture, BACKGROUND) < 0.05


def alerts_for(camera: CameraOwner) -> dict[Rule, str]:
    """What the fleet's rules find in a kiosk health report carrying this camera's part."""
    health = DeviceHealth(cpu_percent=10, memory_percent=20, app_rss_mb=80, uptime_s=60, camera=camera.health())
    facts = DeviceFacts("kiosk-t1-01", "kiosk", "online", None, "T1", "1.0", health)
    settings = AlertsSection(camera_frame_age_s=1.0)
    return device_findings(facts, settings, {}, lambda _rule: False, 0.0)


@pytest.mark.parametrize("loss", list(CameraLoss))
async def test_a_camera_lost_mid_call_sends_the_agent_a_card_health_says_so_and_its_return_resumes_the_picture(
    loss: CameraLoss, tmp_path: Path
) -> None:
    source = BreakableCamera(WIDTH, HEIGHT)
    camera = CameraOwner(source, fps=FPS)
    states: list[CameraState] = []
    camera.add_state_listener(states.append)  # what the kiosk publishes a health snapshot on
    pair = MemorySignallingPair()
    session = CallSession(
        pair.device,
        camera,
        VideoSection(width=WIDTH, height=HEIGHT, fps=FPS),
        CallContext(language="en"),
        call_id="kiosk-t1-01-camera",
    )
    try:
        async with PictureKeepingAgent(pair.switchboard, width=WIDTH, height=HEIGHT) as agent:
            await session.start("en")
            await agent.wait_frames(5, timeout_s=WAIT_S)
            await until(lambda: shows_the_passenger(agent), "the passenger's picture at the agent", WAIT_S)
            assert camera.health().state is CameraState.RUNNING

            source.lose(loss)
            await until(lambda: shows_the_card(agent), "the camera-unavailable card at the agent", WAIT_S)
            card = agent.last_picture()
            assert card is not None
            cv2.imwrite(str(tmp_path / f"agent-sees-{loss.value}.png"), card)
            if shown := os.environ.get("CAMERA_LOST_PNG_DIR"):  # to look at the card by eye
                cv2.imwrite(str(Path(shown) / f"agent-sees-{loss.value}.png"), card)
            # the call goes on: pictures keep coming (the card, twice a second) and nothing ended it
            received = agent.frames_received
            await agent.wait_frames(received + 3, timeout_s=WAIT_S)
            assert shows_the_card(agent)
            assert session.phase is SessionPhase.IN_CALL

            if loss is CameraLoss.HANGS:
                # a read stuck in the driver keeps "running": only the age of the last frame tells
                await until(lambda: (camera.last_frame_age_s or 0) > 1.5, "the last frame to age", WAIT_S)
                assert camera.health().state is CameraState.RUNNING
            else:
                await until(lambda: camera.state is CameraState.FAILED, "the camera reported failed", WAIT_S)
                assert states[-1] is CameraState.FAILED, "a state change: the kiosk publishes health at once"
            assert Rule.CAMERA_NO_FRAMES in alerts_for(camera)

            source.restore()
            await until(lambda: shows_the_passenger(agent), "the passenger's picture again", WAIT_S)
            await until(lambda: camera.state is CameraState.RUNNING, "the camera running again", WAIT_S)
            assert Rule.CAMERA_NO_FRAMES not in alerts_for(camera)
            assert session.phase is SessionPhase.IN_CALL
            await session.hangup()
    finally:
        source.restore()  # a hung read must end, or the camera's thread would outlive the test
        await camera.stop()
    assert camera.subscriber_count == 0
