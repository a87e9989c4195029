"""A video help desk for the kiosk's screens without a broker: calls go over a given signalling object."""

from __future__ import annotations

from bus.messages.call import CallContext
from bus.messages.device import CallPhase
from hardware.camera import CameraOwner, SyntheticSource
from video.media_thread import ThreadedCallSession
from video.settings import VideoSection
from video.signalling import Signalling


class SignallingDesk:
    """Implements kiosk.ui.call.flow.CallDesk over ``signalling``; keeps the phases the flow reports."""

    def __init__(self, signalling: Signalling, video: VideoSection) -> None:
        self.signalling = signalling
        self.video = video
        self.camera: CameraOwner | None = CameraOwner(SyntheticSource(video.width, video.height), video.fps)
        self.reports: list[tuple[CallPhase, int | None]] = []
        self.prepared = 0

    async def prepare(self) -> None:
        self.prepared += 1

    async def new_session(self, context: CallContext) -> ThreadedCallSession:
        assert self.camera is not None  # on the media thread, as the kiosk's calls (kiosk.calls)
        return await ThreadedCallSession.create(self.signalling, self.camera, self.video, context)

    def report_phase(self, phase: CallPhase, call_id: str | None, position: int | None, eta_s: float | None) -> None:
        self.reports.append((phase, position))

    async def stop(self) -> None:
        if self.camera is not None:
            await self.camera.stop()
