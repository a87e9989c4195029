"""Continue on your phone, on the real kiosk window: the waiting screen shows central's one-time link as a
QR (prominently when the wait is long), and the kiosk goes home when a phone has taken the call over. The
switchboard's side is scripted over in-memory signalling; central's part is tested elsewhere."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt

from bus.messages.call import CallRequest, Ended, Handover, HandoverRequest, Queued
from bus.messages.device import CallPhase
from demo.desk import SignallingDesk
from kiosk.calls import HandoverSignalling
from kiosk.ui.call.flow import HandoverDesk, VideoHelpFlow
from tests.peers.wait import until
from video.session import CallSession
from video.settings import VideoSection
from video.signalling import MemorySignallingPair

TOKEN = "Q2sV8l0bWq3uXo9Jf7cTz1RkA4pYmN6e"


class PhoneReadyDesk(SignallingDesk):
    """The screenless test desk with what ``kiosk.calls.VideoHelpDesk`` adds for the phone link."""

    def __init__(self, pair: MemorySignallingPair) -> None:
        super().__init__(pair.device, VideoSection(width=320, height=240, fps=15))
        self._wrapped = HandoverSignalling(pair.device, self._handover)
        self.listeners: list[Callable[[str, str], None]] = []

    async def new_session(self, context):  # type: ignore[no-untyped-def]
        assert self.camera is not None
        return CallSession(self._wrapped, self.camera, self.video, context)

    async def request_handover(self, call_id: str) -> None:
        await self.signalling.send(HandoverRequest(call=call_id))

    def add_handover_listener(self, listener: Callable[[str, str], None]) -> None:
        self.listeners.append(listener)

    def _handover(self, message: Handover) -> None:
        for listener in self.listeners:
            listener(message.call, f"https://hak.example/h/{message.token}")


def test_the_waiting_screen_offers_the_phone_and_goes_home_once_the_phone_has_the_call(qtbot, make_window, qt_loop):
    window = make_window(language="en")
    pair = MemorySignallingPair()
    desk = PhoneReadyDesk(pair)
    assert isinstance(desk, HandoverDesk)
    VideoHelpFlow(window, desk)
    waiting = window.waiting
    waiting.long_wait_s = 600

    async def scenario() -> None:
        qtbot.mouseClick(window.home.video_tile, Qt.MouseButton.LeftButton)
        qtbot.mouseClick(window.call_choice.tiles["lang_en"], Qt.MouseButton.LeftButton)
        request = await pair.switchboard.receive()
        assert isinstance(request, CallRequest)
        await pair.switchboard.send(Queued(call=request.call, position=2, eta_s=120))
        asked = await pair.switchboard.receive()
        assert asked == HandoverRequest(call=request.call)
        assert not waiting.phone_box.isVisible()
        await pair.switchboard.send(Handover(call=asked.call, token=TOKEN, ttl_s=1800))
        await until(lambda: waiting.phone_box.isVisible(), "the phone QR")
        assert waiting.handover_url == f"https://hak.example/h/{TOKEN}"
        assert not waiting.phone_qr.pixmap().isNull()
        assert waiting.phone_title.text() == "Continue on your phone" and not waiting.prominent
        await pair.switchboard.send(Queued(call=request.call, position=2, eta_s=900))
        await until(lambda: waiting.prominent, "the long wait")
        assert waiting.phone_title.text() == "A long wait? Continue on your phone"
        assert not waiting.title.isVisible()  # the phone comes first
        await pair.switchboard.send(Ended(call=request.call, reason="handed_over"))
        await until(lambda: window.current_screen is window.home, "home once the phone has the call")
        assert not window.call_active
        assert desk.reports[-1] == (CallPhase.IDLE, None)
        await until(lambda: desk.camera is not None and desk.camera.subscriber_count == 0, "nothing held")
        assert desk.camera is not None
        await desk.camera.stop()

    qt_loop.run_until_complete(scenario())
