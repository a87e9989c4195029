"""The kiosk's receiving side of a call: aiortc's video receiver given a short decoder queue.

aiortc has no setting for its decoder queue, so :func:`keep_fresh` replaces the receiver's queue object
before the receiver starts its decoder thread (which happens when the answer is applied); a newer aiortc
that renamed it is noticed here and the call goes on with aiortc's own queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue

from aiortc import RTCRtpReceiver

from video.decode_queue import DEFAULT_MAX_BACKLOG, FreshFrames

log = logging.getLogger(__name__)

_QUEUE_ATTRIBUTE = "_RTCRtpReceiver__decoder_queue"  # aiortc 1.x's name-mangled private attribute
KEYFRAME_EVERY_S = 1.0
"""At most one keyframe request a second: a keyframe is several times a delta frame's size, and a kiosk
that asked for one at every backlog would bury itself (and the path) in keyframes."""


def keep_fresh(receiver: RTCRtpReceiver, max_backlog: int = DEFAULT_MAX_BACKLOG) -> FreshFrames | None:
    """Give ``receiver`` a :class:`FreshFrames` queue; None (and a warning) when this aiortc has no such queue."""
    if not isinstance(getattr(receiver, _QUEUE_ATTRIBUTE, None), queue.Queue):
        log.warning("this aiortc keeps no decoder queue where expected: the agent's pictures are not kept fresh")
        return None
    loop = asyncio.get_running_loop()
    pending: set[asyncio.Task[None]] = set()
    asked_at = -KEYFRAME_EVERY_S

    def want_keyframe() -> None:
        nonlocal asked_at
        if pending or loop.time() - asked_at < KEYFRAME_EVERY_S:
            return
        asked_at = loop.time()
        task = loop.create_task(_ask_for_keyframe(receiver))
        pending.add(task)
        task.add_done_callback(pending.discard)

    fresh = FreshFrames(want_keyframe, max_backlog)
    setattr(receiver, _QUEUE_ATTRIBUTE, fresh)
    return fresh


async def _ask_for_keyframe(receiver: RTCRtpReceiver) -> None:
    """An RTCP picture loss indication to every source heard lately (there is one: the agent's camera)."""
    for source in receiver.getSynchronizationSources():
        with contextlib.suppress(ConnectionError, AttributeError):  # a transport closing under us: nothing to ask
            await receiver._send_rtcp_pli(source.source)
