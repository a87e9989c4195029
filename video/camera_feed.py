"""What a call needs of the camera: subscribe, wait for the next picture, unsubscribe.

:class:`hardware.camera.CameraOwner` is one (on the loop it belongs to); a call on the media thread gets
:class:`video.media_thread.HomeCamera`, which reaches the owner on the screen's loop.
"""

from __future__ import annotations

from typing import Any, Protocol

from hardware.camera import Frame


class FrameFeed(Protocol):
    """One consumer's subscription: the next picture newer than the last one it returned."""

    async def next_frame(self) -> Frame:
        """Raises :class:`hardware.camera.SubscriptionClosed` once the subscription is given up."""
        ...


class CameraFeed(Protocol):
    def subscribe(self, name: str = "consumer") -> FrameFeed: ...

    def unsubscribe(self, subscription: Any) -> None:
        """Give up a subscription this camera made."""
