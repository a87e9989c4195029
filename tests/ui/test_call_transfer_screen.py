"""A call passed on, on the real kiosk window: "connecting you to a specialist", then the next agent's face."""

from __future__ import annotations

from bus.messages.call import Agent, CallHangup, Connect, SdpOffer, Transfer
from demo.agent_peer import AgentPeer
from tests.peers.wait import until
from tests.ui.test_video_help import Kiosk, tap


def test_the_passenger_sees_connecting_to_a_specialist_and_then_the_next_agent(qtbot, make_window, qt_loop):
    window = make_window(language="zh-CN")
    kiosk = Kiosk(window)

    async def scenario() -> None:
        async with AgentPeer(kiosk.pair.switchboard, width=320, height=240) as agent:
            tap(qtbot, window.home.video_tile)
            tap(qtbot, window.call_choice.tiles["lang_zh"])
            await until(lambda: window.in_call.agent_video.frames_shown >= 3, "the first agent's face")
            call_id = kiosk.flow.session.call_id

            await agent.vanish()
            await agent.end.send(Transfer(call=call_id))
            await until(lambda: window.current_screen is window.waiting, "the waiting screen again")
            assert window.waiting.title.text() == "正在为您转接专员"
            assert window.waiting.cancel_button.text() == "挂断"
            assert window.call_active
            assert not window.waiting.phone_box.isVisible()  # no "continue on your phone" in the middle of a call

            agent.received.clear()
            await agent.end.send(Connect(call=call_id, agent=Agent(id="agent.wang", name="王"), ice_servers=[]))
            await agent.wait_for_message(SdpOffer)
            await until(lambda: window.current_screen is window.in_call, "the call screen with the next agent")
            shown = window.in_call.agent_video.frames_shown
            await until(lambda: window.in_call.agent_video.frames_shown >= shown + 3, "the next agent's face")
            assert "王" in window.in_call.agent_label.text()

            tap(qtbot, window.in_call.hang_up)
            await agent.wait_for_message(CallHangup)
            await until(lambda: window.current_screen is window.rating, "the rating screen")
        await until(lambda: kiosk.camera.subscriber_count == 0, "the camera released")
        await kiosk.camera.stop()

    qt_loop.run_until_complete(scenario())
    assert not window.call_active
