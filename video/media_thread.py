"""The call's media on a thread of its own, so that the screen's loop only draws and answers taps.

aiortc's RTP sending and receiving, DTLS and the call session's own steps are many small asyncio task steps,
30 pictures a second each way; on the screen's Qt + asyncio loop they delayed every paint and tap behind
them (a profile of a call had most of the UI thread in them). Here one asyncio loop in a daemon thread,
shared by the calls of the process (one at a time on a kiosk), runs the whole :class:`CallSession`: the peer
connection, its tracks and its timers. The screen's loop ("home") keeps what belongs to it: the signalling
over the bus and the camera owner are reached through small bridges that run their calls there.

:class:`ThreadedCallSession` is what the screens hold instead of the session: the same controls and
observers, each control posted across to the media loop, each observer called on the home loop. The agent's
pictures cross through a one-picture slot: a picture not yet shown when a newer one comes is dropped, never
queued, so a busy screen shows the newest picture late rather than old pictures on time.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import threading
from collections.abc import Callable, Coroutine, Sequence
from typing import Any, TypeVar

from av import VideoFrame

from bus.messages.call import Agent, CallContext, CallIn, CallOut
from hardware.camera import CameraOwner, CameraSubscription, Frame
from video.adaptation import Adaptation
from video.call_state import SessionPhase
from video.decode_queue import FreshFrames
from video.receive_adaptation import ReceiveAdaptation
from video.session import CallSession
from video.settings import VideoSection
from video.signalling import Signalling, SignallingUnavailable

log = logging.getLogger(__name__)

T = TypeVar("T")


class MediaThread:
    """An asyncio loop in a daemon thread, started when first used; ``stop`` ends it (tests, shutdown)."""

    def __init__(self, name: str = "call media") -> None:
        self._name = name
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(target=self._run, args=(loop,), name=self._name, daemon=True)
                thread.start()
                self._loop, self._thread = loop, thread
            return self._loop

    @property
    def thread(self) -> threading.Thread | None:
        return self._thread

    @staticmethod
    def _run(loop: asyncio.AbstractEventLoop) -> None:
        asyncio.set_event_loop(loop)
        loop.run_forever()

    def submit(self, work: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Start ``work`` on the media loop from any thread."""
        return asyncio.run_coroutine_threadsafe(work, self.loop)

    async def run(self, work: Coroutine[Any, Any, T]) -> T:
        """Run ``work`` on the media loop and wait for it here without blocking this loop."""
        return await on_loop(self.loop, work)

    def stop(self, cancel_within_s: float = 5.0) -> None:
        """End the loop and its thread: what still runs there is cancelled first (given ``cancel_within_s`` to
        finish), so that no session outlives the screen's loop it reports to. Blocks until the thread ends;
        the next use starts a new one."""
        with self._lock:
            loop, thread, self._loop, self._thread = self._loop, self._thread, None, None
        if loop is None or thread is None:
            return
        with contextlib.suppress(concurrent.futures.TimeoutError, RuntimeError):
            asyncio.run_coroutine_threadsafe(_cancel_the_rest(), loop).result(cancel_within_s)
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.close()


async def _cancel_the_rest() -> None:
    tasks = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


_SHARED = MediaThread()


def shared_media_thread() -> MediaThread:
    """The process's media thread (started on first use, never stopped: it idles between calls)."""
    return _SHARED


async def on_loop(loop: asyncio.AbstractEventLoop, work: Coroutine[Any, Any, T]) -> T:
    """Run ``work`` on ``loop`` (another thread's) and wait for its result here; cancelling the wait here
    cancels the work there. Raises RuntimeError when ``loop`` is closed."""
    try:
        started = asyncio.run_coroutine_threadsafe(work, loop)
    except RuntimeError:
        work.close()  # never started: no "never awaited" warning for it
        raise
    return await asyncio.wrap_future(started)


# --- the bridges to what stays on the home loop --------------------------------------------------------------


