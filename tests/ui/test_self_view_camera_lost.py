"""The passenger's own small picture when the camera is lost mid-call: the card the agent gets, not a frozen face.

The real kiosk window and call flow, a real aiortc call to the scripted agent over in-memory signalling, and
the camera made to fail the way tests/faults/test_camera_lost.py does (its reads raise, or hang in the driver).
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage

from bus.messages.call import CallRequest
from demo.agent_peer import AgentPeer
from demo.desk import SignallingDesk
from hardware.camera import CameraOwner
from kiosk.ui.call.flow import VideoHelpFlow
from kiosk.ui.call.frames import camera_unavailable_picture
from tests.peers.camera_faults import BreakableCamera, CameraLoss
from tests.peers.wait import until
from video.placeholder import BACKGROUND
from video.settings import VideoSection
from video.signalling import MemorySignallingPair

WIDTH, HEIGHT, FPS = 320, 240, 15
WAIT_S = 15.0
CARD_RGB = tuple(reversed(BACKGROUND))  # the card is drawn in BGR


def shows_the_card(image: QImage | None) -> bool:
    # the card's corner is its slate background; the camera's colour bars have no pixel of it
    return image is not None and image.pixelColor(4, 4).getRgb()[:3] == CARD_RGB


def test_the_card_fits_the_self_view_and_is_not_mirrored():
    image = camera_unavailable_picture(QSize(241, 181))
    assert (image.width(), image.height()) == (240, 180)
    assert shows_the_card(image)
    # the red stroke runs from the bottom left up to the top right, as on the agent's card
    strike_low_left = image.pixelColor(120 - 50, 90 + 50)
    assert strike_low_left.red() > 150 and strike_low_left.green() < 120


@pytest.mark.slow
@pytest.mark.parametrize("loss", [CameraLoss.RAISES, CameraLoss.HANGS])
def test_a_lost_camera_shows_the_card_in_the_self_view_and_its_return_the_passenger(
    qtbot, make_window, qt_loop, loss: CameraLoss
):
    window = make_window(language="en")
    pair = MemorySignallingPair()
    desk = SignallingDesk(pair.device, VideoSection(width=WIDTH, height=HEIGHT, fps=FPS))
    source = BreakableCamera(WIDTH, HEIGHT)
    desk.camera = camera = CameraOwner(source, FPS)
    flow = VideoHelpFlow(window, desk)
    self_view = window.in_call.self_view

    async def scenario() -> None:
        async with AgentPeer(pair.switchboard, width=WIDTH, height=HEIGHT) as agent:
            qtbot.mouseClick(window.home.video_tile, Qt.MouseButton.LeftButton)
            qtbot.mouseClick(window.call_choice.tiles["lang_en"], Qt.MouseButton.LeftButton)
            await agent.wait_for_message(CallRequest)
            await until(lambda: self_view.frames_shown >= 3, "the passenger's own picture", WAIT_S)
            assert not shows_the_card(self_view.image) and not flow.self_view_lost

            source.lose(loss)
            await until(lambda: shows_the_card(self_view.image), "the card in the self-view", WAIT_S)
            assert flow.self_view_lost
            shown = self_view.frames_shown
            assert self_view.image is not None and self_view.image.size() == self_view.size()
            agent_frames = agent.frames_received
            await agent.wait_frames(agent_frames + 3, timeout_s=WAIT_S)  # the call goes on meanwhile
            assert self_view.frames_shown == shown, "the card is drawn once, not at every time-out"

            source.restore()
            await until(lambda: not shows_the_card(self_view.image), "the passenger's picture again", WAIT_S)
            assert not flow.self_view_lost
            await until(lambda: self_view.frames_shown >= shown + 3, "the self-view live again", WAIT_S)
            await agent.hang_up()
            await until(lambda: window.current_screen is window.rating, "the rating screen", WAIT_S)
        await until(lambda: camera.subscriber_count == 0, "the camera released", WAIT_S)

    try:
        qt_loop.run_until_complete(scenario())
    finally:
        source.restore()  # a hung read must end, or the camera's thread would outlive the test
        qt_loop.run_until_complete(camera.stop())
