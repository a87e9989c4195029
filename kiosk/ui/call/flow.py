"""One passenger's video help from the language choice to the rating, on the kiosk window's screens.

The flow owns the call session while it lives and moves the window between the call screens as the
session reports its phases. The flow runs on the one Qt + asyncio thread: session callbacks come on
the loop, which under qasync is Qt's thread, so they may touch widgets directly (the desk's sessions run
their media on a thread of their own and call back here, see video.media_thread).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from PySide6.QtCore import QObject, Signal

from bus.messages.call import Agent, CallContext, Push
from bus.messages.call import EndReason as CallEndReason
from bus.messages.device import CallPhase
from kiosk.ui.video_help_state import VideoHelp
from kiosk.ui.window import KioskWindow
from video.call_state import EndReason, SessionPhase

if TYPE_CHECKING:
    from av import VideoFrame

    from hardware.camera import CameraOwner, CameraSubscription
    from video.media_thread import ThreadedCallSession
    from video.session import CallSession

log = logging.getLogger(__name__)


class CallDesk(Protocol):
    """What the flow needs from the kiosk's video help services (kiosk.calls.VideoHelpDesk)."""

    camera: CameraOwner | None

    async def prepare(self) -> None: ...

    async def new_session(self, context: CallContext) -> CallSession | ThreadedCallSession: ...

    def report_phase(
        self, phase: CallPhase, call_id: str | None, position: int | None, eta_s: float | None
    ) -> None: ...


@runtime_checkable
class HandoverDesk(Protocol):
    """A desk that offers "continue on your phone" (kiosk.calls.VideoHelpDesk; a kiosk without a screen
    does not)."""

    async def request_handover(self, call_id: str) -> None: ...

    def add_handover_listener(self, listener: Callable[[str, str], None]) -> None: ...


# how a call that was answered can end normally; anything else is shown as a failure
NORMAL_ENDINGS = {CallEndReason.CALLER, CallEndReason.AGENT}


