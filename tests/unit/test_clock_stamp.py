"""The clock stamp that measures a call's one-way delay: it survives the codecs at the sizes a call sends,
and a picture without a readable stamp gives no figure, never a wrong one."""

from __future__ import annotations

import fractions
import random

import av
import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from video.adaptation import LADDER
from video.clock_stamp import MODULUS, delay_ms, read, stamp

SIZES = [*sorted({(rung.width, rung.height) for rung in LADDER}), (1280, 720)]


def scene(width: int, height: int, seed: int) -> np.ndarray:
    """A camera-like picture: a gradient, shapes and sensor noise."""
    rng = np.random.default_rng(seed)
    x = np.linspace(0, 255, width, dtype=np.float64)
    picture = np.repeat(np.tile(x, (height, 1))[:, :, None], 3, axis=2)
    picture = (picture * 0.6 + 50).astype(np.uint8)
    for _ in range(6):
        centre = (int(rng.integers(0, width)), int(rng.integers(0, height)))
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        cv2.circle(picture, centre, int(rng.integers(10, height // 3)), colour, -1)
    noise = rng.normal(0, 6, picture.shape)
    return np.clip(picture + noise, 0, 255).astype(np.uint8)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("quality", [90, 50, 20, 8])
def test_a_stamp_survives_jpeg_at_every_call_size(size, quality):
    for n in range(6):
        picture = scene(*size, seed=n)
        clock = random.Random(n).randrange(MODULUS)
        stamp(picture, clock)
        ok, encoded = cv2.imencode(".jpg", picture, [cv2.IMWRITE_JPEG_QUALITY, quality])
        assert ok
        assert read(cv2.imdecode(encoded, cv2.IMREAD_COLOR)) == clock


@pytest.mark.slow  # encodes and decodes a hundred VP8 frames
@pytest.mark.parametrize("rung", LADDER, ids=str)
def test_a_stamp_survives_vp8_at_each_rungs_bitrate(rung):
    encoder = av.CodecContext.create("libvpx", "w")
    encoder.width, encoder.height = rung.width, rung.height
    encoder.pix_fmt = "yuv420p"
    encoder.bit_rate = int(rung.kbps * 1000 * 0.6)  # below what the rung needs: a strained call
    encoder.time_base = fractions.Fraction(1, int(rung.fps))
    encoder.options = {"deadline": "realtime", "cpu-used": "8", "lag-in-frames": "0"}
    decoder = av.CodecContext.create("libvpx", "r")
    sent, read_back = [], []
    moving = scene(rung.width, rung.height, seed=1)
    for n in range(24):
        picture = np.roll(moving, 7 * n, axis=1)  # the scene moves, as a person does in front of the camera
        clock = 1_000_000 + n * 33
        stamp(picture, clock)
        sent.append(clock)
        frame = av.VideoFrame.from_ndarray(picture, format="bgr24").reformat(format="yuv420p")
        frame.pts = n
        for packet in encoder.encode(frame):
            for decoded in decoder.decode(packet):
                read_back.append(read(decoded.to_ndarray(format="bgr24")))
    for packet in encoder.encode(None):  # the frames still in the encoder
        for decoded in decoder.decode(packet):
            read_back.append(read(decoded.to_ndarray(format="bgr24")))
    assert len(read_back) == len(sent)
    readable = [value for value in read_back if value is not None]
    assert len(readable) >= 0.9 * len(read_back), f"only {len(readable)} of {len(read_back)} read"
    assert set(readable) <= set(sent), "a stamp read wrongly"


@pytest.mark.parametrize("to", [(480, 360), (320, 240), (160, 120), (800, 600)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_a_stamped_picture_scaled_on_its_way_is_still_read(to):
    for n in range(5):
        picture = scene(640, 480, seed=n)
        stamp(picture, 4_000_000 + n)
        scaled = cv2.resize(picture, to, interpolation=cv2.INTER_AREA if to[0] < 640 else cv2.INTER_LINEAR)
        assert read(scaled) == 4_000_000 + n


def test_pictures_without_a_stamp_give_no_figure():
    rng = np.random.default_rng(7)
    wall = np.full((480, 640, 3), 128, np.uint8)
    assert read(wall) is None
    for _ in range(2000):  # only the top strip is read: noise there is what matters
        assert read(rng.integers(0, 256, (24, 640, 3), dtype=np.uint8)) is None
    for n in range(40):
        assert read(scene(640, 480, seed=1000 + n)) is None
    assert read(np.zeros((10, 10, 3), np.uint8)) is None, "too small to hold a stamp"
    assert read(np.zeros((4,), np.uint8)) is None


def test_a_damaged_stamp_gives_no_figure():
    picture = scene(640, 480, seed=3)
    stamp(picture, 123456)
    picture[0:40, 200:240] = 128  # a cell smeared to grey
    assert read(picture) is None
    flipped = scene(640, 480, seed=3)
    stamp(flipped, 123456)
    first, end = round(5 * 640 / 56), round(6 * 640 / 56)
    flipped[0:22, first:end] = 255 - flipped[0:22, first:end]  # one bit flipped
    assert read(flipped) is None, "the CRC catches a flipped bit"


def test_the_delay_is_now_less_the_stamp_across_the_wrap_and_implausible_ones_are_refused():
    picture = scene(640, 480, seed=4)
    stamp(picture, MODULUS - 10)
    assert delay_ms(picture, MODULUS + 25) == 35.0
    stamp(picture, 5_000)
    assert delay_ms(picture, 5_120) == 120.0
    assert delay_ms(picture, 4_000) is None, "a stamp from the future is not a delay"
    assert delay_ms(picture, 5_000 + 60_000) is None, "a minute is not a call's delay"


def test_a_picture_too_small_for_a_stamp_is_refused_clearly():
    with pytest.raises(ValueError, match="too small"):
        stamp(np.zeros((8, 100, 3), np.uint8), 1)


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=MODULUS - 1), st.sampled_from(SIZES))
def test_every_clock_value_round_trips(clock, size):
    picture = np.zeros((size[1], size[0], 3), np.uint8)
    stamp(picture, clock)
    assert read(picture) == clock
