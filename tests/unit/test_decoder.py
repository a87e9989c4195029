"""The decoder on generated camera frames (hardware/scanner/samples.py), and the rate-limited feed."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from hardware.camera import CameraOwner
from hardware.scanner.decoder import Code, CodeFormat, Decoder, decode, decode_live, decode_opencv, decode_zxing
from hardware.scanner.feed import ScanFeed
from hardware.scanner.samples import CodeSource, Trouble, camera_frame, code_image

PASS = "M1DESMARAIS/LUC       EABC123 YULFRAAC 0834 326J001A0025 100"
POINT = "http://127.0.0.1:8080/p/t1-a12-east"
TEXTS = {CodeFormat.QR: POINT, CodeFormat.PDF417: PASS, CodeFormat.AZTEC: PASS, CodeFormat.DATA_MATRIX: PASS}
TROUBLES = [trouble for trouble in Trouble if trouble is not Trouble.NO_CODE]
SEEDS = (101, 202, 303)


def read(format_, trouble, seed):
    text = TEXTS[format_]
    frame = camera_frame(code_image(text, format_), trouble, seed)
    return (format_, text) in [(code.format, code.text) for code in decode(frame)]


@pytest.mark.parametrize("format_", list(CodeFormat))
def test_each_format_is_read_from_a_camera_frame(format_):
    assert read(format_, Trouble.NONE, SEEDS[0])


@pytest.mark.slow  # 84 decodes of 1280x720 frames: a few seconds (bench/scan.py measures 300 and more)
@pytest.mark.parametrize("format_", list(CodeFormat))
def test_codes_are_read_through_what_happens_in_front_of_a_camera(format_):
    # a thumb over a rectangular Data Matrix of a dozen rows hides more than its error correction restores
    # (no boarding pass uses Data Matrix; the benchmark measures QR, PDF417 and Aztec)
    troubles = [t for t in TROUBLES if not (format_ is CodeFormat.DATA_MATRIX and t is Trouble.COVERED)]
    counts = {trouble: sum(read(format_, trouble, seed) for seed in SEEDS) for trouble in troubles}
    assert all(count >= 1 for count in counts.values()), counts  # every trouble can be overcome
    assert sum(counts.values()) >= 0.85 * len(troubles) * len(SEEDS), counts  # and mostly is


def test_a_frame_without_a_code_gives_nothing():
    for seed in SEEDS:
        assert decode(camera_frame(None, Trouble.NO_CODE, seed)) == []


def test_opencv_reads_qr_when_asked_and_says_so():
    frame = camera_frame(code_image(POINT, CodeFormat.QR), Trouble.NONE, 7)
    assert decode_opencv(frame) == [Code(CodeFormat.QR, POINT, Decoder.OPENCV)]


def test_hostile_text_comes_back_as_text_and_over_long_text_is_cut():
    hostile = "javascript:alert(1)<script>\x1b[2J\u202e"
    frame = camera_frame(code_image(hostile, CodeFormat.QR), Trouble.NONE, 3)
    assert [code.text for code in decode(frame)] == [hostile]


async def wait_for(condition, timeout_s=10.0):
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


async def test_the_feed_reports_a_code_once_decodes_off_the_loop_and_never_faster_than_its_rate():
    code = code_image(PASS, CodeFormat.PDF417)
    source = CodeSource(code, appears_at=3)
    camera = CameraOwner(source, fps=60)
    threads: set[str] = set()

    def decoder(frame):
        threads.add(threading.current_thread().name)
        return decode(frame)

    feed = ScanFeed(camera, max_rate=10, decoder=decoder, fast_decoder=None)
    heard: list[Code] = []
    feed.add_listener(heard.append)
    feed.start()
    started = time.monotonic()
    try:
        await wait_for(lambda: heard)
        await wait_for(lambda: feed.decodes >= 4)
    finally:
        await feed.stop()
        await camera.stop()
    elapsed = time.monotonic() - started
    assert [(c.format, c.text) for c in heard] == [(CodeFormat.PDF417, PASS)]  # held still: one report
    assert feed.decodes <= 10 * elapsed + 1
    assert feed.frames_skipped > 0  # 60 frames a second, 10 decodes: the rest were dropped, not queued
    assert threads == {"scanner_0"}
    assert not feed.running and camera.subscriber_count == 0


async def test_a_decoder_that_fails_does_not_end_scanning():
    source = CodeSource(code_image(POINT, CodeFormat.QR), appears_at=0)
    camera = CameraOwner(source, fps=60)
    calls = []

    def flaky(frame):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("first frame broke the decoder")
        return decode(frame)

    feed = ScanFeed(camera, max_rate=30, decoder=flaky, fast_decoder=None)
    heard: list[Code] = []
    feed.add_listener(heard.append)
    feed.start()
    try:
        await wait_for(lambda: heard)
    finally:
        await feed.stop()
        await camera.stop()
    assert heard[0].text == POINT


async def test_most_decodes_are_the_quick_pass_and_every_third_the_full_one():
    camera = CameraOwner(CodeSource(None), fps=60)
    calls: list[str] = []
    feed = ScanFeed(
        camera,
        max_rate=60,
        decoder=lambda frame: calls.append("full") or [],
        fast_decoder=lambda frame: calls.append("fast") or [],
    )
    feed.start()
    try:
        await wait_for(lambda: len(calls) >= 6)
    finally:
        await feed.stop()
        await camera.stop()
    assert calls[:6] == ["fast", "fast", "full", "fast", "fast", "full"]


def test_the_live_pass_tries_the_fallbacks_only_for_a_code_it_saw_but_could_not_read():
    askew = camera_frame(code_image(PASS, CodeFormat.PDF417), Trouble.ROTATION, seed=1001)
    assert decode_zxing(askew) == []  # one pass of zxing-cpp sees the pass but cannot read it at this angle
    assert [code.text for code in decode_live(askew)] == [PASS]
    assert decode_live(camera_frame(None, Trouble.NO_CODE, seed=1)) == []
