"""The picture a call sends while the kiosk's camera gives none: a camera crossed out on a dark card.

An icon and no words, so the agent understands it whatever language they read, and nothing on it needs
translating. Drawn once per picture size (a few shapes with OpenCV, well under a millisecond) and kept,
read-only, since the track sends it again twice a second for as long as the camera stays away.
"""

from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np

from hardware.camera import Frame

BACKGROUND = (58, 48, 40)  # BGR: a dark slate, unlike any camera picture of a lit hall
ICON = (225, 225, 225)
STRIKE = (64, 64, 220)  # BGR red: "not working", as a crossed-out camera reads everywhere


@lru_cache(maxsize=8)  # the adaptation ladder has a handful of sizes; one card each
def camera_unavailable(width: int, height: int) -> Frame:
    """A ``width`` x ``height`` BGR card with a crossed-out camera in its middle (read-only: copy to draw)."""
    card = np.empty((height, width, 3), dtype=np.uint8)
    card[:, :] = BACKGROUND
    unit = max(1, min(width, height) // 12)
    thickness = max(1, unit // 3)
    centre_x, centre_y = width // 2, height // 2
    # the camera's body, its lens, and the viewfinder's bump on top
    body_left, body_right = centre_x - 3 * unit, centre_x + 3 * unit
    body_top, body_bottom = centre_y - 2 * unit, centre_y + 2 * unit
    cv2.rectangle(card, (body_left, body_top), (body_right, body_bottom), ICON, thickness, cv2.LINE_AA)
    cv2.circle(card, (centre_x, centre_y), int(1.3 * unit), ICON, thickness, cv2.LINE_AA)
    bump = np.array(
        [
            (centre_x - unit, body_top),
            (centre_x - unit // 2, body_top - unit),
            (centre_x + unit // 2, body_top - unit),
            (centre_x + unit, body_top),
        ],
        dtype=np.int32,
    )
    cv2.polylines(card, [bump], False, ICON, thickness, cv2.LINE_AA)
    # the stroke across it, corner to corner of the icon
    reach = 4 * unit
    cv2.line(
        card,
        (centre_x - reach, centre_y + reach),
        (centre_x + reach, centre_y - reach),
        STRIKE,
        thickness + 1,
        cv2.LINE_AA,
    )
    card.flags.writeable = False
    return card
