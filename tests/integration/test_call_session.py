"""A passenger's call against a scripted switchboard and agent with a real aiortc peer, over loopback."""

from __future__ import annotations

import asyncio
import json
import logging
import threading

import pytest

from bus.messages.call import CallCancel, CallContext, CallHangup, CallRating, CallRequest, Push, PushKind
from demo.agent_peer import AgentPeer, AnswerMode, Waiters
from hardware.camera import CameraOwner, SyntheticSource
from tests.peers.wait import until
from video.adaptation import Limit, Tuning
from video.session import CallSession, EndReason, SessionPhase
from video.settings import VideoSection
from video.signalling import MemorySignallingPair

WIDTH, HEIGHT = 320, 240  # small pictures: the whole suite shares two cores
CONTEXT = CallContext(screen="flight_detail", flight="HU7181", location="T1 Hall B", language="zh-CN")


class Watched:
    """What a call session told its observers, with waits on it."""

    def __init__(self, session: CallSession) -> None:
        self.session = session
        self.phases: list[SessionPhase] = []
        self.queue: list[tuple[int, float | None]] = []
        self.pushes: list[Push] = []
        self.ended: list[tuple[str, bool]] = []
        self.frame_sizes: set[tuple[int, int]] = set()
        self._waiters = Waiters()
        session.on_phase = self._record(self.phases.append)
        session.on_queue = self._record(lambda position, eta_s: self.queue.append((position, eta_s)))
        session.on_push = self._record(self.pushes.append)
        session.on_ended = self._record(lambda reason, requeue: self.ended.append((reason, requeue)))
        session.on_remote_video = self._record(lambda frame: self.frame_sizes.add((frame.width, frame.height)))

    def _record(self, callback):
        def record(*args):
            callback(*args)
            self._waiters.changed()

        return record

    async def phase(self, phase: SessionPhase, timeout_s: float = 10.0) -> None:
        await self._waiters.until(lambda: phase in self.phases, timeout_s, f"phase {phase}")

    async def frames(self, count: int, timeout_s: float = 10.0) -> None:
        await self._waiters.until(lambda: self.session.remote_frames >= count, timeout_s, f"{count} agent frames")

    async def pushes_received(self, count: int, timeout_s: float = 10.0) -> None:
        await self._waiters.until(lambda: len(self.pushes) >= count, timeout_s, f"{count} pushes")

    async def end(self, timeout_s: float = 10.0) -> tuple[str, bool]:
        await self._waiters.until(lambda: bool(self.ended), timeout_s, "the end of the call")
        assert len(self.ended) == 1, self.ended
        return self.ended[0]


def leftover_tasks() -> list[asyncio.Task]:
    return [t for t in asyncio.all_tasks() if t is not asyncio.current_task() and not t.done()]


def camera_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("camera-reader")]


@pytest.fixture
async def camera():
    owner = CameraOwner(SyntheticSource(WIDTH, HEIGHT), fps=30)
    yield owner
    await owner.stop()


@pytest.fixture
def pair():
    return MemorySignallingPair()


def make_session(pair, camera, **settings) -> tuple[CallSession, Watched]:
    video = VideoSection(width=WIDTH, height=HEIGHT, **settings)
    session = CallSession(pair.device, camera, video, CONTEXT, call_id="kiosk-t1-01-call")
    return session, Watched(session)


async def assert_everything_released(camera: CameraOwner) -> None:
    assert camera.subscriber_count == 0
    assert await asyncio.to_thread(camera.join), "the camera thread is still running"
    assert camera_threads() == []
    await until(lambda: not leftover_tasks(), lambda: f"no tasks left running: {leftover_tasks()}", 5)


