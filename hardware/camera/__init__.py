"""The camera: one owner reads a frame source in a worker thread and fans frames out to consumers.

Sources: :class:`SyntheticSource` (a moving test pattern), :class:`FileSource` (a video file),
:class:`UvcCamera` (a USB camera) and :class:`CsiCamera` (a Raspberry Pi CSI camera, through picamera2);
:func:`open_source` picks one from ``[video] camera``.
"""

from hardware.camera.owner import CameraOwner, CameraSubscription, SubscriptionClosed
from hardware.camera.sources import (
    CsiCamera,
    FileSource,
    Frame,
    FrameSource,
    SourceUnavailable,
    SyntheticSource,
    UvcCamera,
    open_source,
)

__all__ = [
    "CameraOwner",
    "CameraSubscription",
    "CsiCamera",
    "FileSource",
    "Frame",
    "FrameSource",
    "SourceUnavailable",
    "SubscriptionClosed",
    "SyntheticSource",
    "UvcCamera",
    "open_source",
]
