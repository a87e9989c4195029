"""The call's outgoing media from the shared camera, the codec order offered, and the [video] settings."""

from __future__ import annotations

import logging
from fractions import Fraction

import pytest
from aiortc import AudioStreamTrack
from aiortc.mediastreams import MediaStreamError
from pydantic import ValidationError

from hardware.camera import CameraOwner, SyntheticSource
from tests.peers.camera_faults import OneFrameThenNothing
from video.peer import codec_preferences
from video.settings import VideoSection
from video.tracks import CameraVideoTrack, local_audio_track


async def test_camera_frames_are_resized_and_stamped_on_the_90khz_clock():
    owner = CameraOwner(SyntheticSource(320, 240), fps=30)
    subscription = owner.subscribe()
    track = CameraVideoTrack(subscription, 160, 120, fps=30)
    try:
        frames = [await track.recv() for _ in range(5)]
    finally:
        track.stop()
        await owner.stop()
    assert {(f.width, f.height) for f in frames} == {(160, 120)}
    assert all(f.time_base == Fraction(1, 90000) for f in frames)
    pts = [f.pts for f in frames]
    assert pts == sorted(set(pts)), "timestamps increase strictly"
    assert pts[0] == 0
    # paced at 30 frames a second: 4 intervals of at least 3000 ticks (more only on a busy machine)
    assert 4 * 3000 - 100 <= pts[-1] - pts[0] < 90000
    assert track.frames_sent == 5


async def test_a_stalled_camera_repeats_its_last_picture_so_the_stream_goes_on():
    owner = CameraOwner(OneFrameThenNothing(), fps=100)
    track = CameraVideoTrack(owner.subscribe(), 80, 60, fps=100)
    track.STALL_S = 0.05
    try:
        frames = [await track.recv() for _ in range(3)]
    finally:
        track.stop()
        await owner.stop()
    pictures = [f.to_ndarray(format="bgr24") for f in frames]
    assert all(int(p.mean()) == 200 for p in pictures)


async def test_the_track_ends_when_its_subscription_is_given_up():
    owner = CameraOwner(SyntheticSource(64, 48), fps=30)
    subscription = owner.subscribe()
    track = CameraVideoTrack(subscription, 64, 48, fps=30)
    await track.recv()
    owner.unsubscribe(subscription)
    with pytest.raises(MediaStreamError):
        await track.recv()
    assert track.readyState == "ended"
    await owner.stop()


async def test_without_a_microphone_the_call_carries_silence():
    track = await local_audio_track(VideoSection())
    assert type(track) is AudioStreamTrack
    track.stop()


async def test_a_microphone_that_cannot_be_opened_falls_back_to_silence(caplog):
    settings = VideoSection(microphone=True, microphone_device="hw:99,0")
    with caplog.at_level(logging.WARNING, logger="video.tracks"):
        track = await local_audio_track(settings)
    assert type(track) is AudioStreamTrack
    assert "sending silence" in caplog.text
    track.stop()


@pytest.mark.parametrize(("codec", "first"), [("vp8", "video/VP8"), ("h264", "video/H264")])
def test_the_chosen_codec_is_offered_first_and_the_other_stays_as_fallback(codec, first):
    preferences = [c.mimeType for c in codec_preferences(codec)]
    assert preferences[0] == first
    assert {"video/VP8", "video/H264", "video/rtx"} <= set(preferences)


def test_video_settings_have_working_defaults_and_refuse_nonsense():
    video = VideoSection()
    assert (video.codec, video.width, video.height, video.fps) == ("vp8", 640, 480, 30)
    assert video.camera == "synthetic" and video.microphone is False
    assert (video.media_timeout_s, video.connect_timeout_s) == (10.0, 20.0)
    for wrong in ({"codec": "av1"}, {"fps": 0}, {"width": 10}, {"media_timeout_s": 0}, {"camera": ""}):
        with pytest.raises(ValidationError):
            VideoSection(**wrong)