async def test_a_call_carries_pictures_both_ways_and_the_passengers_hang_up_releases_everything(pair, camera):
    session, watched = make_session(pair, camera)
    async with AgentPeer(pair.switchboard, width=WIDTH, height=HEIGHT) as agent:
        await session.start("zh-CN", ["sign"])
        request = await agent.wait_for_message(CallRequest)
        assert request.language == "zh-CN" and request.skills == ["sign"] and request.context == CONTEXT
        await watched.phase(SessionPhase.IN_CALL)
        await watched.frames(10)
        await agent.wait_frames(10)
        assert watched.frame_sizes == {(WIDTH, HEIGHT)}
        assert session.video_codec == "VP8" and session.agent is not None and session.agent.id == "agent.chen"
        context = json.loads(await agent.wait_channel_message())
        assert context["flight"] == "HU7181" and context["screen"] == "flight_detail"
        assert camera.subscriber_count == 1

        await session.hangup()

        assert watched.ended == [(EndReason.CALLER, False)]
        hangup = await agent.wait_for_message(CallHangup)
        assert hangup.reason == "caller" and hangup.call == session.call_id
    assert watched.phases == [
        SessionPhase.REQUESTING,
        SessionPhase.WAITING,
        SessionPhase.CONNECTING,
        SessionPhase.IN_CALL,
        SessionPhase.ENDED,
    ]
    assert watched.queue == [(1, 30.0)]
    await session.hangup()  # a second hang-up changes nothing
    assert len(watched.ended) == 1
    await assert_everything_released(camera)


