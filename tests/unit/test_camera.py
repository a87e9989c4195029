"""The camera owner and its sources: one reader thread, latest-frame delivery, off when unused, failures."""

from __future__ import annotations

import asyncio
import logging
import threading

import cv2
import numpy as np
import pytest

from bus.messages.device import CameraHealth, CameraState
from hardware.camera import CameraOwner, FileSource, SourceUnavailable, SubscriptionClosed, SyntheticSource


class CountingSource:
    """Frame n is filled with n (mod 256); records opens and closes; can be told to fail."""

    def __init__(self, fail_with: Exception | None = None, give_none: bool = False) -> None:
        self.reads = 0
        self.closes = 0
        self.fail_with = fail_with
        self.give_none = give_none
        self.threads: set[str] = set()
        self.read_enough = threading.Event()
        self.enough = 30

    def read(self) -> np.ndarray | None:
        self.reads += 1
        self.threads.add(threading.current_thread().name)
        if self.reads >= self.enough:
            self.read_enough.set()
        if self.fail_with is not None:
            raise self.fail_with
        if self.give_none:
            return None
        return np.full((8, 8, 3), self.reads % 256, dtype=np.uint8)

    def close(self) -> None:
        self.closes += 1


def reader_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if "-reader-" in t.name]


def state_changes(owner: CameraOwner) -> tuple[list[CameraState], asyncio.Event]:
    states: list[CameraState] = []
    changed = asyncio.Event()

    def record(state: CameraState) -> None:
        states.append(state)
        changed.set()

    owner.add_state_listener(record)
    return states, changed


async def wait_for_state(owner: CameraOwner, changed: asyncio.Event, state: CameraState) -> None:
    async with asyncio.timeout(5):
        while owner.state is not state:
            changed.clear()
            await changed.wait()


def test_the_synthetic_pattern_moves_and_counts_frames():
    source = SyntheticSource(320, 240)
    first, second = source.read(), source.read()
    assert first.shape == (240, 320, 3) and first.dtype == np.uint8
    assert not np.array_equal(first, second)
    assert source.count == 2


async def test_every_consumer_gets_frames_from_one_named_thread_and_frames_are_read_only():
    source = CountingSource()
    owner = CameraOwner(source, fps=100, name="camera")
    first, second = owner.subscribe("call"), owner.subscribe("scanner")
    try:
        frame_a = await asyncio.wait_for(first.next_frame(), 5)
        frame_b = await asyncio.wait_for(second.next_frame(), 5)
        assert frame_a.shape == frame_b.shape == (8, 8, 3)
        assert not frame_a.flags.writeable
        assert owner.subscriber_count == 2
        assert source.threads == {"camera-reader-1"}
        assert owner.state is CameraState.RUNNING
    finally:
        await owner.stop()
    assert reader_threads() == []


async def test_a_slow_consumer_gets_only_the_newest_frame():
    source = CountingSource()
    owner = CameraOwner(source, fps=200)
    slow, pacer = owner.subscribe("slow"), owner.subscribe("pacer")
    try:
        for _ in range(10):  # let ten frames go by without the slow consumer looking
            await asyncio.wait_for(pacer.next_frame(), 5)
        frame = await asyncio.wait_for(slow.next_frame(), 5)
        assert slow.frames_offered >= 10
        newest = slow.latest()
        assert newest is not None
        # what it gets is the frame that was newest when it asked, not the first it missed
        assert int(frame[0, 0, 0]) >= 10 and int(newest[0, 0, 0]) >= int(frame[0, 0, 0])
        after = await asyncio.wait_for(slow.next_frame(), 5)
        assert int(after[0, 0, 0]) != int(frame[0, 0, 0]), "next_frame waits for a newer frame"
    finally:
        await owner.stop()


