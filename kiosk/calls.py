"""What the kiosk needs for video help, built once: the camera, call signalling over the bus, a session
per call, and the device's own ``queue`` topic. Qt-free; the screens live in ``kiosk.ui.call``.

The WebRTC stack, the codecs and OpenCV (together about 85 MB of resident memory) are loaded only when a
passenger first asks for video help, in a worker thread while they choose a language; a kiosk that is
never used for a call never pays for them.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from bus.codec import MalformedLog, MalformedMessage, decode, encode
from bus.link import BusLink, Publication
from bus.messages.call import CallContext, CallIn, CallOut, Handover, HandoverRequest
from bus.messages.central import QueueSummary
from bus.messages.device import CallPhase, CameraHealth, CameraState, DeviceQueue
from bus.topics import TopicKind, Topics
from hardware.camera_presence import camera_plugged_in
from video.settings import VideoSection
from video.signalling import BusSignalling, Signalling, SignallingUnavailable

if TYPE_CHECKING:
    from hardware.camera import CameraOwner
    from video.media_thread import ThreadedCallSession

log = logging.getLogger(__name__)

_SummaryListener = Callable[[QueueSummary], None]
CameraListener = Callable[[CameraState], None]
HandoverListener = Callable[[str, str], None]
"""Called with a call id and the one-time address a phone takes that call over at."""


def open_camera(settings: VideoSection) -> CameraOwner:
    """The camera owner for ``[video] camera``; it reads only while someone is subscribed."""
    from hardware.camera import CameraOwner, open_source

    return CameraOwner(open_source(settings.camera, settings.width, settings.height, settings.fps), settings.fps)


class HandoverSignalling:
    """The call session's signalling, less the ``handover`` answers: those are for the waiting screen's
    QR, which the session (in ``video``, used by kiosks with and without a screen) knows nothing of."""

    def __init__(self, inner: Signalling, on_handover: Callable[[Handover], None]) -> None:
        self._inner = inner
        self._on_handover = on_handover

    async def send(self, message: CallOut) -> None:
        await self._inner.send(message)

    async def receive(self) -> CallIn:
        while True:
            message = await self._inner.receive()
            if not isinstance(message, Handover):
                return message
            try:
                self._on_handover(message)
            except Exception:
                log.exception("call %s: showing the handover failed", message.call)


class VideoHelpDesk:
    """The kiosk's side of video help: makes call sessions, reports the device's queue state, and keeps
    the site's queue summary for the screens to show before the passenger calls."""

    def __init__(
        self, link: BusLink, topics: Topics, device_id: str, settings: VideoSection, phone_url: str = ""
    ) -> None:
        """``phone_url``: central's pages as phones reach them (``[info] central_url``); empty: no
        "continue on your phone"."""
        self._link = link
        self._phone_url = phone_url.rstrip("/")
        self._handover_listeners: list[HandoverListener] = []
        self._device_id = device_id
        self._settings = settings
        self._queue_topic = topics.device(device_id, TopicKind.DEVICE_QUEUE)
        self.camera: CameraOwner | None = None
        self._camera_listeners: list[CameraListener] = []
        self._prepared: asyncio.Future[None] | None = None
        self.signalling = BusSignalling(link, topics, device_id)
        self._session_signalling = HandoverSignalling(self.signalling, self._on_handover)
        self.summary: QueueSummary | None = None
        self._summary_listeners: list[_SummaryListener] = []
        self._malformed = MalformedLog(log)
        link.subscribe(topics.site(TopicKind.QUEUE), self._on_summary)
        link.add_connected_listener(lambda: self.report(DeviceQueue()))

    def start(self) -> None:
        self.signalling.start()

    def camera_health(self) -> CameraHealth:
        """The camera's state for health: the owner's once a call has opened it; before that, whether it
        is plugged in (``absent`` if not), so a camera missing at boot shows on the facilities page."""
        if self.camera is not None:
            return self.camera.health()
        plugged = camera_plugged_in(self._settings.camera)
        return CameraHealth(state=CameraState.STOPPED if plugged else CameraState.ABSENT)

    def add_camera_listener(self, listener: CameraListener) -> None:
        """Called on the loop whenever the camera's state changes (it failed mid-call, it came back), so the
        kiosk publishes health then and staff see a lost camera within seconds, not at the next interval."""
        self._camera_listeners.append(listener)
        if self.camera is not None:
            self.camera.add_state_listener(listener)

    async def prepare(self) -> None:
        """Load the call stack and open the camera owner, once; later calls return at once."""
        if self._prepared is None:
            self._prepared = asyncio.ensure_future(self._load())
        await asyncio.shield(self._prepared)

    async def _load(self) -> None:
        await asyncio.to_thread(importlib.import_module, "video.media_thread")  # and video.session with it
        self.camera = open_camera(self._settings)
        for listener in self._camera_listeners:
            self.camera.add_state_listener(listener)

    async def stop(self) -> None:
        if self._prepared is not None:
            await self._prepared
        if self.camera is not None:
            await self.camera.stop()

    async def new_session(self, context: CallContext) -> ThreadedCallSession:
        """A call on the media thread (video.media_thread): the screen's loop only draws and answers taps."""
        await self.prepare()
        from video.media_thread import ThreadedCallSession
        from video.session import new_call_id

        assert self.camera is not None
        return await ThreadedCallSession.create(
            self._session_signalling, self.camera, self._settings, context, call_id=new_call_id(self._device_id)
        )

    # --- continue on your phone ------------------------------------------------------------------------

    async def request_handover(self, call_id: str) -> None:
        """Ask central for a one-time link a phone can take the waiting call over with (answered later)."""
        if not self._phone_url:
            return
        try:
            await self.signalling.send(HandoverRequest(call=call_id))
        except SignallingUnavailable as exc:
            log.info("call %s: no handover link asked for: %s", call_id, exc)

    def add_handover_listener(self, listener: HandoverListener) -> None:
        self._handover_listeners.append(listener)

    def _on_handover(self, message: Handover) -> None:
        url = f"{self._phone_url}/h/{message.token}"
        for listener in self._handover_listeners:
            listener(message.call, url)

    def add_summary_listener(self, listener: _SummaryListener) -> None:
        self._summary_listeners.append(listener)

    def report(self, state: DeviceQueue) -> None:
        """Publish this device's own call state (retained) for central and the fleet console."""
        self._link.publish(Publication(self._queue_topic, encode(state), retain=True))

    def report_phase(self, phase: CallPhase, call_id: str | None, position: int | None, eta_s: float | None) -> None:
        # The call id stays off this retained topic: anyone who could read it could forge the call's
        # signalling (docs/security.md). It goes in the log instead.
        log.debug("call %s: %s, position %s, eta %s", call_id, phase, position, eta_s)
        self.report(DeviceQueue(call=phase, position=position, eta_s=eta_s))

    def _on_summary(self, _topic: str, payload: bytes) -> None:
        try:
            summary = decode(TopicKind.QUEUE, payload)
        except MalformedMessage as exc:
            self._malformed.report(TopicKind.QUEUE, "central", exc.reason)
            return
        self.summary = summary
        for listener in self._summary_listeners:
            listener(summary)
