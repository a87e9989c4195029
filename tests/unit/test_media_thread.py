"""A call session on the media thread, seen from the screen's loop: controls cross over, reports come back
on the screen's thread in order, and only the newest of the agent's pictures is handed over."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator

import pytest
from av import VideoFrame

from bus.messages.call import CallCancel, CallContext, CallRequest, Queued
from hardware.camera import CameraOwner, SyntheticSource
from tests.peers.wait import until
from video.call_state import EndReason, SessionPhase
from video.media_thread import MediaThread, ThreadedCallSession
from video.settings import VideoSection
from video.signalling import MemorySignallingPair


@pytest.fixture
async def media() -> AsyncIterator[MediaThread]:
    thread = MediaThread("test media")
    try:
        yield thread
    finally:
        thread.stop()


async def test_controls_cross_over_and_reports_come_back_on_the_screens_thread(media: MediaThread) -> None:
    pair = MemorySignallingPair()
    camera = CameraOwner(SyntheticSource(64, 48), 10)
    session = await ThreadedCallSession.create(pair.device, camera, VideoSection(), CallContext(), media=media)
    seen: list[tuple[str, object, str]] = []
    session.on_phase = lambda phase: seen.append(("phase", phase, threading.current_thread().name))
    session.on_queue = lambda position, _eta: seen.append(("queue", position, threading.current_thread().name))
    session.on_ended = lambda reason, _requeue: seen.append(("ended", reason, threading.current_thread().name))
    here = threading.current_thread().name

    await session.start("en")
    assert isinstance(await pair.switchboard.receive(), CallRequest)
    assert session.phase is SessionPhase.REQUESTING
    await pair.switchboard.send(Queued(call=session.call_id, position=2, eta_s=60))
    await until(lambda: ("queue", 2, here) in seen, "the queue position, on this thread")
    assert session.phase is SessionPhase.WAITING

    await session.cancel()
    assert isinstance(await pair.switchboard.receive(), CallCancel)
    assert session.phase is SessionPhase.ENDED and session.end_reason == EndReason.CANCELLED.value
    assert await session.wait_ended() == EndReason.CANCELLED.value
    assert seen == [
        ("phase", SessionPhase.REQUESTING, here),
        ("phase", SessionPhase.WAITING, here),
        ("queue", 2, here),
        ("phase", SessionPhase.ENDED, here),
        ("ended", EndReason.CANCELLED.value, here),
    ]


async def test_only_the_newest_picture_is_handed_over(media: MediaThread) -> None:
    camera = CameraOwner(SyntheticSource(64, 48), 10)
    session = await ThreadedCallSession.create(
        MemorySignallingPair().device, camera, VideoSection(), CallContext(), media=media
    )
    shown: list[VideoFrame] = []
    session.on_remote_video = shown.append
    pictures = [VideoFrame(32, 24, "yuv420p") for _ in range(5)]

    async def decode_five() -> None:
        for picture in pictures:
            session.session.on_remote_video(picture)

    # the screen's loop is held up while the media thread decodes five pictures
    media.submit(decode_five()).result(timeout=10)
    await until(lambda: len(shown) >= 1, "a picture shown")
    await media.run(decode_five())  # a round trip through both loops: anything still posted has arrived
    assert shown[0] is pictures[-1], "the newest picture, not the first"
    assert session.frames_dropped >= 4