async def test_the_camera_is_off_while_nobody_watches_and_on_again_for_the_next_consumer():
    source = CountingSource()
    owner = CameraOwner(source, fps=100)
    subscription = owner.subscribe()
    await asyncio.wait_for(subscription.next_frame(), 5)
    owner.unsubscribe(subscription)
    owner.unsubscribe(subscription)  # twice is harmless
    assert await asyncio.to_thread(owner.join), "the reader ends once the last consumer left"
    assert not owner.reading and reader_threads() == []
    assert source.closes >= 1, "the source is closed when nobody uses it"
    assert owner.state is CameraState.STOPPED and owner.fps == 0

    again = owner.subscribe()
    try:
        await asyncio.wait_for(again.next_frame(), 5)
        assert owner.reading
    finally:
        await owner.stop()
    assert "camera-reader-2" in source.threads


async def test_a_consumer_waiting_when_it_unsubscribes_is_told():
    source = CountingSource(give_none=True)  # never a frame
    owner = CameraOwner(source, fps=100)
    subscription = owner.subscribe()
    waiting = asyncio.ensure_future(subscription.next_frame())
    await asyncio.sleep(0)  # let it start waiting
    owner.unsubscribe(subscription)
    with pytest.raises(SubscriptionClosed):
        await asyncio.wait_for(waiting, 5)
    await owner.stop()


async def test_a_source_that_keeps_raising_makes_the_camera_failed_and_is_logged_once(caplog):
    source = CountingSource(fail_with=RuntimeError("usb gone"))
    owner = CameraOwner(source, fps=500)
    owner.RETRY_INTERVAL_S = 0.002  # many failed rounds in a short test
    states, changed = state_changes(owner)
    with caplog.at_level(logging.INFO, logger="hardware.camera.owner"):
        owner.subscribe()
        await wait_for_state(owner, changed, CameraState.FAILED)
        assert await asyncio.to_thread(source.read_enough.wait, 5)
        await owner.stop()
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "usb gone" in warnings[0].getMessage()
    assert states == [CameraState.FAILED]
    assert owner.health() == CameraHealth(state=CameraState.FAILED, fps=0.0)
    assert reader_threads() == []


async def test_a_source_that_gives_no_frames_is_failed_too_and_recovers_when_frames_come_back():
    source = CountingSource(give_none=True)
    owner = CameraOwner(source, fps=500)
    owner.RETRY_INTERVAL_S = 0.002
    states, changed = state_changes(owner)
    subscription = owner.subscribe()
    try:
        await wait_for_state(owner, changed, CameraState.FAILED)
        source.give_none = False
        await asyncio.wait_for(subscription.next_frame(), 5)
        await wait_for_state(owner, changed, CameraState.RUNNING)
    finally:
        await owner.stop()
    assert states[:2] == [CameraState.FAILED, CameraState.RUNNING]


async def test_a_missing_file_is_an_absent_camera(tmp_path):
    owner = CameraOwner(FileSource(tmp_path / "nope.avi"), fps=30)
    _, changed = state_changes(owner)
    owner.subscribe()
    try:
        await wait_for_state(owner, changed, CameraState.ABSENT)
    finally:
        await owner.stop()
    with pytest.raises(SourceUnavailable):
        FileSource(tmp_path / "nope.avi").read()


def write_video(path, frames: int) -> None:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10, (64, 48))
    assert writer.isOpened()
    for n in range(frames):
        writer.write(np.full((48, 64, 3), n * 40, dtype=np.uint8))
    writer.release()


def test_a_video_file_plays_in_a_loop_or_ends(tmp_path):
    path = tmp_path / "clip.avi"
    write_video(path, 5)
    looping = FileSource(path)
    frames = [looping.read() for _ in range(12)]
    assert all(f is not None and f.shape == (48, 64, 3) for f in frames)
    looping.close()
    once = FileSource(path, loop=False)
    assert [once.read() is not None for _ in range(6)] == [True] * 5 + [False]
    once.close()


async def test_the_fps_figure_follows_the_frames_read():
    owner = CameraOwner(CountingSource(), fps=50)
    subscription = owner.subscribe()
    try:
        async with asyncio.timeout(5):
            while owner.fps == 0:  # the figure is taken once a second
                await subscription.next_frame()
        assert 25 <= owner.fps <= 60
        assert owner.health().state is CameraState.RUNNING
    finally:
        await owner.stop()
    assert owner.fps == 0
