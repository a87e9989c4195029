"""A simulated passenger: a kiosk without a screen that calls for video help, so an agent can try the
console (or train on it) from any machine, display or not.

It is a kiosk on the bus in every way the switchboard and the facilities page can see: the same presence
(birth, health, Last Will), the same call desk and :class:`video.session.CallSession` over bus signalling,
and a synthetic camera picture. It asks for help in English, waits in the queue, talks with whoever
answers until the agent hangs up, then rates the call, saying each step on the demo's output. Then it
stays on the bus, as a kiosk would, until the demo stops.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from bus.link import LinkState
from bus.messages.call import Agent, CallContext
from bus.messages.device import CallPhase, DeviceKind
from bus.topics import Topics
from config.sections import AppSection, DeviceBusSection
from config.version import program_version
from device.presence import connect_device
from kiosk.calls import VideoHelpDesk
from video.call_state import EndReason, SessionPhase
from video.settings import VideoSection
from video.signalling import SignallingUnavailable

if TYPE_CHECKING:
    from video.media_thread import ThreadedCallSession  # loads the WebRTC stack: at the first call, as on a kiosk

log = logging.getLogger(__name__)

DEVICE_ID = "kiosk-demo-passenger"
LOCATION = "T1 Departures, Gate 12 (simulated passenger)"
LANGUAGE = "en"
STARS = 5
ONLINE_TIMEOUT_S = 30.0
# the endings after which a kiosk asks the passenger for a rating (kiosk.ui.call.flow does the same)
RATED_ENDINGS = {EndReason.CALLER.value, "agent"}


class SimulatedPassenger:
    """One call from a screenless kiosk, start to rating; ``say`` prints a line on the demo's output."""

    def __init__(self, broker_url: str, state_dir: Path, say: Callable[[str], None]) -> None:
        self.bus = DeviceBusSection(url=broker_url, device_id=DEVICE_ID, location=LOCATION)
        self.app = AppSection(state_dir=state_dir)
        # small pictures: the demo machine also runs the broker, central and a kiosk window
        self.video = VideoSection(width=320, height=240, fps=15)
        self._say = say
        self.session: ThreadedCallSession | None = None
        self.phases: list[SessionPhase] = []
        self.end_reason: str | None = None
        self.rated = False

    def say(self, text: str) -> None:
        self._say(f"demo: passenger: {text}")

    async def stop(self) -> None:
        """End the call if one is under way (the agent sees the passenger hang up) before the demo stops."""
        if self.session is not None and self.session.phase is not SessionPhase.ENDED:
            await self.session.hangup()

    async def run(self) -> None:
        link, presence = connect_device(self.bus, self.app, DeviceKind.KIOSK, program_version(), 5.0)
        online = asyncio.Event()
        link.add_state_listener(lambda state, _detail: online.set() if state is LinkState.ONLINE else online.clear())
        desk = VideoHelpDesk(link, Topics(self.bus.topic_root), self.bus.device_id, self.video)
        desk.start()
        await link.start()
        await presence.start()
        try:
            async with asyncio.timeout(ONLINE_TIMEOUT_S):
                await online.wait()
            await self._call(desk)
            await asyncio.Event().wait()  # like a kiosk, it stays on the bus until the demo stops
        finally:
            await desk.stop()
            await presence.stop()

    async def _call(self, desk: VideoHelpDesk) -> None:
        context = CallContext(screen="home", location=LOCATION, language=LANGUAGE)
        session = await desk.new_session(context)
        self.session = session
        first_picture = asyncio.Event()

        def on_phase(phase: SessionPhase) -> None:
            self.phases.append(phase)
            if phase is SessionPhase.IN_CALL:
                desk.report_phase(CallPhase.IN_CALL, session.call_id, None, None)
                self.say("in call: the media path is up (the agent sees a moving test picture)")

        def on_queue(position: int, eta_s: float | None) -> None:
            desk.report_phase(CallPhase.WAITING, session.call_id, position, eta_s)
            wait = "no agent is signed in yet" if eta_s is None else f"expected wait {eta_s:.0f} s"
            self.say(f"waiting in the queue, position {position} ({wait})")

        def on_agent(agent: Agent) -> None:
            self.say(f"{agent.name} ({agent.id}) answered; connecting")

        session.on_phase = on_phase
        session.on_queue = on_queue
        session.on_agent = on_agent
        session.on_remote_video = lambda _frame: first_picture.set()
        self.say(f"asking for video help in English as {DEVICE_ID} (call {session.call_id})")
        desk.report_phase(CallPhase.WAITING, session.call_id, None, None)
        await session.start(LANGUAGE)
        picture = asyncio.ensure_future(first_picture.wait())
        ended = asyncio.ensure_future(session.wait_ended())
        await asyncio.wait({picture, ended}, return_when=asyncio.FIRST_COMPLETED)
        if picture.done():
            self.say("sees the agent's picture; talking until the agent hangs up")
        else:
            picture.cancel()
        reason = await ended
        self.end_reason = reason
        desk.report_phase(CallPhase.IDLE, None, None, None)
        answered = SessionPhase.IN_CALL in self.phases
        self.say(f"the call ended ({reason})")
        if answered and reason in RATED_ENDINGS:
            try:
                await session.rate(STARS, answered=True)
            except SignallingUnavailable as exc:
                self.say(f"could not send the rating: {exc}")
            else:
                self.rated = True
                self.say(f"rated the call {STARS} of 5 stars, question answered")
