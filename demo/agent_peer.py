"""A scripted far end for call tests: the switchboard and an agent's console, with a real aiortc peer.

It sits on the ``switchboard`` end of a :class:`video.signalling.MemorySignallingPair`. On a request it
answers ``queued`` (position 1) and ``connect``; on the offer it answers with real SDP (or, on purpose, a
broken one), sends its own moving picture and silence back, counts the kiosk's pictures, and can push over
the data channel, hang up, or vanish. Everything a test waits for is a condition with a timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import socket
import time
from collections.abc import Callable
from enum import Enum
from typing import Any

import cv2
import numpy as np
from aiortc import (
    AudioStreamTrack,
    MediaStreamTrack,
    RTCDataChannel,
    RTCPeerConnection,
    RTCSessionDescription,
    VideoStreamTrack,
)
from aiortc.mediastreams import MediaStreamError
from av import VideoFrame

from bus.messages.call import (
    Agent,
    CallCancel,
    CallHangup,
    CallIn,
    CallOut,
    CallRating,
    CallRequest,
    Connect,
    Ended,
    Push,
    PushKind,
    Queued,
    SdpAnswer,
    SdpOffer,
)
from hardware.camera import SyntheticSource
from video import clock_stamp
from video.peer import close_peer_connection
from video.signalling import MemoryEnd

AGENT = Agent(id="agent.chen", name="Chen Li")
_CANDIDATE = re.compile(r"^(a=candidate:\S+ \d+) udp (\d+) (\S+) (\d+) (.*)$", re.MULTILINE)


class AnswerMode(Enum):
    REAL = "real"
    """A working answer."""
    GARBAGE = "garbage"
    """Text that is no SDP at all."""
    UNREACHABLE = "unreachable"
    """A real answer whose candidates point at a closed loopback port: ICE checks go unanswered."""
    UNPAIRABLE = "unpairable"
    """A real answer whose candidates are TCP: nothing pairs with the kiosk's UDP candidates, ICE fails at once."""


def clock_ms() -> int:
    """The clock both ends of a call on one machine stamp into their pictures (video/clock_stamp.py)."""
    return time.monotonic_ns() // 1_000_000


class SyntheticVideoTrack(VideoStreamTrack):
    """The agent's camera: a moving pattern at 30 frames a second (aiortc's own pacing); with ``stamped``,
    the clock in each picture as it is taken, for one-way delay figures."""

    def __init__(self, width: int = 640, height: int = 480, stamped: bool = False) -> None:
        super().__init__()
        self._source = SyntheticSource(width, height)
        self._stamped = stamped
        self.size = (width, height)
        self.ticks_per_frame = 1
        """30 a second divided by the rate sent: 2 sends 15 a second."""

    def limit(self, max_width: int | None, max_height: int | None, max_fps: float | None) -> None:
        """What a browser's ``RTCRtpSender.setParameters`` does for the kiosk's picture requests: a smaller
        picture (scaled down, keeping its shape) and fewer frames; None lifts a limit."""
        width, height = self._source.width, self._source.height
        scale = min(1.0, (max_width or width) / width, (max_height or height) / height)
        self.size = (max(2, round(width * scale / 2) * 2), max(2, round(height * scale / 2) * 2))
        self.ticks_per_frame = max(1, round(30 / max_fps)) if max_fps else 1

    async def recv(self) -> VideoFrame:
        for _ in range(self.ticks_per_frame):
            pts, time_base = await self.next_timestamp()
        picture = self._source.read()
        if self._stamped:
            clock_stamp.stamp(picture, clock_ms())
        if self.size != (picture.shape[1], picture.shape[0]):
            picture = np.asarray(cv2.resize(picture, self.size, interpolation=cv2.INTER_AREA), dtype=np.uint8)
        frame = VideoFrame.from_ndarray(picture, format="bgr24")
        frame.pts, frame.time_base = pts, time_base
        return frame


