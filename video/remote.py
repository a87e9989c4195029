"""The agent's side of a call as the kiosk receives it: the newest decoded picture, how far behind the
pictures arrive, and the loss the agent's side reports. Used by :class:`video.session.CallSession`."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from aiortc import RTCPeerConnection
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av import VideoFrame


class ReceiveLag:
    """How much later than the freshest picture so far each one arrived, against when the agent took it
    (its RTP timestamp): the backlog the kiosk's receiving side has built, whatever its cause."""

    def __init__(self) -> None:
        self._floor_s: float | None = None
        self._behind_ms: float | None = None

    def note(self, frame: VideoFrame, now: float) -> None:
        if frame.pts is None or frame.time_base is None:
            return
        age_s = now - float(frame.pts * frame.time_base)
        self._floor_s = age_s if self._floor_s is None else min(self._floor_s, age_s)
        behind_ms = (age_s - self._floor_s) * 1000
        # the least of the period: a backlog makes every picture late, jitter only some
        self._behind_ms = behind_ms if self._behind_ms is None else min(self._behind_ms, behind_ms)

    def take(self) -> float | None:
        """The least lag since the last take (ms), or None without a picture; starts the next period."""
        behind_ms, self._behind_ms = self._behind_ms, None
        return behind_ms


async def video_loss(pc: RTCPeerConnection) -> float | None:
    """The share of video packets the far end lost, from its latest receiver report; None before one."""
    try:
        report = await pc.getStats()
    except Exception:  # a connection closing under us: no figure this time
        return None
    for stats in report.values():
        if getattr(stats, "type", "") == "remote-inbound-rtp" and getattr(stats, "kind", "") == "video":
            lost = getattr(stats, "fractionLost", None)  # RTCP's 8-bit fixed point, as aiortc passes it on
            return min(1.0, float(lost) / 256) if lost is not None else None
    return None


def newest(track: MediaStreamTrack, frame: Any) -> Any:
    """The newest picture already decoded, skipping older ones still queued behind ``frame``.

    aiortc queues every decoded picture without bound; a kiosk whose screen cannot show 30 a second (a
    small CPU, or a CPU quota) would otherwise show ever older pictures, and the agent's face would lag
    further behind their voice every second. Showing only the newest keeps the delay at one picture.
    """
    queue = getattr(track, "_queue", None)  # aiortc's RemoteStreamTrack keeps its decoded pictures here
    while isinstance(queue, asyncio.Queue) and not queue.empty():
        newer = queue.get_nowait()
        if newer is None:  # the track's end: the next recv() must still see it
            queue.put_nowait(None)
            break
        frame = newer
    return frame


QUALITY_MESSAGE = "quality"
"""The ``type`` of the help-channel message that tells the agent's console the call's quality and why."""


def quality_message(width: int, height: int, fps: float, limit: object, asked_limit: object) -> dict[str, Any]:
    """What the kiosk sends now (``width``x``height`` at ``fps``), what it asks for, and why, as the console
    shows them."""
    return {
        "type": QUALITY_MESSAGE,
        "width": width,
        "height": height,
        "fps": fps,
        "limit": str(limit),
        "asked_limit": str(asked_limit),
    }


async def drain(track: MediaStreamTrack, heard: Callable[[], None]) -> None:
    """Take a track's frames off as they come (nobody plays the agent's sound yet, but aiortc queues every
    decoded frame), calling ``heard`` for each, until the track ends."""
    while True:
        try:
            await track.recv()
        except MediaStreamError:
            return
        heard()
