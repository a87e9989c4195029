"""A kiosk's side of one video-help call in a process of its own, so a test can read its CPU time from
/proc: it asks for help over the real bus, offers the aiortc peer the kiosk makes (video, sound and the
``help`` data channel), takes the agent's answer, and keeps receiving the agent's video until stopped.

    python -m tests.peers.calling_kiosk BROKER_URL DEVICE_ID CALL_ID

Standard output, one line each: ``queued``, ``connected``, ``answered``, ``media`` (first frame from the
agent), then ``frames N`` every 50 frames.
"""

from __future__ import annotations

import asyncio
import signal
import sys

from aiortc import MediaStreamTrack
from aiortc.mediastreams import MediaStreamError

from bus.messages.call import SdpOffer
from tests.peers.bus_device import BusDevice
from tests.peers.help_peer import HelpPeer


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
        if frames % 50 == 0:
            print(f"frames {frames}", flush=True)


async def main(broker_url: str, device_id: str, call_id: str) -> None:
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
        peer.pc.on("track", lambda track: tasks.add(loop.create_task(_count(track))))
        try:
            kiosk.send(SdpOffer(call=call_id, sdp=await peer.offer()))
            answer = await kiosk.expect("answer", call=call_id)
            await peer.take_answer(answer["sdp"])
            print("answered", flush=True)
            await stop.wait()
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await peer.pc.close()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
