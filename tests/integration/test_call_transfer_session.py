"""A call passed on to a second agent: the kiosk closes the first connection and makes a new one, same call."""

from __future__ import annotations

from bus.messages.call import Agent, CallHangup, Connect, Hold, Resume, SdpOffer, Transfer
from demo.agent_peer import AgentPeer
from tests.integration.test_call_session import (  # the fixtures and helpers of the one-agent call
    HEIGHT,
    WIDTH,
    assert_everything_released,
    camera,
    make_session,
    pair,
)
from video.session import SessionPhase

__all__ = ["camera", "pair"]  # fixtures, used by name

SPECIALIST = Agent(id="agent.wang", name="Wang")


async def test_a_transfer_keeps_the_call_and_the_camera_and_a_new_connection_brings_the_next_agents_video(pair, camera):
    session, watched = make_session(pair, camera)
    passed_on: list[bool] = []
    session.on_transfer = lambda: passed_on.append(True)
    async with AgentPeer(pair.switchboard, width=WIDTH, height=HEIGHT) as agent:
        await session.start("zh-CN")
        await watched.frames(5)
        first_offer = await agent.wait_for_message(SdpOffer)

        await agent.vanish()  # the first agent's console closes its side
        await agent.end.send(Transfer(call=session.call_id))
        await watched.phase(SessionPhase.WAITING)
        await until_phase_count(watched, SessionPhase.WAITING, 2)
        assert passed_on == [True]
        assert session.phase is SessionPhase.WAITING
        assert camera.subscriber_count == 1  # the camera is not restarted for the next agent
        frames_before = session.remote_frames

        agent.received.clear()
        await agent.end.send(Connect(call=session.call_id, agent=SPECIALIST, ice_servers=[]))
        second_offer = await agent.wait_for_message(SdpOffer)
        assert second_offer.call == session.call_id and second_offer.sdp != first_offer.sdp
        await watched.frames(frames_before + 5)
        assert session.phase is SessionPhase.IN_CALL and session.agent == SPECIALIST
        await agent.wait_frames(5)

        await session.hangup()
        hangup = await agent.wait_for_message(CallHangup)
        assert hangup.reason == "caller"  # answered before: leaving now is a hang-up, not a cancel
    assert watched.phases == [
        SessionPhase.REQUESTING,
        SessionPhase.WAITING,
        SessionPhase.CONNECTING,
        SessionPhase.IN_CALL,
        SessionPhase.WAITING,
        SessionPhase.CONNECTING,
        SessionPhase.IN_CALL,
        SessionPhase.ENDED,
    ]
    await assert_everything_released(camera)


async def test_leaving_while_passed_on_is_a_hang_up_and_releases_everything(pair, camera):
    session, watched = make_session(pair, camera)
    async with AgentPeer(pair.switchboard, width=WIDTH, height=HEIGHT) as agent:
        await session.start("en")
        await watched.frames(3)
        await agent.vanish()
        await agent.end.send(Transfer(call=session.call_id))
        await until_phase_count(watched, SessionPhase.WAITING, 2)

        await session.cancel()

        hangup = await agent.wait_for_message(CallHangup)
        assert hangup.call == session.call_id
        assert watched.ended == [("caller", False)]
    await assert_everything_released(camera)


async def until_phase_count(watched, phase: SessionPhase, count: int) -> None:
    await watched._waiters.until(lambda: watched.phases.count(phase) >= count, 10.0, f"{count} x {phase}")


async def test_a_hold_keeps_the_connection_and_resume_goes_on_with_the_same_agent(pair, camera):
    session, watched = make_session(pair, camera)
    held: list[bool] = []

    def on_hold(on: bool) -> None:
        held.append(on)
        watched._waiters.changed()

    session.on_hold = on_hold
    async with AgentPeer(pair.switchboard, width=WIDTH, height=HEIGHT) as agent:
        await session.start("zh-CN")
        await watched.frames(3)

        await agent.end.send(Hold(call=session.call_id))
        await until_held(watched, held, [True])
        assert session.phase is SessionPhase.IN_CALL  # the connection stays
        frames = session.remote_frames
        await watched.frames(frames + 3)  # and media still flows under the hold
        await agent.end.send(Resume(call=session.call_id))
        await until_held(watched, held, [True, False])
        await session.hangup()
    await assert_everything_released(camera)


async def until_held(watched, held: list[bool], wanted: list[bool]) -> None:
    await watched._waiters.until(lambda: held == wanted, 10.0, f"holds {wanted}")
