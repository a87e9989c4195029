"""The agent's encoded pictures waiting for the kiosk's decoder: a backlog is dropped for a keyframe, never
decoded frame by frame, and nothing is passed on that the decoder could not decode."""

from __future__ import annotations

import itertools
import threading
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from video.decode_queue import FreshFrames, is_keyframe

VP8 = SimpleNamespace(name="VP8")
KEY, DELTA = b"\x10\x02\x00", b"\x11\x02\x00"  # the frame tag's first bit: 0 for a key frame


def frame(data: bytes, number: int) -> tuple[SimpleNamespace, SimpleNamespace]:
    return VP8, SimpleNamespace(data=data, number=number)


def drain(fresh: FreshFrames) -> list[int | None]:
    taken = []
    while not fresh.empty():
        item = fresh.get_nowait()
        taken.append(None if item is None else item[1].number)
    return taken


def test_keyframes_are_told_from_deltas_in_vp8_and_h264():
    assert is_keyframe("VP8", KEY) and not is_keyframe("VP8", DELTA)
    assert is_keyframe("H264", b"\x00\x00\x00\x01\x67\x42" + b"\x00\x00\x01\x65\x88")  # SPS, then an IDR slice
    assert not is_keyframe("H264", b"\x00\x00\x00\x01\x41\x9a")  # a non-IDR slice
    assert not is_keyframe("VP8", b"")


def test_a_decoder_that_keeps_up_gets_every_frame_in_order():
    fresh = FreshFrames(lambda: None, max_backlog=3)
    for number in range(10):
        fresh.put(frame(KEY if number == 0 else DELTA, number))
        assert drain(fresh) == [number]
    assert fresh.frames_skipped == 0 and fresh.frames_in == 10


def test_a_backlog_is_dropped_and_nothing_passes_until_the_keyframe_it_asked_for():
    asked = []
    fresh = FreshFrames(lambda: asked.append(True), max_backlog=3)
    for number in range(4):
        fresh.put(frame(KEY if number == 0 else DELTA, number))
    assert len(asked) == 1 and fresh.empty(), "four waiting frames: all dropped, a keyframe asked for"
    for number in range(4, 8):
        fresh.put(frame(DELTA, number))
    assert fresh.empty(), "deltas cannot be decoded without the frames dropped: they wait for the keyframe too"
    fresh.put(frame(KEY, 8))
    fresh.put(frame(DELTA, 9))
    assert drain(fresh) == [8, 9]
    assert fresh.frames_skipped == 8 and len(asked) == 5, "asked on the drop and at each delta while waiting"


def test_a_keyframe_replaces_the_older_frames_still_waiting_and_the_end_is_always_delivered():
    fresh = FreshFrames(lambda: None, max_backlog=5)
    fresh.put(frame(KEY, 0))
    fresh.put(frame(DELTA, 1))
    fresh.put(None)
    fresh.put(frame(KEY, 2))
    assert drain(fresh) == [None, 2]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.integers(0, 4)), max_size=80), st.integers(1, 4))
def test_whatever_arrives_the_decoder_sees_a_keyframe_first_and_never_a_gap_after_it(arrivals, max_backlog):
    """Each arrival is (keyframe?, frames the decoder takes before the next arrival)."""
    fresh = FreshFrames(lambda: None, max_backlog=max_backlog)
    decoded: list[tuple[int, bool]] = []
    for number, (key, takes) in enumerate(arrivals):
        fresh.put(frame(KEY if key else DELTA, number))
        assert fresh.qsize() <= max_backlog
        for _ in range(takes):
            if fresh.empty():
                break
            item = fresh.get_nowait()
            decoded.append((item[1].number, is_keyframe("VP8", item[1].data)))
    # every delta passed on follows the frame just before it (or the stream restarts at a keyframe)
    for (before, _), (after, after_key) in itertools.pairwise(decoded):
        assert after_key or after == before + 1
    assert not decoded or decoded[0][1] or decoded[0][0] == 0
    assert fresh.frames_skipped + len(decoded) + fresh.qsize() == len(arrivals)


def test_the_decoders_time_per_frame_is_measured_from_its_own_thread():
    fresh = FreshFrames(lambda: None)
    fresh.put(frame(KEY, 0))
    fresh.put(frame(DELTA, 1))
    fresh.put(None)
    done = threading.Event()

    def decoder() -> None:
        while fresh.get() is not None:
            threading.Event().wait(0.02)  # decoding a frame takes 20 ms here
        done.set()

    thread = threading.Thread(target=decoder)
    thread.start()
    thread.join(5)
    assert done.is_set() and fresh.decode_ms is not None and fresh.decode_ms >= 15
