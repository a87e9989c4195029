"""The agent's encoded pictures waiting for the kiosk's decoder, kept short: skip to a keyframe rather than
decode a backlog.

aiortc hands every complete encoded frame to its decoder thread through an unbounded ``queue.Queue``. A
kiosk whose CPU cannot decode the agent's 640x480 at 30 frames a second then decodes every queued frame in
turn, each older than the last one shown, and the agent's face drifts seconds behind their voice. Video
frames cannot simply be dropped (each depends on the one before it, until the next keyframe), so when more
than ``max_backlog`` frames wait, this queue drops them all, asks the sender for a keyframe (an RTCP PLI, as
for a lost picture) and passes nothing on until one arrives; a keyframe that arrives while older frames
wait replaces them. The decoder then starts again from a fresh picture.

It also measures what the decoder spends per frame (the time between taking a frame and asking for the
next), the kiosk's measure of whether it keeps up with the pictures it receives.
"""

from __future__ import annotations

import queue
import time
from collections.abc import Callable
from typing import Any

DEFAULT_MAX_BACKLOG = 3
"""Frames allowed to wait: 100 ms at 30 a second, the delay a conversation can spare for smoothness."""


def is_keyframe(codec_name: str, data: bytes) -> bool:
    """Whether an encoded frame (as aiortc depayloads it) can be decoded without the frames before it."""
    if not data:
        return False
    if codec_name == "VP8":
        return data[0] & 0x01 == 0  # RFC 6386 9.1: the frame tag's first bit is 0 for a key frame
    if codec_name == "H264":
        return any(_nal_type(data, start) in (5, 7) for start in _nal_starts(data))  # IDR slice or SPS
    return True  # a codec this does not know: never withhold its frames


def _nal_starts(data: bytes) -> list[int]:
    starts, at = [], data.find(b"\x00\x00\x01")
    while at != -1:
        starts.append(at + 3)
        at = data.find(b"\x00\x00\x01", at + 3)
    return starts


def _nal_type(data: bytes, start: int) -> int:
    return data[start] & 0x1F if start < len(data) else -1


class FreshFrames(queue.Queue[Any]):
    """A drop-in for aiortc's decoder queue: items are ``(codec, encoded_frame)`` or ``None`` (stop).

    ``want_keyframe`` is called (on the thread that puts, aiortc's event loop) when the backlog is dropped and
    for every frame skipped while waiting for the keyframe; the caller decides how often to really ask.
    Counters are read from the loop; they are plain ints, each written by one thread only.
    """

    def __init__(self, want_keyframe: Callable[[], None], max_backlog: int = DEFAULT_MAX_BACKLOG) -> None:
        super().__init__()
        if max_backlog < 1:
            raise ValueError("max_backlog must be at least 1")
        self.max_backlog = max_backlog
        self._want_keyframe = want_keyframe
        self._awaiting_keyframe = False
        self.frames_in = 0
        """Encoded frames handed to the queue."""
        self.frames_skipped = 0
        """Frames dropped unseen: a backlog, or deltas while waiting for a keyframe."""
        self.decode_ms: float | None = None
        """The decoder's time per frame (decoding and handing the picture on), smoothed; None before two frames."""
        self._taken_at: float | None = None

    # queue.Queue calls these with its lock held

    def _put(self, item: Any) -> None:
        if item is None:  # the receiver stopping: always delivered
            self.queue.append(item)
            return
        self.frames_in += 1
        codec, frame = item
        key = is_keyframe(codec.name, frame.data)
        if key:
            self._awaiting_keyframe = False
            self._skip_waiting()
        elif self._awaiting_keyframe:
            self.frames_skipped += 1
            self._want_keyframe()  # again: the request or its keyframe may have been lost (the caller paces these)
            return
        self.queue.append(item)
        if len(self.queue) > self.max_backlog:
            self._skip_waiting()
            self._awaiting_keyframe = True
            self._want_keyframe()

    def get(self, block: bool = True, timeout: float | None = None) -> Any:
        """Called by the decoder thread only: the time since it took the last frame is what that frame cost
        it (decoding, converting, handing on), measured before it waits for the next one."""
        if self._taken_at is not None:
            work_ms = (time.monotonic() - self._taken_at) * 1000
            self.decode_ms = work_ms if self.decode_ms is None else 0.8 * self.decode_ms + 0.2 * work_ms
            self._taken_at = None
        item = super().get(block, timeout)
        self._taken_at = time.monotonic()
        return item

    def _skip_waiting(self) -> None:
        kept = [item for item in self.queue if item is None]
        self.frames_skipped += len(self.queue) - len(kept)
        self.queue.clear()
        self.queue.extend(kept)