class VideoHelpFlow(QObject):
    """Connects the call screens to a call session the desk makes per call."""

    finished = Signal(str)  # the end reason, once the passenger is done with the call's screens

    def __init__(self, window: KioskWindow, desk: CallDesk) -> None:
        super().__init__(window)
        self._window = window
        self._desk = desk
        self._starting = False
        self.session: CallSession | ThreadedCallSession | None = None
        self._answered = False
        self._self_view: asyncio.Task[None] | None = None
        self.self_view_lost = False  # the self-view shows the "camera unavailable" card
        self._next_frame: VideoFrame | None = None
        self._converting: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._last_choice: tuple[str, list[str]] = ("zh-CN", [])
        self._handover_asked: str | None = None  # the call a phone link was asked for
        self._context: CallContext | None = None  # what the agent was last told of the passenger
        if isinstance(desk, HandoverDesk):
            desk.add_handover_listener(self._on_handover)
        window.home.video_requested.connect(self._prepare)
        window.call_choice.chosen.connect(self.start)
        window.waiting.cancel_requested.connect(lambda: self._run(self._cancel()))
        window.in_call.hang_up_requested.connect(lambda: self._run(self._hang_up()))
        window.rating.rated.connect(self._rated)
        window.call_ended.call_again.connect(lambda: self.start(*self._last_choice))
        window.went_home.connect(self._abandon)
        window.flights.looked_at.connect(self._flight_looked_at)

    def _prepare(self) -> None:
        """Load the call stack while the passenger chooses; offline there is nothing to choose."""
        if self._window.video_help is VideoHelp.AVAILABLE:
            self._run(self._desk.prepare())

    def start(self, language: str, skills: list[str]) -> None:
        """The passenger chose a language (and maybe sign language): ask for an agent."""
        if self.session is not None or self._starting:
            return
        if self._window.video_help is not VideoHelp.AVAILABLE:
            # "call again" after the link went: a request that cannot arrive would only end as a failure
            self._window.show_screen(self._window.call_choice)
            return
        self._starting = True
        self._last_choice = (language, list(skills))
        window = self._window
        window.call_active = True
        window.waiting.set_queue(None, None)
        window.waiting.set_passed_on(False)
        window.waiting.set_handover(None)
        window.in_call.reset()
        window.show_screen(window.waiting)
        self._run(self._start(language, skills))

    async def _start(self, language: str, skills: list[str]) -> None:
        window = self._window
        context = CallContext(screen="home", flight=window.session.flight, location=window.location, language=language)
        self._context = context
        try:
            session = await self._desk.new_session(context)
        finally:
            self._starting = False
        if window.current_screen is not window.waiting:  # cancelled, or gone home, while the stack loaded
            window.call_active = False
            return
        session.on_queue = self._on_queue
        session.on_agent = self._on_agent
        session.on_phase = self._on_phase
        session.on_remote_video = self._on_remote_video
        session.on_push = self._on_push
        session.on_ended = self._on_ended
        session.on_transfer = self._on_transfer
        session.on_hold = self._on_hold
        self.session = session
        self._answered = False
        self._desk.report_phase(CallPhase.WAITING, session.call_id, None, None)
        await session.start(language, skills)

    # --- passenger's taps ------------------------------------------------------------------------------

    async def _cancel(self) -> None:
        if self.session is not None:
            await self.session.cancel()
        elif self._starting:  # the call stack is still loading: nothing was sent yet
            self._window.call_active = False
            self._window.show_screen(self._window.call_choice)

    async def _hang_up(self) -> None:
        if self.session is not None:
            await self.session.hangup()

    def _flight_looked_at(self, flight: str) -> None:
        """A flight opened during the call (from an agent's card, or the board): the agent sees it at once."""
        session = self.session
        if session is None or self._context is None or session.phase is SessionPhase.ENDED:
            return
        self._context = self._context.model_copy(update={"flight": flight})
        session.update_context(self._context)

    def _rated(self, stars: int, answered: object) -> None:
        session = self.session
        self.session = None
        if session is not None:
            self._run(session.rate(stars, answered if isinstance(answered, bool) else None))
        self._window.show_thanks()

    def _abandon(self) -> None:
        """The window went home (idle, or the passenger left): a call in progress is cancelled."""
        session = self.session
        if session is not None and session.phase is not SessionPhase.ENDED:
            self._run(session.cancel())
        if session is not None and session.phase is SessionPhase.ENDED:
            self.session = None

    # --- the session's reports ---------------------------------------------------------------------------

    def _on_queue(self, position: int, eta_s: float | None) -> None:
        self._window.waiting.set_queue(position, eta_s)
        if self._window.waiting.passed_on:
            return  # the call goes on with the next agent: no phone link for it
        call_id = self.session.call_id if self.session else None
        self._desk.report_phase(CallPhase.WAITING, call_id, position, eta_s)
        desk = self._desk
        if call_id is not None and self._handover_asked != call_id and isinstance(desk, HandoverDesk):
            self._handover_asked = call_id  # once per call: central answers again with the same link
            self._run(desk.request_handover(call_id))

    def _on_handover(self, call_id: str, url: str) -> None:
        """Central's one-time link for this waiting call: the waiting screen shows it as a QR."""
        session = self.session
        if session is None or session.call_id != call_id or session.phase is SessionPhase.ENDED:
            return
        self._window.waiting.set_handover(url)

    def _on_transfer(self) -> None:
        """The agent passed the call on: "connecting you to a specialist" until the next one answers."""
        window = self._window
        window.waiting.set_passed_on(True)
        window.show_screen(window.waiting)
        self._desk.report_phase(CallPhase.WAITING, self.session.call_id if self.session else None, None, None)

    def _on_hold(self, held: bool) -> None:
        """The agent asks a colleague (the call and its connection stay): a message until they are back."""
        window = self._window
        if held:
            window.waiting.set_passed_on(True, held=True)
            window.show_screen(window.waiting)
        elif window.waiting.held:
            window.waiting.set_passed_on(False)
            window.show_screen(window.in_call)

    def _on_agent(self, agent: Agent) -> None:
        window = self._window
        window.waiting.set_passed_on(False)
        window.in_call.set_agent(agent.name or agent.id)
        window.show_screen(window.in_call)
        self._desk.report_phase(CallPhase.IN_CALL, self.session.call_id if self.session else None, None, None)
        self._start_self_view()

    def _on_phase(self, phase: SessionPhase) -> None:
        if phase is SessionPhase.IN_CALL:
            self._answered = True
            self._window.in_call.set_connected()

    def _on_remote_video(self, frame: VideoFrame) -> None:
        if self._window.waiting.held:
            return  # on hold: the agent's side is held, nothing of it is shown
        # Converting and scaling a picture takes a few ms: it runs in a worker thread so the screen
        # never waits for it. Only the newest frame waits its turn; older ones are dropped.
        self._next_frame = frame
        if self._converting is None:
            self._converting = asyncio.ensure_future(self._show_remote_frames())

    async def _show_remote_frames(self) -> None:
        from kiosk.ui.call.frames import agent_picture  # with the call stack, not at start

        view = self._window.in_call.agent_video
        try:
            while self._next_frame is not None:
                frame, self._next_frame = self._next_frame, None
                picture = await asyncio.to_thread(agent_picture, frame, view.size())
                if self.session is not None and self.session.phase is not SessionPhase.ENDED:
                    view.show_frame(picture)
        finally:
            self._converting = None

    def _on_push(self, push: Push) -> None:
        self._window.in_call.show_push(push)

    def _on_ended(self, reason: str, requeue_offered: bool) -> None:
        window = self._window
        window.call_active = False
        self._stop_self_view()
        self._desk.report_phase(CallPhase.IDLE, None, None, None)
        log.info("video help ended: %s (answered %s)", reason, self._answered)
        window.waiting.set_handover(None)
        window.waiting.set_passed_on(False)
        if reason == CallEndReason.HANDED_OVER:
            # the passenger took the call with them on their phone: this kiosk is free for the next one
            self.session = None
            window.go_home()
        elif reason == EndReason.CANCELLED.value:
            self.session = None
            if window.current_screen in (window.waiting, window.in_call):
                window.show_screen(window.call_choice)
        elif self._answered and reason in NORMAL_ENDINGS:
            window.rating.reset()
            window.show_screen(window.rating)
        else:
            self.session = None
            window.call_ended.show_reason(reason, requeue_offered)
            window.show_screen(window.call_ended)
        self.finished.emit(reason)

    # --- self-view ---------------------------------------------------------------------------------------

    def _start_self_view(self) -> None:
        camera = self._desk.camera
        if camera is None or self._self_view is not None:
            return
        subscription = camera.subscribe("self-view")
        self.self_view_lost = False
        self._self_view = asyncio.ensure_future(self._show_self(camera, subscription))

    async def _show_self(self, camera: CameraOwner, subscription: CameraSubscription) -> None:
        from kiosk.ui.call.frames import camera_picture, camera_unavailable_picture, self_view_interval
        from video.tracks import CameraVideoTrack  # loaded with the call

        view = self._window.in_call.self_view
        loop = asyncio.get_running_loop()
        due = loop.time()
        try:
            while True:
                try:
                    # a camera unplugged, or hung in its driver, gives no frame and no error: after as long
                    # as the agent waits before their card, the passenger sees the same card, not a
                    # frozen picture of themselves they would take for live
                    async with asyncio.timeout(CameraVideoTrack.PLACEHOLDER_AFTER_S):
                        picture = await subscription.next_frame()
                except TimeoutError:
                    if not self.self_view_lost:
                        self.self_view_lost = True
                        view.show_frame(camera_unavailable_picture(view.size()))
                    continue
                now, session = loop.time(), self.session
                if self.self_view_lost:  # back: the first picture at once, whatever the pace
                    self.self_view_lost = False
                    due = now
                sending = session.sending if session is not None else None
                interval = self_view_interval(sending[2] if sending is not None else None)
                if now < due - interval / 4:  # a quarter of the interval early is the camera's jitter
                    continue
                due = max(due, now - 0.5) + interval
                view.show_frame(await asyncio.to_thread(camera_picture, picture, view.size()))
        except Exception as exc:  # SubscriptionClosed, or the camera failing: the call goes on without it
            log.debug("self-view stopped: %s", exc)
        finally:
            camera.unsubscribe(subscription)

    def _stop_self_view(self) -> None:
        if self._self_view is not None:
            self._self_view.cancel()
            self._self_view = None

    def _run(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        task.add_done_callback(_log_failure)

    async def close(self) -> None:
        """On the kiosk's shutdown: end a call in progress and stop the self-view."""
        self._stop_self_view()
        if self.session is not None and self.session.phase is not SessionPhase.ENDED:
            await self.session.hangup()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(task, 5)


def _log_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("video help step failed", exc_info=task.exception())