class HomeSignalling:
    """The device's signalling (which belongs to the home loop) for a session on the media loop."""

    def __init__(self, inner: Signalling, home: asyncio.AbstractEventLoop) -> None:
        self._inner = inner
        self._home = home

    async def send(self, message: CallOut) -> None:
        try:
            await on_loop(self._home, self._inner.send(message))
        except RuntimeError as exc:  # the screen's loop is closed (the kiosk is stopping)
            raise SignallingUnavailable(f"{message.type} of call {message.call} not sent: {exc}") from None

    async def receive(self) -> CallIn:
        try:
            return await on_loop(self._home, self._inner.receive())
        except RuntimeError as exc:
            raise SignallingUnavailable(f"nothing more to receive: {exc}") from None


class HomeSubscription:
    """A camera subscription made on the home loop (where the camera owner lives), read from the media loop.

    Each ``next_frame`` is one wait on the home loop: only the pictures the call takes cross over (it paces
    itself, and takes fewer when it lowers its rate)."""

    def __init__(self, owner: CameraOwner, name: str, home: asyncio.AbstractEventLoop) -> None:
        self.name = name
        self._home = home
        self._opening = asyncio.run_coroutine_threadsafe(self._open(owner, name), home)
        self._closed = False

    @staticmethod
    async def _open(owner: CameraOwner, name: str) -> CameraSubscription:
        return owner.subscribe(name)

    @property
    def closed(self) -> bool:
        return self._closed

    async def next_frame(self) -> Frame:
        if not self._opening.done():  # shielded: giving up one wait must not undo the subscription
            await asyncio.shield(asyncio.wrap_future(self._opening))
        inner = self._opening.result()
        return await on_loop(self._home, inner.next_frame())

    def close(self, owner: CameraOwner) -> None:
        """Give the subscription up on the home loop (once it is made); the waits on it end."""
        self._closed = True

        def unsubscribe(opened: concurrent.futures.Future[CameraSubscription]) -> None:
            if opened.cancelled() or opened.exception() is not None:
                return
            with contextlib.suppress(RuntimeError):  # the home loop is closed: its camera is gone with it
                self._home.call_soon_threadsafe(owner.unsubscribe, opened.result())

        self._opening.add_done_callback(unsubscribe)


class HomeCamera:
    """The camera owner (which belongs to the home loop) for a session on the media loop."""

    def __init__(self, owner: CameraOwner, home: asyncio.AbstractEventLoop) -> None:
        self._owner = owner
        self._home = home

    def subscribe(self, name: str = "consumer") -> HomeSubscription:
        return HomeSubscription(self._owner, name, self._home)

    def unsubscribe(self, subscription: HomeSubscription) -> None:
        subscription.close(self._owner)


# --- the session as the screens see it ------------------------------------------------------------------------


def _ignore(*_args: object) -> None:
    pass


