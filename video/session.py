"""One passenger's video call: the request, the queue wait, the peer connection, hang-up and rating.

The session is a small state machine (:class:`SessionPhase`) driven by signalling messages, the peer
connection's state and its own timers. It never touches Qt: the kiosk observes it through plain callables
that are called on the asyncio loop. Who sends what, and when, is in ``docs/calls.md``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections.abc import Callable, Coroutine, Sequence
from datetime import UTC, datetime
from typing import Any

from aiortc import (
    MediaStreamTrack,
    RTCConfiguration,
    RTCDataChannel,
    RTCIceServer,
    RTCPeerConnection,
    RTCSessionDescription,
)
from aiortc.mediastreams import MediaStreamError
from av import VideoFrame

from bus import codec
from bus.codec import MalformedLog, MalformedMessage
from bus.messages.call import (
    Agent,
    CallCancel,
    CallContext,
    CallHangup,
    CallIn,
    CallOut,
    CallRating,
    CallRequest,
    Connect,
    Ended,
    Hold,
    Push,
    Queued,
    Resume,
    SdpAnswer,
    SdpOffer,
    Transfer,
)
from bus.topics import TopicKind
from video.adaptation import Adaptation, Decision, Limit, Measured, ladder_from
from video.allocator import return_freed_memory
from video.call_state import EndReason, SessionPhase
from video.camera_feed import CameraFeed, FrameFeed
from video.decode_queue import FreshFrames
from video.encoder import use_best_h264_encoder
from video.peer import close_peer_connection, codec_preferences, negotiated_video_codec
from video.receive_adaptation import ReceiveAdaptation, Received
from video.receiver import keep_fresh
from video.remote import ReceiveLag, drain, newest, quality_message, video_loss
from video.settings import VideoSection
from video.signalling import Signalling, SignallingUnavailable
from video.tracks import CameraVideoTrack, local_audio_track

log = logging.getLogger(__name__)

DATA_CHANNEL = "help"
CONTEXT_MESSAGE = "context"
MAX_CALL_ID_CHARS = 64


_NEXT_PHASES: dict[SessionPhase, frozenset[SessionPhase]] = {
    SessionPhase.IDLE: frozenset({SessionPhase.REQUESTING, SessionPhase.ENDED}),
    SessionPhase.REQUESTING: frozenset({SessionPhase.WAITING, SessionPhase.CONNECTING, SessionPhase.ENDED}),
    SessionPhase.WAITING: frozenset({SessionPhase.WAITING, SessionPhase.CONNECTING, SessionPhase.ENDED}),
    # back to WAITING: the agent passed the call on (``transfer``); the next agent's ``connect`` follows
    SessionPhase.CONNECTING: frozenset({SessionPhase.IN_CALL, SessionPhase.WAITING, SessionPhase.ENDED}),
    SessionPhase.IN_CALL: frozenset({SessionPhase.WAITING, SessionPhase.ENDED}),
    SessionPhase.ENDED: frozenset(),
}

_BEFORE_AGENT = (SessionPhase.REQUESTING, SessionPhase.WAITING)
_WITH_AGENT = (SessionPhase.CONNECTING, SessionPhase.IN_CALL)


def new_call_id(device_id: str) -> str:
    """A call id that names its device and time and cannot be guessed: ``{device}-{yyyymmdd-hhmmss}-{12 hex}``
    (48 random bits: the id is what a kiosk checks every incoming signalling message against)."""
    suffix = f"-{datetime.now(UTC):%Y%m%d-%H%M%S}-{secrets.token_hex(6)}"
    return device_id[: MAX_CALL_ID_CHARS - len(suffix)] + suffix


def _ignore(*_args: object) -> None:
    pass


class CallSession:
    """One passenger call, used once: ``start``, then ``cancel`` or ``hangup`` (or the far end ends it), then
    optionally ``rate``.

    Observers are plain callables, called on the asyncio loop, each in its own ``try`` (a failing observer is
    logged and does not disturb the call):

    - ``on_phase(phase)`` at every phase change;
    - ``on_queue(position, eta_s)`` for every ``queued`` (``eta_s`` None when nobody is staffed);
    - ``on_agent(agent)`` when an agent accepts (its id and display name);
    - ``on_remote_video(frame)`` for every decoded picture of the agent (an ``av.VideoFrame``, yuv420p);
    - ``on_push(push)`` for every valid push, from the data channel or the bus;
    - ``on_quality(decision)`` when the picture sent changes because this kiosk's CPU or the network cannot
      keep up, or can again (``[video] adapt``; see video/adaptation.py);
    - ``on_transfer()`` when the agent passed the call on: the peer connection to them is closed, the phase
      is ``waiting`` again (the camera stays subscribed), and the next agent's ``connect`` makes a new one;
    - ``on_hold(held)`` when the agent consults a colleague (``hold``: True) and when they are back
      (``resume``: False); the connection stays, and the agent's console holds its side of the media;
    - ``on_ended(reason, requeue_offered)`` once, after the peer connection is closed, the local tracks are
      stopped, the camera subscription is released and the session's tasks have ended.
    """

    def __init__(
        self,
        signalling: Signalling,
        camera: CameraFeed,
        settings: VideoSection,
        context: CallContext,
        *,
        call_id: str | None = None,
    ) -> None:
        self.call_id = call_id or secrets.token_hex(8)
        use_best_h264_encoder()  # the board's hardware H.264 encoder where it has one (once per process)
        self._signalling = signalling
        self._camera = camera
        self._settings = settings
        self._context = context
        self.on_phase: Callable[[SessionPhase], None] = _ignore
        self.on_queue: Callable[[int, float | None], None] = _ignore
        self.on_agent: Callable[[Agent], None] = _ignore
        self.on_remote_video: Callable[[VideoFrame], None] = _ignore
        self.on_push: Callable[[Push], None] = _ignore
        self.on_quality: Callable[[Decision], None] = _ignore
        self.on_ended: Callable[[str, bool], None] = _ignore
        self.on_transfer: Callable[[], None] = _ignore
        self.on_hold: Callable[[bool], None] = _ignore
        self._passed_on = False
        """An agent passed the call on: it was answered, so leaving it now is a hang-up, not a cancel."""
        self._signalling_task: asyncio.Task[None] | None = None
        self._passing: asyncio.Task[None] | None = None
        self._phase = SessionPhase.IDLE
        self._agent: Agent | None = None
        self._codec: str | None = None
        self._end_reason: str | None = None
        self._requeue_offered = False
        self._rated = False
        self._tasks: set[asyncio.Task[None]] = set()
        self._closing: asyncio.Task[None] | None = None
        self._ended = asyncio.Event()
        self._pc: RTCPeerConnection | None = None
        self._channel: RTCDataChannel | None = None
        self._subscription: FrameFeed | None = None
        self._local_tracks: list[MediaStreamTrack] = []
        self._offer_sent = False
        self._answer_taken = False
        self._connect_timer: asyncio.TimerHandle | None = None
        self._last_media_at = 0.0
        self._bad_pushes = MalformedLog(log)
        self.remote_frames = 0
        """Pictures of the agent decoded so far."""
        self.adaptation = Adaptation(ladder_from(settings.width, settings.height, settings.fps), enabled=settings.adapt)
        self.receive_adaptation = ReceiveAdaptation(self.adaptation.ladder, enabled=settings.adapt)
        """What the kiosk asks the agent to send when it cannot decode and draw the agent's picture."""
        self.fresh_frames: FreshFrames | None = None
        """The agent's encoded pictures waiting for the decoder (with ``[video] adapt``), and its counters."""
        self._skipped_seen = 0
        self._lag = ReceiveLag()
        self._video: CameraVideoTrack | None = None

    # --- what the kiosk reads --------------------------------------------------------------------------

    @property
    def sending(self) -> tuple[int, int, float] | None:
        """The picture the call sends now (width, height, frames per second); None before the offer."""
        return None if self._video is None else self._video.picture

    @property
    def frame_work_ms(self) -> float | None:
        """What the sender spends per frame now, smoothed (see CameraVideoTrack.work_ms)."""
        return None if self._video is None else self._video.work_ms

    @property
    def phase(self) -> SessionPhase:
        return self._phase

    @property
    def agent(self) -> Agent | None:
        return self._agent

    @property
    def end_reason(self) -> str | None:
        return self._end_reason

    @property
    def requeue_offered(self) -> bool:
        return self._requeue_offered

    @property
    def video_codec(self) -> str | None:
        """The video codec the answer chose (e.g. ``VP8``, ``H264``), once it is applied."""
        return self._codec

    # --- what the kiosk does ---------------------------------------------------------------------------

    async def start(self, language: str, skills: Sequence[str] = ()) -> None:
        """Ask for an agent. Returns once the request is sent (or the call has ended because it could not be)."""
        if self._phase is not SessionPhase.IDLE:
            raise RuntimeError(f"call {self.call_id} was started already: a session is used once")
        # built first, so that an invalid language or skill raises here and nothing is sent
        request = CallRequest(call=self.call_id, language=language, skills=list(skills), context=self._context)
        self._set_phase(SessionPhase.REQUESTING, f"language {language}, skills {list(skills)}")
        self._signalling_task = self._spawn(self._receive_signalling(), "signalling")
        try:
            await self._signalling.send(request)
        except SignallingUnavailable as exc:
            await asyncio.shield(self._end(EndReason.FAILED, f"request not sent: {exc}"))

    async def cancel(self) -> None:
        """Give up: before an agent accepted this sends ``cancel``, afterwards it is :meth:`hangup`."""
        await self._leave()

    async def hangup(self) -> None:
        """End the call from the passenger's side; returns when everything it held is released."""
        await self._leave()

    async def rate(self, stars: int, answered: bool | None = None) -> None:
        """Send the passenger's rating (1-5 stars, and whether their question was answered), once, after the end."""
        if self._phase is not SessionPhase.ENDED:
            raise RuntimeError(f"call {self.call_id} is {self._phase}: rate it after it ended")
        if self._rated:
            raise RuntimeError(f"call {self.call_id} is rated already")
        rating = CallRating(call=self.call_id, stars=stars, answered=answered)
        self._rated = True
        await self._signalling.send(rating)

    def update_context(self, context: CallContext) -> None:
        """Tell the agent what the passenger is looking at now (over the data channel, once it is open)."""
        self._context = context
        self._send_context()

    async def wait_ended(self) -> str:
        """Wait until the call has ended and released everything; the end reason."""
        await self._ended.wait()
        assert self._end_reason is not None
        return self._end_reason

    # --- signalling ------------------------------------------------------------------------------------

    async def _receive_signalling(self) -> None:
        while True:
            message = await self._signalling.receive()
            if message.call != self.call_id:
                log.debug("call %s: ignoring %s of call %s", self.call_id, message.type, message.call)
                continue
            try:
                self._on_signal(message)
            except Exception as exc:  # a bug here must end the call, not leave it hanging
                log.exception("call %s: handling %s failed", self.call_id, message.type)
                self._end(EndReason.FAILED, f"handling {message.type} failed: {exc}", tell_failed=True)

    def _on_signal(self, message: CallIn) -> None:
        phase = self._phase
        if isinstance(message, Ended):
            self._end(message.reason or "unknown", "the switchboard ended the call", requeue=message.requeue_offered)
        elif isinstance(message, Queued) and phase in _BEFORE_AGENT:
            self._set_phase(SessionPhase.WAITING, f"position {message.position}, eta {message.eta_s} s")
            self._notify(self.on_queue, message.position, message.eta_s)
        elif isinstance(message, Connect) and phase in _BEFORE_AGENT:
            self._agent = message.agent
            self._set_phase(SessionPhase.CONNECTING, f"agent {message.agent.id}")
            self._connect_timer = asyncio.get_running_loop().call_later(
                self._settings.connect_timeout_s, self._connect_timed_out
            )
            self._notify(self.on_agent, message.agent)
            self._spawn(self._make_offer(message), "offer")
        elif isinstance(message, SdpAnswer) and phase in _WITH_AGENT and self._offer_sent and not self._answer_taken:
            self._answer_taken = True
            self._spawn(self._take_answer(message.sdp), "answer")
        elif isinstance(message, Push) and phase in _WITH_AGENT:
            self._notify(self.on_push, message)
        elif isinstance(message, Transfer) and phase in _WITH_AGENT:
            self._pass_on()
        elif isinstance(message, (Hold, Resume)) and phase in _WITH_AGENT:
            self._notify(self.on_hold, isinstance(message, Hold))
        else:
            # late queue updates and repeated answers are normal races; an offer to the kiosk is not in the design
            level = logging.WARNING if isinstance(message, SdpOffer) else logging.DEBUG
            log.log(level, "call %s: ignoring %s while %s", self.call_id, message.type, phase)

    async def _send(self, message: CallOut) -> None:
        await self._signalling.send(message)

    # --- the peer connection ---------------------------------------------------------------------------

    def _pass_on(self) -> None:
        """The agent passed the call on: close the connection to them, keep the call and the camera."""
        self._passed_on = True
        self._cancel_connect_timer()
        for task in self._tasks - {self._signalling_task, self._passing}:  # media, watchdog, adaptation, offer
            task.cancel()
        pc, self._pc, self._channel = self._pc, None, None
        tracks, self._local_tracks, self._video = list(self._local_tracks), [], None
        self._offer_sent = self._answer_taken = False
        self._set_phase(SessionPhase.WAITING, "the agent passed the call on")
        self._passing = self._spawn(self._close_leg(pc, tracks), "leg close")
        self._notify(self.on_transfer)

    async def _close_leg(self, pc: RTCPeerConnection | None, tracks: list[MediaStreamTrack]) -> None:
        for track in tracks:
            track.stop()
        if pc is not None:
            try:
                await close_peer_connection(pc)
            except Exception:  # the call goes on whatever closing the old connection does
                log.exception("call %s: closing the passed-on connection failed", self.call_id)

    async def _make_offer(self, connect: Connect) -> None:
        if self._passing is not None:  # the last leg's connection first: one at a time
            await asyncio.shield(self._passing)
            self._passing = None
        try:
            pc = RTCPeerConnection(
                RTCConfiguration(
                    iceServers=[
                        RTCIceServer(urls=list(s.urls), username=s.username, credential=s.credential)
                        for s in connect.ice_servers
                    ]
                )
            )
            self._pc = pc
            pc.on("connectionstatechange", self._on_connection_state)
            pc.on("track", self._on_remote_track)
            if self._subscription is None:  # kept across legs: the camera does not restart for a new agent
                self._subscription = self._camera.subscribe(f"call {self.call_id}")
            settings = self._settings
            video = CameraVideoTrack(self._subscription, settings.width, settings.height, settings.fps)
            self._video = video
            self._local_tracks.append(video)
            audio = await local_audio_track(settings)
            self._local_tracks.append(audio)
            video_transceiver = pc.addTransceiver(video, direction="sendrecv")
            video_transceiver.setCodecPreferences(codec_preferences(settings.codec))
            if settings.adapt:  # off, the session decodes every frame as aiortc queues it (the bench's baseline)
                self.fresh_frames = keep_fresh(video_transceiver.receiver)
            pc.addTransceiver(audio, direction="sendrecv")
            channel = pc.createDataChannel(DATA_CHANNEL)
            self._channel = channel
            channel.on("open", self._send_context)
            channel.on("message", self._on_channel_message)
            # aiortc gathers every candidate here (it does not trickle): the offer is complete
            await pc.setLocalDescription(await pc.createOffer())
            await self._send(SdpOffer(call=self.call_id, sdp=pc.localDescription.sdp))
        except (SignallingUnavailable, OSError) as exc:  # other errors end the call through _task_done
            self._end(EndReason.FAILED, f"offer not made: {exc}", tell_failed=True)
            return
        self._offer_sent = True

    async def _take_answer(self, sdp: str) -> None:
        pc = self._pc
        assert pc is not None
        try:
            await pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="answer"))
        except Exception as exc:  # aiortc raises many kinds of error for an SDP it cannot parse or apply
            self._end(EndReason.FAILED, f"answer not usable: {type(exc).__name__}: {exc}", tell_failed=True)
            return
        self._codec = negotiated_video_codec(sdp)
        log.info("call %s: answer applied, video codec %s", self.call_id, self._codec)

    def _on_connection_state(self) -> None:
        pc = self._pc
        if pc is None or self._phase is SessionPhase.ENDED:
            return
        state = pc.connectionState
        log.info("call %s: connection %s", self.call_id, state)
        if state == "connected" and self._phase is SessionPhase.CONNECTING:
            self._cancel_connect_timer()
            self._last_media_at = asyncio.get_running_loop().time()
            self._set_phase(SessionPhase.IN_CALL, f"video {self._codec}")
            self._spawn(self._watch_media(), "media watchdog")
            if self.adaptation.enabled:
                self._spawn(self._adapt(), "picture adaptation")
        elif state == "failed":
            self._end(EndReason.FAILED, "connection failed (ICE or DTLS)", tell_failed=True)
        # "closed" without our doing: the agent's side closed; its `ended` or the media watchdog follows

    def _on_remote_track(self, track: MediaStreamTrack) -> None:
        if self._phase is SessionPhase.ENDED:
            return
        if track.kind == "video":
            self._spawn(self._show_remote_video(track), "remote video")
        else:
            # nobody plays the agent's sound yet, but aiortc queues every decoded frame: take them off
            loop = asyncio.get_running_loop()
            self._spawn(drain(track, lambda: setattr(self, "_last_media_at", loop.time())), f"remote {track.kind}")

    async def _show_remote_video(self, track: MediaStreamTrack) -> None:
        loop = asyncio.get_running_loop()
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            self._last_media_at = loop.time()
            frame = newest(track, frame)
            if isinstance(frame, VideoFrame):
                self._lag.note(frame, loop.time())
                self.remote_frames += 1
                self._notify(self.on_remote_video, frame)

    async def _watch_media(self) -> None:
        loop = asyncio.get_running_loop()
        limit_s = self._settings.media_timeout_s
        while True:
            await asyncio.sleep(min(1.0, limit_s / 4))
            silent_s = loop.time() - self._last_media_at
            if silent_s > limit_s:
                self._end(EndReason.FAILED, f"no media for {silent_s:.1f} s", tell_failed=True)
                return

    ADAPT_EVERY_S = 0.5

    async def _adapt(self) -> None:
        """Every half second: what the sender spends per frame and the loss the agent's side reports, to the
        adaptation, and the picture it chooses to the camera track."""
        loop = asyncio.get_running_loop()
        video, pc = self._video, self._pc
        assert video is not None and pc is not None
        while True:
            due = loop.time() + self.ADAPT_EVERY_S
            await asyncio.sleep(self.ADAPT_EVERY_S)
            late_ms = max(0.0, (loop.time() - due) * 1000)
            measured = Measured(at=loop.time(), encode_ms=video.work_ms, loss=await video_loss(pc))
            decision = self.adaptation.observe(measured)
            if decision.changed:
                rung = decision.rung
                video.set_picture(rung.width, rung.height, rung.fps)
                why = f" ({decision.limit})" if decision.limit else ""
                log.info("call %s: sending %s%s", self.call_id, rung, why)
                self._send_quality()
                self._notify(self.on_quality, decision)
            self._adapt_receiving(loop.time(), late_ms)

    def _adapt_receiving(self, now: float, loop_late_ms: float) -> None:
        """Ask the agent for a smaller picture while this kiosk cannot decode theirs, and for more when it can."""
        fresh = self.fresh_frames
        skipped = 0
        if fresh is not None:
            skipped, self._skipped_seen = fresh.frames_skipped - self._skipped_seen, fresh.frames_skipped
        best = self.adaptation.ladder[0]
        cut_for_cpu = self.adaptation.limit is Limit.CPU and self.adaptation.rung.pixels < best.pixels
        behind_ms = self._lag.take()
        decode_ms = None if fresh is None else fresh.decode_ms
        received = Received(now, decode_ms, skipped, cut_for_cpu, behind_ms, loop_late_ms)
        log.debug("call %s: %s", self.call_id, received)
        if self.receive_adaptation.observe(received).changed:
            request = self.receive_adaptation.request
            log.info("call %s: asking the agent for %s", self.call_id, request)
            self._send_on_channel(request.message())
            self._send_quality()

    def _send_quality(self) -> None:
        """Tell the agent's console what the kiosk sends now, what it asks for, and why (its quality display)."""
        rung, asked = self.adaptation.rung, self.receive_adaptation.request
        self._send_on_channel(quality_message(rung.width, rung.height, rung.fps, self.adaptation.limit, asked.limit))

    def _connect_timed_out(self) -> None:
        self._connect_timer = None
        limit_s = self._settings.connect_timeout_s
        self._end(EndReason.FAILED, f"no media path {limit_s:g} s after the agent accepted", tell_failed=True)

    def _cancel_connect_timer(self) -> None:
        if self._connect_timer is not None:
            self._connect_timer.cancel()
            self._connect_timer = None

    # --- the data channel ------------------------------------------------------------------------------

    def _send_context(self) -> None:
        self._send_on_channel({"type": CONTEXT_MESSAGE, **self._context.model_dump(mode="json")})

    def _send_on_channel(self, message: dict[str, Any]) -> None:
        """A JSON object with a ``type`` to the agent's console (context, quality, picture requests); consoles
        from before types were added take an object without one as context."""
        channel = self._channel
        if channel is not None and channel.readyState == "open":
            channel.send(json.dumps(message))

    def _on_channel_message(self, data: str | bytes) -> None:
        payload = data.encode() if isinstance(data, str) else data
        try:
            message = codec.decode(TopicKind.CALL_IN, payload)
        except MalformedMessage as exc:
            self._bad_pushes.report("push", self.call_id, exc.reason)
            return
        if not isinstance(message, Push):
            self._bad_pushes.report("push", self.call_id, f"a {message.type} message is no push")
        elif message.call != self.call_id:
            self._bad_pushes.report("push", self.call_id, f"push names call {message.call}")
        elif self._phase in _WITH_AGENT:
            self._notify(self.on_push, message)

    # --- the end -----------------------------------------------------------------------------------------

    async def _leave(self) -> None:
        if self._phase in (SessionPhase.IDLE, *_BEFORE_AGENT) and not self._passed_on:
            told: CallOut | None = None if self._phase is SessionPhase.IDLE else CallCancel(call=self.call_id)
            ending = self._end(EndReason.CANCELLED, "the passenger gave up waiting", tell=told)
        else:
            ending = self._end(EndReason.CALLER, "the passenger hung up", tell=CallHangup(call=self.call_id))
        await asyncio.shield(ending)

    def _end(
        self,
        reason: str,
        detail: str,
        *,
        requeue: bool = False,
        tell: CallOut | None = None,
        tell_failed: bool = False,
    ) -> asyncio.Task[None]:
        """End the call once: the phase changes at once, the release runs in its own task (returned)."""
        if self._closing is None:
            if tell_failed:
                tell = CallHangup(call=self.call_id, reason=EndReason.FAILED)
            self._end_reason, self._requeue_offered = reason, requeue
            self._cancel_connect_timer()
            self._set_phase(SessionPhase.ENDED, f"{reason}: {detail}")
            self._closing = asyncio.get_running_loop().create_task(self._release(tell), name=f"call {self.call_id} end")
        return self._closing

    async def _release(self, tell: CallOut | None) -> None:
        passing = self._passing
        for task in self._tasks - {passing}:
            task.cancel()
        if passing is not None:  # a passed-on leg's connection is closing: let it finish (aiortc minds)
            await asyncio.gather(passing, return_exceptions=True)
        if tell is not None:
            try:
                await self._send(tell)
            except SignallingUnavailable as exc:
                log.warning("call %s: %s not sent: %s", self.call_id, tell.type, exc)
        pc, self._pc, self._channel = self._pc, None, None
        if pc is not None:
            try:
                await close_peer_connection(pc)
            except Exception:  # closing must go on to release the camera whatever aiortc does
                log.exception("call %s: closing the peer connection failed", self.call_id)
        for track in self._local_tracks:
            track.stop()
        self._local_tracks.clear()
        if self._subscription is not None:
            self._camera.unsubscribe(self._subscription)
            self._subscription = None
        while self._tasks:  # including any a callback of the closing connection may have started
            tasks = list(self._tasks)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            self._tasks.difference_update(tasks)
        if pc is not None:
            await asyncio.to_thread(return_freed_memory)  # see video.allocator: otherwise RSS creeps up per call
        self._ended.set()
        assert self._end_reason is not None
        self._notify(self.on_ended, self._end_reason, self._requeue_offered)

    # --- small things --------------------------------------------------------------------------------

    def _set_phase(self, phase: SessionPhase, detail: str) -> None:
        if phase not in _NEXT_PHASES[self._phase]:
            raise RuntimeError(f"call {self.call_id}: no way from {self._phase} to {phase}")
        previous, self._phase = self._phase, phase
        if phase is not previous:
            log.info("call %s %s -> %s (%s)", self.call_id, previous, phase, detail)
            self._notify(self.on_phase, phase)

    def _spawn(self, work: Coroutine[Any, Any, None], what: str) -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(work, name=f"call {self.call_id} {what}")
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and (exc := task.exception()) is not None:
            log.error("call %s: %s failed", self.call_id, task.get_name(), exc_info=exc)
            if self._phase is not SessionPhase.ENDED:
                self._end(EndReason.FAILED, f"{task.get_name()} failed: {exc}", tell_failed=True)

    def _notify(self, observer: Callable[..., None], *args: Any) -> None:
        try:
            observer(*args)
        except Exception:
            log.exception("call %s: observer %s failed", self.call_id, getattr(observer, "__name__", observer))
