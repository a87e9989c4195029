"""A kiosk's side of one video-help call in a process of its own, so a test can read its CPU time from
/proc: it asks for help over the real bus, offers the aiortc peer the kiosk makes (video, sound and the
``help`` data channel), takes the agent's answer, and keeps receiving the agent's video until stopped.

    python -m tests.peers.calling_kiosk BROKER_URL DEVICE_ID CALL_ID [WIDTHxHEIGHT]

The picture is 640x480 unless given (a smaller one is cheaper when a test runs several calls at once).

Standard output, one line each: ``queued``, ``connected``, ``track video`` and ``track audio`` (each track
the agent's side sends), ``answered``, ``media`` (first frame from the agent), then ``frames N`` every 10
frames (often enough that a test sees the media go on within a second, even on a busy machine). SIGUSR1
makes the passenger hang up (``call/out hangup``, then ``hung up``), as the kiosk's button does.
"""

from __future__ import annotations

import asyncio
import signal
import sys

import numpy as np
from aiortc import MediaStreamTrack, VideoStreamTrack
from aiortc.mediastreams import MediaStreamError
from av import VideoFrame

from bus.messages.call import CallHangup, SdpOffer
from tests.peers.bus_device import BusDevice
from tests.peers.help_peer import HelpPeer


class PassengerPicture(VideoStreamTrack):
    """An orange picture with a bar moving across: the kiosk's side is told apart from the agent's camera
    (the browser's fake green one) in screenshots, and every frame differs, as a camera's do."""

    def __init__(self, width: int = 640, height: int = 480) -> None:
        super().__init__()
        self._picture = np.zeros((height, width, 3), dtype=np.uint8)
        self._picture[:, :] = (255, 140, 0)
        self._count = 0

    async def recv(self) -> VideoFrame:
        pts, time_base = await self.next_timestamp()
        picture = self._picture.copy()
        left = (self._count * 4) % picture.shape[1]
        picture[:, left : left + 16] = (20, 20, 60)
        self._count += 1
        frame = VideoFrame.from_ndarray(picture, format="rgb24")
        frame.pts, frame.time_base = pts, time_base
        return frame


async def _count(track: MediaStreamTrack) -> None:
    frames = 0
    while True:
        try:
            await track.recv()
        except MediaStreamError:
            return
        if track.kind != "video":
            continue
        frames += 1
        if frames == 1:
            print("media", flush=True)
        if frames % 10 == 0:
            print(f"frames {frames}", flush=True)


async def main(broker_url: str, device_id: str, call_id: str, size: str = "640x480") -> None:
    width, height = (int(side) for side in size.split("x"))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    tasks: set[asyncio.Task[None]] = set()
    async with BusDevice(broker_url, device_id) as kiosk:
        kiosk.request(call_id)
        await kiosk.expect("queued", call=call_id)
        print("queued", flush=True)
        await kiosk.expect("connect", call=call_id)
        print("connected", flush=True)
        peer = HelpPeer()
        video = next(sender for sender in peer.pc.getSenders() if sender.track and sender.track.kind == "video")
        video.replaceTrack(PassengerPicture(width, height))

        def on_track(track: MediaStreamTrack) -> None:
            print(f"track {track.kind}", flush=True)
            tasks.add(loop.create_task(_count(track)))

        peer.pc.on("track", on_track)
        try:
            kiosk.send(SdpOffer(call=call_id, sdp=await peer.offer()))
            answer = await kiosk.expect("answer", call=call_id)
            await peer.take_answer(answer["sdp"])
            print("answered", flush=True)

            def hang_up() -> None:
                kiosk.send(CallHangup(call=call_id))
                print("hung up", flush=True)

            loop.add_signal_handler(signal.SIGUSR1, hang_up)
            await stop.wait()
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await peer.pc.close()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5]))
