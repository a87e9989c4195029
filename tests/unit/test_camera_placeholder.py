"""The "camera unavailable" card: drawn once per size, and sent by the call's track once the camera is gone."""

from __future__ import annotations

import numpy as np

from hardware.camera import CameraOwner
from tests.peers.camera_faults import OneFrameThenNothing, share_near
from video.placeholder import BACKGROUND, ICON, STRIKE, camera_unavailable
from video.tracks import CameraVideoTrack


def test_the_card_is_mostly_background_with_a_crossed_out_camera_and_is_drawn_once_per_size():
    card = camera_unavailable(320, 240)
    assert card.shape == (240, 320, 3) and card.dtype == np.uint8
    assert not card.flags.writeable, "shared between frames: nobody may draw on it"
    assert camera_unavailable(320, 240) is card
    assert 0.8 < share_near(card, BACKGROUND, tolerance=0) < 0.99
    assert share_near(card, ICON, tolerance=0) > 0.01 and share_near(card, STRIKE, tolerance=0) > 0.005
    assert camera_unavailable(160, 120).shape == (120, 160, 3)


async def test_the_track_repeats_the_last_picture_for_a_hiccup_then_sends_the_card():
    owner = CameraOwner(OneFrameThenNothing(), fps=100)
    track = CameraVideoTrack(owner.subscribe(), 80, 60, fps=100)
    track.STALL_S = 0.05
    track.PLACEHOLDER_AFTER_S = 0.4  # eight stalls: room for a busy machine
    try:
        pictures = [(await track.recv()).to_ndarray(format="bgr24") for _ in range(14)]
    finally:
        track.stop()
        await owner.stop()
    grey = [int(p.mean()) == 200 for p in pictures]
    card = [share_near(p, BACKGROUND, tolerance=8) > 0.7 for p in pictures]
    assert grey[:2] == [True] * 2, "a short stall keeps the passenger's last picture"
    assert card[-1] and all(card[grey.index(False) :]), "then the card, for as long as the camera is gone"