class ThreadedCallSession:
    """A :class:`CallSession` running on the media thread, with its controls and observers on the home loop.

    Made with :meth:`create` on the home loop. Observers (``on_phase``, ``on_queue``, ``on_agent``,
    ``on_remote_video``, ``on_push``, ``on_quality``, ``on_transfer``, ``on_hold``, ``on_ended``) are called on
    the home loop in the order the session reported them; ``phase``, ``end_reason`` and ``requeue_offered``
    are as those reports left them, so what the screens read agrees with what they were told. The figures
    (``sending``, ``remote_frames``, the adaptations) are read from the session as it is now.
    """

    def __init__(self, session: CallSession, media: MediaThread, home: asyncio.AbstractEventLoop) -> None:
        self._session = session
        self._media = media
        self._home = home
        self.on_phase: Callable[[SessionPhase], None] = _ignore
        self.on_queue: Callable[[int, float | None], None] = _ignore
        self.on_agent: Callable[[Agent], None] = _ignore
        self.on_remote_video: Callable[[VideoFrame], None] = _ignore
        self.on_push: Callable[..., None] = _ignore
        self.on_quality: Callable[..., None] = _ignore
        self.on_ended: Callable[[str, bool], None] = _ignore
        self.on_transfer: Callable[[], None] = _ignore
        self.on_hold: Callable[[bool], None] = _ignore
        self._phase = session.phase
        self._end_reason: str | None = None
        self._requeue_offered = False
        self._frame_lock = threading.Lock()
        self._next_frame: VideoFrame | None = None
        self._frame_posted = False
        self.frames_dropped = 0
        """The agent's pictures replaced by a newer one before the home loop showed them."""
        for name in ("on_phase", "on_queue", "on_agent", "on_push", "on_quality", "on_ended", "on_transfer", "on_hold"):
            setattr(session, name, self._forwarder(name))
        session.on_remote_video = self._offer_frame

    @classmethod
    async def create(
        cls,
        signalling: Signalling,
        camera: CameraOwner,
        settings: VideoSection,
        context: CallContext,
        *,
        call_id: str | None = None,
        media: MediaThread | None = None,
    ) -> ThreadedCallSession:
        """A session on ``media`` (the process's media thread by default) for the home loop this runs on."""
        home = asyncio.get_running_loop()
        media = media or shared_media_thread()

        async def build() -> CallSession:
            bridges = HomeSignalling(signalling, home), HomeCamera(camera, home)
            return CallSession(bridges[0], bridges[1], settings, context, call_id=call_id)

        return cls(await media.run(build()), media, home)

    # --- the session's reports, to the home loop ----------------------------------------------------------

    def _forwarder(self, name: str) -> Callable[..., None]:
        def forward(*args: Any) -> None:
            try:
                self._home.call_soon_threadsafe(self._deliver, name, args)
            except RuntimeError:  # the home loop is closed: nobody is left to tell
                log.debug("call %s: %s not delivered, the screen's loop is closed", self.call_id, name)

        return forward

    def _deliver(self, name: str, args: tuple[Any, ...]) -> None:
        if name == "on_phase":
            self._phase = args[0]
        elif name == "on_ended":
            self._end_reason, self._requeue_offered = args
        try:
            getattr(self, name)(*args)
        except Exception:
            log.exception("call %s: observer %s failed", self.call_id, name)

    def _offer_frame(self, frame: VideoFrame) -> None:
        """On the media loop: keep the newest picture; ask the home loop to show it unless it is asked already."""
        with self._frame_lock:
            if self._next_frame is not None:
                self.frames_dropped += 1
            self._next_frame = frame
            if self._frame_posted:
                return
            self._frame_posted = True
        with contextlib.suppress(RuntimeError):  # the home loop is closed: nobody is left to show it to
            self._home.call_soon_threadsafe(self._show_frame)

    def _show_frame(self) -> None:
        with self._frame_lock:
            frame, self._next_frame, self._frame_posted = self._next_frame, None, False
        if frame is None:
            return
        try:
            self.on_remote_video(frame)
        except Exception:
            log.exception("call %s: observer on_remote_video failed", self.call_id)

    # --- what the kiosk does --------------------------------------------------------------------------------

    async def start(self, language: str, skills: Sequence[str] = ()) -> None:
        await self._media.run(self._session.start(language, skills))

    async def cancel(self) -> None:
        await self._media.run(self._session.cancel())

    async def hangup(self) -> None:
        await self._media.run(self._session.hangup())

    async def rate(self, stars: int, answered: bool | None = None) -> None:
        await self._media.run(self._session.rate(stars, answered))

    def update_context(self, context: CallContext) -> None:
        self._media.loop.call_soon_threadsafe(self._session.update_context, context)

    async def wait_ended(self) -> str:
        return await self._media.run(self._session.wait_ended())

    # --- what the kiosk reads -------------------------------------------------------------------------------

    @property
    def session(self) -> CallSession:
        """The session itself, on the media loop: read its figures, call nothing of it from here."""
        return self._session

    @property
    def call_id(self) -> str:
        return self._session.call_id

    @property
    def phase(self) -> SessionPhase:
        return self._phase

    @property
    def end_reason(self) -> str | None:
        return self._end_reason

    @property
    def requeue_offered(self) -> bool:
        return self._requeue_offered

    @property
    def agent(self) -> Agent | None:
        return self._session.agent

    @property
    def video_codec(self) -> str | None:
        return self._session.video_codec

    @property
    def sending(self) -> tuple[int, int, float] | None:
        return self._session.sending

    @property
    def frame_work_ms(self) -> float | None:
        return self._session.frame_work_ms

    @property
    def remote_frames(self) -> int:
        return self._session.remote_frames

    @property
    def adaptation(self) -> Adaptation:
        return self._session.adaptation

    @property
    def receive_adaptation(self) -> ReceiveAdaptation:
        return self._session.receive_adaptation

    @property
    def fresh_frames(self) -> FreshFrames | None:
        return self._session.fresh_frames
