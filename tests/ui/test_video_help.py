"""Video help on the real kiosk window, tapped as a passenger would, against a real aiortc agent peer
over in-memory signalling (the switchboard's side is scripted; central is tested elsewhere)."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, Qt

from bus.messages.call import CallCancel, CallRating, CallRequest, PushKind
from bus.messages.central import QueueSummary, SkillQueue
from bus.messages.device import CallPhase
from demo.agent_peer import AgentPeer
from demo.desk import SignallingDesk
from kiosk.ui.call.flow import VideoHelpFlow
from tests.peers.wait import until
from video.settings import VideoSection
from video.signalling import MemorySignallingPair

SMALL_VIDEO = VideoSection(width=320, height=240, fps=15)


def tap(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


class Kiosk:
    def __init__(self, window) -> None:
        self.window = window
        self.pair = MemorySignallingPair()
        self.desk = SignallingDesk(self.pair.device, SMALL_VIDEO)
        self.camera = self.desk.camera
        self.reports = self.desk.reports
        self.flow = VideoHelpFlow(window, self.desk)


def test_a_passenger_talks_to_an_agent_gets_a_qr_code_and_rates_the_call(qtbot, make_window, qt_loop):
    window = make_window(language="en")
    kiosk = Kiosk(window)

    async def scenario() -> None:
        async with AgentPeer(kiosk.pair.switchboard, width=320, height=240) as agent:
            tap(qtbot, window.home.video_tile)
            assert window.current_screen is window.call_choice
            await until(lambda: kiosk.desk.prepared == 1, "the call stack loading on the Video help tap")
            tap(qtbot, window.call_choice.tiles["lang_en"])
            request = await agent.wait_for_message(CallRequest)
            assert request.language == "en" and request.context.location == "T1 Hall B"
            await until(lambda: window.current_screen is window.in_call, "the call screen")
            await until(lambda: window.in_call.agent_video.frames_shown >= 5, "the agent's face")
            await until(lambda: window.in_call.self_view.frames_shown >= 1, "the self-view")
            await agent.wait_frames(5)
            assert window.call_active
            await agent.wait_channel_open()
            agent.push(PushKind.QR, text="Map to gate 12", url="https://hak.example/map/gate-12")
            await until(lambda: len(window.in_call.push_cards) == 1, "the QR code")
            card = window.in_call.push_cards[0]
            assert (
                not card.image.pixmap().isNull()
                and card.body.text() == "Map to gate 12\nhttps://hak.example/map/gate-12"
            )
            assert window.size().toTuple() == (1080, 1920), "a push must not make the window grow"
            hang_up = window.in_call.hang_up
            assert window.rect().contains(QRect(hang_up.mapTo(window, QPoint(0, 0)), hang_up.size()))
            await agent.hang_up()
            await until(lambda: window.current_screen is window.rating, "the rating screen")
            assert not window.rating.done.isEnabled()
            tap(qtbot, window.rating.star_buttons[4])
            tap(qtbot, window.rating.yes)
            tap(qtbot, window.rating.done)
            rating = await agent.wait_for_message(CallRating)
            assert (rating.stars, rating.answered) == (5, True)
            assert window.current_screen is window.thanks
            assert window.thanks.message.text() == "Thank you!"
            window.thanks.shown_ms = 200
            window.thanks.start()
            await until(lambda: window.current_screen is window.home, "home after the thank-you")
        await until(lambda: kiosk.camera.subscriber_count == 0, "the camera released")
        await kiosk.camera.stop()

    qt_loop.run_until_complete(scenario())
    assert [phase for phase, _ in kiosk.reports][:1] == [CallPhase.WAITING]
    assert kiosk.reports[-1][0] is CallPhase.IDLE
    assert not window.call_active


def test_cancelling_while_waiting_goes_back_to_the_choice(qtbot, make_window, qt_loop):
    window = make_window(language="zh-CN")
    kiosk = Kiosk(window)

    async def scenario() -> None:
        async with AgentPeer(kiosk.pair.switchboard, hold_connect=True, eta_s=120) as agent:
            tap(qtbot, window.home.video_tile)
            tap(qtbot, window.call_choice.tiles["sign"])
            request = await agent.wait_for_message(CallRequest)
            assert request.skills == ["sign"]
            await until(lambda: window.waiting.position.text() == "下一位就是您", "queued as next")
            assert window.waiting.eta.text() == "预计等待约 2 分钟"
            tap(qtbot, window.waiting.cancel_button)
            await agent.wait_for_message(CallCancel)
            await until(lambda: window.current_screen is window.call_choice, "the choice again")
        await kiosk.camera.stop()

    qt_loop.run_until_complete(scenario())
    assert not window.call_active


def test_the_choice_shows_waits_and_hides_what_nobody_staffs(make_window):
    window = make_window(language="en")
    window.show_screen(window.call_choice)
    window.call_choice.set_queue(
        QueueSummary(
            skills={
                "zh": SkillQueue(waiting=4, agents_staffed=2, expected_wait_s=170),
                "en": SkillQueue(agents_staffed=1, agents_available=1, expected_wait_s=0),
                "sign": SkillQueue(expected_wait_s=None),
            },
            service_hours="06:00–24:00",
        )
    )
    choice = window.call_choice
    assert choice.open_choices == ["lang_zh", "lang_en"]
    assert choice.tiles["lang_zh"].detail.text() == "Expected wait: about 3 min"
    assert choice.tiles["lang_en"].detail.text() == "An agent is free now"
    assert not choice.closed_title.isVisible()
    choice.set_queue(QueueSummary(skills={}, service_hours="06:00–24:00"))
    assert choice.open_choices == []
    assert choice.closed_title.isVisible() and "06:00–24:00" in choice.closed_body.text()
    assert choice.info_tile.isVisible()


def test_idle_does_not_end_a_call_in_progress(make_window, qtbot):
    window = make_window(idle_timeout_s=1)
    window.show_screen(window.waiting)
    window.call_active = True
    window.idle.start()
    with qtbot.assertNotEmitted(window.went_home, wait=1500):
        pass
    assert window.current_screen is window.waiting
    window.idle.stop()


def test_the_idle_watch_rests_during_a_call_and_starts_afresh_after_it(make_window):
    # the watch filters every event of the application: a call's two thousand a second need not pass it
    window = make_window(idle_timeout_s=90)
    window.idle.start()
    window.call_active = True
    assert window.idle.remaining_ms == -1
    window.call_active = False
    assert window.idle.remaining_ms > 89_000
    window.idle.stop()


def test_a_call_does_not_start_an_idle_watch_that_was_not_running(make_window):
    window = make_window()
    window.call_active = True
    window.call_active = False
    assert window.idle.remaining_ms == -1