class Waiters:
    """Futures waiting for conditions over some state; ``changed()`` resolves those that now hold."""

    def __init__(self) -> None:
        self._waiting: list[tuple[Callable[[], bool], asyncio.Future[None]]] = []

    def changed(self) -> None:
        still = []
        for condition, future in self._waiting:
            if future.done():
                continue
            if condition():
                future.set_result(None)
            else:
                still.append((condition, future))
        self._waiting = still

    async def until(self, condition: Callable[[], bool], timeout_s: float, what: str) -> None:
        if condition():
            return
        future = asyncio.get_running_loop().create_future()
        self._waiting.append((condition, future))
        try:
            async with asyncio.timeout(timeout_s):
                await future
        except TimeoutError:
            raise AssertionError(f"timed out after {timeout_s:g} s waiting for {what}") from None


def closed_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class AgentPeer:
    """The switchboard plus one agent, scripted. Use as ``async with AgentPeer(pair.switchboard) as agent``."""

    def __init__(
        self,
        end: MemoryEnd[CallIn, CallOut],
        *,
        answer: AnswerMode = AnswerMode.REAL,
        hold_connect: bool = False,
        eta_s: float | None = 30.0,
        width: int = 640,
        height: int = 480,
        stamped: bool = False,
    ) -> None:
        self.end = end
        self.stamped = stamped
        self.delays_ms: list[float] = []
        """With ``stamped``: the one-way delay of each kiosk picture whose clock stamp could be read."""
        self.answer_mode = answer
        self.eta_s = eta_s
        self.size = (width, height)
        self.received: list[CallOut] = []
        self.call_id: str | None = None
        self.pc: RTCPeerConnection | None = None
        self.channel: RTCDataChannel | None = None
        self.channel_messages: list[str] = []
        self.picture_requests: list[dict[str, Any]] = []
        """The kiosk's ``picture`` messages, applied to the agent's camera as they arrive."""
        self.video: SyntheticVideoTrack | None = None
        self.frames_received = 0
        self.last_frame_size: tuple[int, int] | None = None
        """Width and height of the latest picture decoded from the kiosk."""
        self.release_connect = asyncio.Event()
        if not hold_connect:
            self.release_connect.set()
        self._tracks: list[MediaStreamTrack] = []
        self._tasks: set[asyncio.Task[Any]] = set()
        self._waiters = Waiters()

    async def __aenter__(self) -> AgentPeer:
        self._spawn(self._run())
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # --- what tests wait for -----------------------------------------------------------------------------

    async def wait_for_message(self, kind: type[Any], timeout_s: float = 10.0) -> Any:
        await self._waiters.until(lambda: any(isinstance(m, kind) for m in self.received), timeout_s, kind.__name__)
        return next(m for m in self.received if isinstance(m, kind))

    async def wait_frames(self, count: int, timeout_s: float = 10.0) -> None:
        await self._waiters.until(lambda: self.frames_received >= count, timeout_s, f"{count} kiosk frames")

    async def wait_frame_size(self, size: tuple[int, int], timeout_s: float = 10.0) -> None:
        await self._waiters.until(lambda: self.last_frame_size == size, timeout_s, f"kiosk pictures of {size}")

    async def wait_channel_open(self, timeout_s: float = 10.0) -> None:
        await self._waiters.until(
            lambda: self.channel is not None and self.channel.readyState == "open", timeout_s, "the data channel"
        )

    async def wait_channel_message(self, timeout_s: float = 10.0) -> str:
        await self._waiters.until(lambda: bool(self.channel_messages), timeout_s, "a data channel message")
        return self.channel_messages[0]

    # --- what the agent does -----------------------------------------------------------------------------

    def push(self, kind: PushKind = PushKind.TEXT, text: str = "", url: str | None = None) -> None:
        assert self.call_id is not None
        self.push_raw(Push(call=self.call_id, kind=kind, text=text, url=url).model_dump_json())

    def push_raw(self, text: str) -> None:
        assert self.channel is not None and self.channel.readyState == "open", "the data channel is not open"
        self.channel.send(text)

    async def hang_up(self, reason: str = "agent", requeue_offered: bool = False) -> None:
        """The agent ends the call: the console closes its connection, the switchboard tells the kiosk."""
        await self._close_pc()
        assert self.call_id is not None
        await self.end.send(Ended(call=self.call_id, reason=reason, requeue_offered=requeue_offered))

    async def vanish(self) -> None:
        """The agent's browser is gone and the switchboard has not noticed: media stops, no message follows."""
        await self._close_pc()

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._close_pc()

    # --- the script ----------------------------------------------------------------------------------------

    async def _run(self) -> None:
        while True:
            message = await self.end.receive()
            self.received.append(message)
            self._waiters.changed()
            if isinstance(message, CallRequest):
                self.call_id = message.call
                await self.end.send(Queued(call=message.call, position=1, eta_s=self.eta_s))
                self._spawn(self._connect_when_released(message.call))
            elif isinstance(message, SdpOffer):
                await self._answer(message)
            elif isinstance(message, (CallHangup, CallCancel)):
                await self._close_pc()
                reason = message.reason if isinstance(message, CallHangup) else "caller"
                await self.end.send(Ended(call=message.call, reason=reason))
            elif isinstance(message, CallRating):
                pass  # kept in `received`

    async def _connect_when_released(self, call_id: str) -> None:
        await self.release_connect.wait()
        await self.end.send(Connect(call=call_id, agent=AGENT, ice_servers=[]))

    async def _answer(self, offer: SdpOffer) -> None:
        if self.answer_mode is AnswerMode.GARBAGE:
            await self.end.send(SdpAnswer(call=offer.call, sdp="this is not a session description"))
            return
        pc = RTCPeerConnection()
        self.pc = pc
        pc.on("track", self._on_track)
        pc.on("datachannel", self._on_datachannel)
        await pc.setRemoteDescription(RTCSessionDescription(sdp=offer.sdp, type="offer"))
        video, audio = SyntheticVideoTrack(*self.size, stamped=self.stamped), AudioStreamTrack()
        self._tracks += [video, audio]
        self.video = video
        for transceiver in pc.getTransceivers():
            if transceiver.kind == "video":
                transceiver.sender.replaceTrack(video)
                transceiver.direction = "sendrecv"
            elif transceiver.kind == "audio":
                transceiver.sender.replaceTrack(audio)
                transceiver.direction = "sendrecv"
        await pc.setLocalDescription(await pc.createAnswer())
        sdp = pc.localDescription.sdp
        if self.answer_mode is AnswerMode.UNREACHABLE:
            # our own checks towards the kiosk would teach it a working (peer-reflexive) address: stay silent
            await self._close_pc()
            port = closed_udp_port()
            sdp = _CANDIDATE.sub(rf"\1 udp \2 127.0.0.1 {port} \5", sdp)
        elif self.answer_mode is AnswerMode.UNPAIRABLE:
            await self._close_pc()
            sdp = _CANDIDATE.sub(r"\1 tcp \2 \3 \4 \5 tcptype passive", sdp)
        await self.end.send(SdpAnswer(call=offer.call, sdp=sdp))

    def _on_track(self, track: MediaStreamTrack) -> None:
        self._spawn(self._count_frames(track) if track.kind == "video" else self._drain(track))

    def _on_datachannel(self, channel: RTCDataChannel) -> None:
        self.channel = channel
        channel.on("message", self._on_channel_message)
        channel.on("open", self._waiters.changed)
        self._waiters.changed()

    def _on_channel_message(self, data: str | bytes) -> None:
        text = data if isinstance(data, str) else data.decode()
        self.channel_messages.append(text)
        with contextlib.suppress(ValueError, AttributeError):
            message = json.loads(text)
            if message.get("type") == "picture":
                self.picture_requests.append(message)
                if self.video is not None:
                    self.video.limit(message.get("max_width"), message.get("max_height"), message.get("max_fps"))
        self._waiters.changed()

    async def _count_frames(self, track: MediaStreamTrack) -> None:
        with contextlib.suppress(MediaStreamError):
            while True:
                frame = await track.recv()
                if isinstance(frame, VideoFrame):
                    self.last_frame_size = (frame.width, frame.height)
                    if self.stamped:
                        luma = np.asarray(frame.to_ndarray(format="gray"), dtype=np.uint8)
                        delay = clock_stamp.delay_ms(luma, clock_ms())
                        if delay is not None:
                            self.delays_ms.append(delay)
                self.frames_received += 1
                self._waiters.changed()

    async def _drain(self, track: MediaStreamTrack) -> None:
        with contextlib.suppress(MediaStreamError):
            while True:
                await track.recv()

    async def _close_pc(self) -> None:
        pc, self.pc = self.pc, None
        if pc is not None:
            await close_peer_connection(pc)
        for track in self._tracks:
            track.stop()
        self._tracks.clear()

    def _spawn(self, work: Any) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
