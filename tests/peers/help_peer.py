"""The passenger's side of a video-help call as the kiosk makes it, in aiortc: an offer with video, sound
and the ``help`` data channel, which keeps every push the agent sends over it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from aiortc import AudioStreamTrack, RTCPeerConnection, RTCSessionDescription, VideoStreamTrack

from tests.peers.central import WAIT_S


class HelpPeer:
    """Offers a call and keeps the agent's pushes (as the JSON text they arrived as)."""

    def __init__(self) -> None:
        self.pc = RTCPeerConnection()
        self.pushes: list[str] = []
        self._changed = asyncio.Condition()
        self.channel = self.pc.createDataChannel("help")
        self.channel.on("message", self._on_message)
        self.channel.on("open", self._notify)
        self.pc.addTrack(VideoStreamTrack())
        self.pc.addTrack(AudioStreamTrack())
        self._tasks: set[asyncio.Task[None]] = set()

    async def offer(self) -> str:
        await self.pc.setLocalDescription(await self.pc.createOffer())
        return str(self.pc.localDescription.sdp)

    async def take_answer(self, sdp: str) -> None:
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="answer"))

    async def until(self, condition: Callable[[], bool], what: str) -> None:
        try:
            async with asyncio.timeout(WAIT_S), self._changed:
                await self._changed.wait_for(condition)
        except TimeoutError:
            raise AssertionError(f"timed out waiting for {what}") from None

    def _on_message(self, message: str | bytes) -> None:
        self.pushes.append(message if isinstance(message, str) else message.decode())
        task = asyncio.get_running_loop().create_task(self._notify())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def close(self) -> None:
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.pc.close()
