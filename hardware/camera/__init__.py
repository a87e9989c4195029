"""The camera: one owner reads a frame source in a worker thread and fans frames out to consumers.

Sources: :class:`SyntheticSource` (a moving test pattern) and :class:`FileSource` (a video file); a real
device is one more class with ``read()`` and ``close()``.
"""

from hardware.camera.owner import CameraOwner, CameraSubscription, SubscriptionClosed
from hardware.camera.sources import FileSource, Frame, FrameSource, SourceUnavailable, SyntheticSource

__all__ = [
    "CameraOwner",
    "CameraSubscription",
    "FileSource",
    "Frame",
    "FrameSource",
    "SourceUnavailable",
    "SubscriptionClosed",
    "SyntheticSource",
]