@pytest.mark.slow  # a whole call through six picture changes
async def test_a_kiosk_that_falls_behind_sends_a_smaller_picture_and_climbs_back_when_it_keeps_up(pair, camera):
    session, watched = make_session(pair, camera)
    qualities = []
    session.on_quality = qualities.append
    fast = Tuning(down_after_s=0.4, up_after_s=0.6, hold_s=0.5, failed_climb_s=0.1)
    async with AgentPeer(pair.switchboard, width=WIDTH, height=HEIGHT) as agent:
        await session.start("zh-CN")
        await watched.phase(SessionPhase.IN_CALL)
        await agent.wait_frame_size((WIDTH, HEIGHT))
        # any time spent on a frame now counts as falling behind: as on a kiosk whose CPU cannot keep up
        session.adaptation.tuning = Tuning(busy_share=1e-6, down_after_s=0.4, up_after_s=60, hold_s=0.5)
        session.receive_adaptation.tuning = Tuning(down_after_s=0.4, up_after_s=60, hold_s=0.5)
        await agent.wait_frame_size((WIDTH // 2, HEIGHT // 2), timeout_s=20)
        assert session.adaptation.rung.fps == 15 and qualities[-1].limit is Limit.CPU
        assert [q.rung.width for q in qualities] == [WIDTH, WIDTH * 3 // 4, WIDTH // 2], "one rung at a time"
        # a kiosk cutting its own picture for its CPU also asks the agent for less, and gets it
        await until(lambda: (WIDTH // 2, HEIGHT // 2) in watched.frame_sizes, "a smaller picture of the agent", 20)
        assert agent.picture_requests[-1]["limit"] == "kiosk CPU" and agent.picture_requests[-1]["max_fps"] == 15
        told = [json.loads(m) for m in agent.channel_messages]
        quality = [m for m in told if m.get("type") == "quality"]
        assert quality and quality[-1]["limit"] == "kiosk CPU", "the console is told what the kiosk sends and why"
        assert quality[-1]["asked_limit"] == "kiosk CPU" and told[0]["type"] == "context"
        session.adaptation.tuning = fast  # room again: back up, a rung at a time
        session.receive_adaptation.tuning = fast
        await agent.wait_frame_size((WIDTH, HEIGHT), timeout_s=20)
        await until(lambda: session.adaptation.index == 0, "the best picture at its full rate again", 20)
        assert qualities[-1].limit is Limit.NONE
        await until(lambda: agent.picture_requests[-1]["max_width"] is None, "the agent's best asked for again", 20)
        await until(lambda: agent.video.size == (WIDTH, HEIGHT), "the agent's full picture", 5)
        await session.hangup()
    await assert_everything_released(camera)


async def test_the_agent_hanging_up_ends_the_call_with_the_switchboards_reason(pair, camera):
    session, watched = make_session(pair, camera)
    async with AgentPeer(pair.switchboard, width=WIDTH, height=HEIGHT) as agent:
        await session.start("en")
        await watched.frames(3)
        await agent.hang_up(reason="agent_lost", requeue_offered=True)
        assert await watched.end() == ("agent_lost", True)
        assert session.requeue_offered
        assert not [m for m in agent.received if isinstance(m, CallHangup)], "the kiosk must not answer an end"
    await assert_everything_released(camera)


async def test_pushes_from_the_agent_reach_the_kiosk_and_bad_ones_are_ignored(pair, camera, caplog):
    session, watched = make_session(pair, camera)
    async with AgentPeer(pair.switchboard, width=WIDTH, height=HEIGHT) as agent:
        await session.start("en")
        await watched.phase(SessionPhase.IN_CALL)
        await agent.wait_channel_open()
        with caplog.at_level(logging.WARNING, logger="video.session"):
            agent.push(PushKind.QR, text="Lost property", url="https://hak.example/lost")
            agent.push_raw("not json at all")
            agent.push_raw(json.dumps({"v": 1, "type": "push", "call": session.call_id, "kind": "hologram"}))
            agent.push_raw(json.dumps({"v": 1, "type": "ended", "call": session.call_id}))
            agent.push(PushKind.TEXT, text="Gate 12 is to your left")
            await watched.pushes_received(2)
        assert [(p.kind, p.text) for p in watched.pushes] == [
            (PushKind.QR, "Lost property"),
            (PushKind.TEXT, "Gate 12 is to your left"),
        ]
        assert session.phase is SessionPhase.IN_CALL, "an ended message on the data channel is no end"
        warnings = [r for r in caplog.records if r.levelno == logging.WARNING and "malformed push" in r.message]
        assert len(warnings) == 1, "the first bad push is a warning, later ones are debug"
        await session.hangup()
    await assert_everything_released(camera)


async def test_an_answer_that_is_no_sdp_ends_the_call_as_failed_and_the_switchboard_is_told(pair, camera):
    session, watched = make_session(pair, camera)
    async with AgentPeer(pair.switchboard, answer=AnswerMode.GARBAGE) as agent:
        await session.start("en")
        assert await watched.end() == (EndReason.FAILED, False)
        hangup = await agent.wait_for_message(CallHangup)
        assert hangup.reason == "failed"
    assert SessionPhase.IN_CALL not in watched.phases
    await assert_everything_released(camera)


def why_it_ended(caplog: pytest.LogCaptureFixture, session: CallSession) -> str:
    """The detail the session logged with its change to ENDED: which of its rules ended the call."""
    details = [
        str(record.args[3])
        for record in caplog.records
        if record.name == "video.session"
        and isinstance(record.args, tuple)
        and record.args[:1] == (session.call_id,)
        and len(record.args) == 4
        and record.args[2] is SessionPhase.ENDED
    ]
    assert len(details) == 1, details
    return details[0]


# These three say which rule ended the call and in what order things happened, never how long it took by the
# test's clock: on a loaded machine a wall-clock bound fails for reasons that have nothing to do with the code.


async def test_candidates_that_cannot_pair_fail_ice_and_the_call_at_once(pair, camera, caplog):
    caplog.set_level(logging.INFO, logger="video.session")
    session, watched = make_session(pair, camera)  # the default 20 s connect timeout plays no part
    async with AgentPeer(pair.switchboard, answer=AnswerMode.UNPAIRABLE) as agent:
        await session.start("en")
        assert await watched.end(timeout_s=30) == (EndReason.FAILED, False)
        # ended by ICE failing, not by the connect timeout
        assert why_it_ended(caplog, session) == "failed: connection failed (ICE or DTLS)"
        assert watched.phases[-2:] == [SessionPhase.CONNECTING, SessionPhase.ENDED]
        assert (await agent.wait_for_message(CallHangup)).reason == "failed"
    await assert_everything_released(camera)


async def test_an_unreachable_agent_ends_the_call_as_failed_after_the_connect_timeout(pair, camera, caplog):
    # aiortc itself declares such ICE failed only after about 64 s of unanswered checks
    caplog.set_level(logging.INFO, logger="video.session")
    session, watched = make_session(pair, camera, connect_timeout_s=1.5)
    async with AgentPeer(pair.switchboard, answer=AnswerMode.UNREACHABLE) as agent:
        await session.start("en")
        assert await watched.end(timeout_s=30) == (EndReason.FAILED, False)
        assert why_it_ended(caplog, session) == "failed: no media path 1.5 s after the agent accepted"
        assert watched.phases[-2:] == [SessionPhase.CONNECTING, SessionPhase.ENDED]
        assert session.remote_frames == 0
        assert (await agent.wait_for_message(CallHangup)).reason == "failed"
    await assert_everything_released(camera)


async def test_media_that_stops_ends_the_call_after_the_media_timeout(pair, camera, caplog):
    caplog.set_level(logging.INFO, logger="video.session")
    session, watched = make_session(pair, camera, media_timeout_s=1.0)
    async with AgentPeer(pair.switchboard, width=WIDTH, height=HEIGHT) as agent:
        await session.start("en")
        await watched.frames(3)
        await agent.vanish()
        assert await watched.end(timeout_s=30) == (EndReason.FAILED, False)
        detail = why_it_ended(caplog, session)
        assert detail.startswith("failed: no media for "), detail
        assert float(detail.removeprefix("failed: no media for ").removesuffix(" s")) > 1.0  # by the session's clock
        assert watched.phases[-2:] == [SessionPhase.IN_CALL, SessionPhase.ENDED]
        assert (await agent.wait_for_message(CallHangup)).reason == "failed"
    await assert_everything_released(camera)


async def test_cancel_while_waiting_leaves_the_queue_and_never_turns_the_camera_on(pair, camera):
    session, watched = make_session(pair, camera)
    async with AgentPeer(pair.switchboard, hold_connect=True, eta_s=None) as agent:
        await session.start("en")
        await watched.phase(SessionPhase.WAITING)
        assert watched.queue == [(1, None)]
        await session.cancel()
        assert watched.ended == [(EndReason.CANCELLED, False)]
        cancel = await agent.wait_for_message(CallCancel)
        assert cancel.call == session.call_id
        agent.release_connect.set()  # a connect that crosses the cancel is ignored
    assert not camera.reading and camera.subscriber_count == 0
    await assert_everything_released(camera)


async def test_a_rating_is_sent_once_after_the_end(pair, camera):
    session, watched = make_session(pair, camera)
    async with AgentPeer(pair.switchboard, width=WIDTH, height=HEIGHT) as agent:
        await session.start("en")
        with pytest.raises(RuntimeError):
            await session.rate(5, answered=True)
        await watched.phase(SessionPhase.IN_CALL)
        await agent.hang_up()
        await watched.end()
        await session.rate(4, answered=True)
        rating = await agent.wait_for_message(CallRating)
        assert (rating.stars, rating.answered, rating.call) == (4, True, session.call_id)
        with pytest.raises(RuntimeError):
            await session.rate(5)
    await assert_everything_released(camera)


async def test_a_request_that_cannot_be_sent_ends_the_call_as_failed(pair, camera):
    session, watched = make_session(pair, camera)
    pair.device.connected = False
    await session.start("en")
    assert watched.ended == [(EndReason.FAILED, False)]
    assert session.phase is SessionPhase.ENDED
    await assert_everything_released(camera)


async def test_h264_is_used_when_chosen(pair, camera):
    session, watched = make_session(pair, camera, codec="h264")
    async with AgentPeer(pair.switchboard, width=WIDTH, height=HEIGHT) as agent:
        await session.start("en")
        await watched.frames(5)
        await agent.wait_frames(5)
        assert session.video_codec == "H264"
        await session.hangup()
    await assert_everything_released(camera)
