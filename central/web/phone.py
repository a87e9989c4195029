"""A phone as a caller: the video-help page's socket, ``GET /ws/phone``.

The phone is a :class:`~central.switchboard.model.CallerChannel` of kind ``phone`` with a caller id central
makes up (``phone-`` and random hex) and forgets when the socket closes: nothing about the person is kept.
Central to phone: the switchboard's ``call/in`` messages as JSON (``queued``, ``connect``, ``answer``,
``ended``), ``taken_over`` after a handover, ``error`` for a refused message. Phone to central: the
messages of :mod:`central.web.phone_messages`.

A socket is dropped, and its call taken out of the queue as a lost caller (nobody else's place moves but
by the one call leaving), when it:

- sends frames faster than ``per_s`` after a burst of ``burst`` (close 1008), or one above
  ``max_frame_bytes`` (aiohttp closes it, 1009), or ``max_bad`` messages that do not validate (1008);
- has no call for ``idle_s`` (before its first call, or after its last one ended: time to rate it);
- sends no offer within ``offer_s`` of the agent's accept (the call ends as ``failed`` first);
- stops answering pings (``heartbeat_s``), or reads its messages so slowly that ``max_queued`` pile up.

A socket that drops by itself while its call waits (a phone locked, a tab in the background, a change of
network) is different: its call keeps its place for ``grace_s``, and a new socket that sends ``resume``
with the old socket's ``session`` token within that time carries on with it. A parked call still counts
against its address and the total, so dropping sockets on purpose cannot fill the queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import secrets
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

from aiohttp import WSCloseCode, WSMsgType, web

from bus.messages.call import CallCancel, CallContext, CallHangup, CallRating, CallRequest, Connect, Ended, SdpOffer
from bus.messages.device import CallPhase
from central.switchboard.model import PHONE_KIND, CallerMessage, Refused
from central.switchboard.settings import SIGN_SKILL
from central.switchboard.switchboard import Switchboard
from central.web.agent import same_origin
from central.web.phone_messages import (
    BadPhoneMessage,
    Cancel,
    Hangup,
    Offer,
    PhoneMessage,
    Rate,
    Resume,
    StartCall,
    TakeOver,
    parse,
)
from central.web.policy import POLICY_KEY

POINT_ID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
"""An info point's id, as the posters' QR codes carry it (``/p/{id}``)."""

log = logging.getLogger(__name__)

SOCKET_PATH = "/ws/phone"
CLOSE_POLICY: Final = int(WSCloseCode.POLICY_VIOLATION)
COME_BACK_CODES: Final = frozenset({None, 1000, 1001, 1006})
"""How a socket ends when a phone locks, a tab is reloaded or closed, or the network goes: its call is kept."""
CLOSE_IDLE: Final = 4408
"""No call for too long (the page says so and offers to start again)."""


@dataclass(frozen=True)
class PhoneLimits:
    """How much one phone's socket may ask of central, and how long central waits for it."""

    max_frame_bytes: int = 72 * 1024
    """One complete SDP offer (64 KiB at most) and its JSON; aiohttp refuses bigger frames unread."""
    burst: int = 20
    per_s: float = 2.0
    """Frames a second after the burst; a page sends a handful per call."""
    max_bad: int = 5
    idle_s: float = 120.0
    offer_s: float = 20.0
    heartbeat_s: float = 20.0
    max_queued: int = 200
    max_calls: int = 5
    """Calls one socket may place: enough to call again, not to churn the queue."""
    max_phones: int = 300
    max_per_address: int = 20
    """Generous: phones behind one carrier's or one Wi-Fi's address translation share an address."""
    grace_s: float = 60.0
    """How long a waiting call whose socket dropped keeps its place for the page to come back."""


@dataclass(eq=False)
class Parked:
    """A waiting call whose phone's socket dropped, until the page comes back or ``grace_s`` is over."""

    caller_id: str
    address: str
    timer: asyncio.TimerHandle


@dataclass(eq=False)
class PhoneDesk:
    """What the phone sockets share: the switchboard, the limits, who is connected from where."""

    switchboard: Switchboard
    limits: PhoneLimits = field(default_factory=PhoneLimits)
    open_by_address: Counter[str] = field(default_factory=Counter)
    sockets: set[PhoneSocket] = field(default_factory=set)
    parked: dict[str, Parked] = field(default_factory=dict)
    """By the ``resume`` token of the socket that dropped."""
    point_names: Callable[[str], str | None] = field(default=lambda _point: None)
    """An info point's name as the agent should read it, when the registry knows the point."""

    @property
    def phones(self) -> int:
        return len(self.sockets) + len(self.parked)

    def park(self, phone: PhoneSocket, address: str) -> None:
        """Keep ``phone``'s waiting call for ``grace_s``; its address stays counted meanwhile."""
        loop = asyncio.get_running_loop()
        timer = loop.call_later(self.limits.grace_s, self.expire, phone.resume_token)
        self.parked[phone.resume_token] = Parked(phone.caller_id, address, timer)
        log.info("%s: socket dropped while waiting; its place is kept %.0f s", phone.caller_id, self.limits.grace_s)

    def unpark(self, token: str) -> Parked | None:
        parked = self.parked.pop(token, None)
        if parked is not None:
            parked.timer.cancel()
            self.release(parked.address)
        return parked

    def expire(self, token: str) -> None:
        parked = self.unpark(token)
        if parked is not None:
            log.info("%s: did not come back; its call leaves the queue", parked.caller_id)
            self.switchboard.caller_lost(parked.caller_id)

    def release(self, address: str) -> None:
        self.open_by_address[address] -= 1
        if self.open_by_address[address] <= 0:
            del self.open_by_address[address]

    def place(self, point: str) -> str:
        """The location an agent sees for a call from info point ``point``: its name where the registry knows it."""
        if not point:
            return "Phone"
        name = self.point_names(point)
        return f"Info point {point}: {name}" if name else f"Info point {point}"


PHONE_DESK_KEY = web.AppKey("phone_desk", PhoneDesk)


def new_phone_id() -> str:
    return f"phone-{secrets.token_hex(8)}"


def new_call_id() -> str:
    return f"phone-{datetime.now(UTC):%Y%m%d-%H%M%S}-{secrets.token_hex(8)}"


class Bucket:
    """A token bucket: ``burst`` at once, then ``per_s``."""

    def __init__(self, burst: int, per_s: float) -> None:
        self._burst = float(burst)
        self._per_s = per_s
        self._tokens = float(burst)
        self._at = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self._tokens = min(self._burst, self._tokens + (now - self._at) * self._per_s)
        self._at = now
        if self._tokens < 1.0:
            return False
        self._tokens -= 1.0
        return True


class PhoneSocket:
    """One phone's socket: the switchboard's caller channel, its timers, its writer."""

    def __init__(self, desk: PhoneDesk, ws: web.WebSocketResponse, point: str) -> None:
        self._desk = desk
        self._ws = ws
        self._point = point
        self._caller_id = new_phone_id()
        self.resume_token = secrets.token_urlsafe(24)
        self._queue: asyncio.Queue[tuple[dict[str, Any] | None, int]] = asyncio.Queue()
        self._ended = False
        self._bucket = Bucket(desk.limits.burst, desk.limits.per_s)
        self._bad = 0
        self._calls = 0
        self.call_id: str | None = None
        self.live = False
        self._idle: asyncio.TimerHandle | None = None
        self._offer_due: asyncio.TimerHandle | None = None
        self.close_code = int(WSCloseCode.OK)

    # --- CallerChannel ---------------------------------------------------------------------------------

    @property
    def caller_id(self) -> str:
        return self._caller_id

    @property
    def kind(self) -> str:
        return PHONE_KIND

    def send(self, message: CallerMessage) -> None:
        if isinstance(message, Connect):
            self._offer_due = asyncio.get_running_loop().call_later(self._desk.limits.offer_s, self._no_offer)
        elif isinstance(message, Ended):
            self._call_over()
        self.write(message.model_dump(mode="json"))

    # --- writing ---------------------------------------------------------------------------------------

    def write(self, data: dict[str, Any]) -> None:
        if self._ended:
            return
        if self._queue.qsize() >= self._desk.limits.max_queued:
            log.warning("%s: fell %d messages behind; dropping it", self._caller_id, self._desk.limits.max_queued)
            self.end(int(WSCloseCode.TRY_AGAIN_LATER))
            return
        self._queue.put_nowait((data, 0))

    def error(self, reason: str, request: str | None) -> None:
        self.write({"type": "error", "reason": reason, "request": request})

    def end(self, code: int) -> None:
        """Close the socket once what is queued is written."""
        if not self._ended:
            self._ended = True
            self.close_code = code
            self._queue.put_nowait((None, code))

    async def pump(self) -> None:
        while True:
            data, code = await self._queue.get()
            if data is None:
                await self._ws.close(code=code)
                return
            try:
                await self._ws.send_json(data)
            except (ConnectionResetError, RuntimeError):
                return

    # --- reading ---------------------------------------------------------------------------------------

    async def run(self) -> None:
        self._arm_idle()
        self.write({"type": "session", "resume": self.resume_token})
        async for frame in self._ws:
            if not self._bucket.take():
                log.warning("%s: too many messages; dropping it", self._caller_id)
                self.end(CLOSE_POLICY)
                return
            if frame.type is WSMsgType.TEXT:
                self.handle(frame.data)
            elif frame.type is WSMsgType.BINARY:
                self._refuse("binary_not_accepted", None)
            elif frame.type is WSMsgType.ERROR:
                log.info("%s: socket error: %s", self._caller_id, self._ws.exception())
                return
            if self._ended:
                return

    def handle(self, text: str) -> None:
        try:
            message = parse(text)
        except BadPhoneMessage as bad:
            self._refuse(bad.reason, None)
            return
        try:
            self._dispatch(message)
        except Refused as refused:
            log.info("%s: %s refused: %s", self._caller_id, message.type, refused.reason)
            self.error(refused.reason, message.type)

    def _dispatch(self, message: PhoneMessage) -> None:
        switchboard = self._desk.switchboard
        if isinstance(message, StartCall):
            if self.live:
                raise Refused("call_in_progress")
            if self._calls >= self._desk.limits.max_calls:
                raise Refused("too_many_calls")
            call_id = new_call_id()
            context = CallContext(screen="phone", location=self._desk.place(self._point), language=message.language)
            skills = [SIGN_SKILL] if message.sign else []
            self._start(call_id)
            switchboard.request(
                self, CallRequest(call=call_id, language=message.language, skills=skills, context=context)
            )
        elif isinstance(message, TakeOver):
            if self.live:
                raise Refused("call_in_progress")
            call_id = switchboard.take_over(message.token, self)
            self._start(call_id)
            self.write({"type": "taken_over", "call": call_id})
            # a waiting call's "queued" was written during the step, before this: the page takes either order
        elif isinstance(message, Resume):
            if self.live:
                raise Refused("call_in_progress")
            parked = self._desk.unpark(message.token)
            if parked is None:
                raise Refused("unknown_resume")
            own_id, self._caller_id = self._caller_id, parked.caller_id
            try:
                call_id = switchboard.rebind(self)
            except Refused:
                switchboard.caller_lost(parked.caller_id)  # answered meanwhile: its media went with the socket
                self._caller_id = own_id
                raise
            self._start(call_id)
            self.write({"type": "resumed", "call": call_id})
        elif isinstance(message, Cancel):
            switchboard.cancel(self._caller_id, CallCancel(call=self._live_call()))
        elif isinstance(message, Offer):
            switchboard.caller_sdp(self._caller_id, SdpOffer(call=self._live_call(), sdp=message.sdp))
            self._cancel_offer_timer()
        elif isinstance(message, Hangup):
            switchboard.caller_hangup(self._caller_id, CallHangup(call=self._live_call(), reason=message.reason))
        elif isinstance(message, Rate):
            if self.call_id is None or self.live:
                raise Refused("nothing_to_rate")
            rating = CallRating(call=self.call_id, stars=message.stars, answered=message.answered)
            switchboard.rating(self._caller_id, rating)
            self.write({"type": "rated", "call": self.call_id})

    def _start(self, call_id: str) -> None:
        self._calls += 1
        self.call_id = call_id
        self.live = True
        self._disarm_idle()

    def _live_call(self) -> str:
        if self.call_id is None or not self.live:
            raise Refused("no_call")
        return self.call_id

    def _refuse(self, reason: str, request: str | None) -> None:
        self._bad += 1
        log.info("%s: bad message (%s), %d so far", self._caller_id, reason, self._bad)
        self.error(reason, request)
        if self._bad >= self._desk.limits.max_bad:
            log.warning("%s: %d bad messages; dropping it", self._caller_id, self._bad)
            self.end(CLOSE_POLICY)

    # --- timers ----------------------------------------------------------------------------------------

    def _call_over(self) -> None:
        self.live = False
        self._cancel_offer_timer()
        self._arm_idle()

    def _arm_idle(self) -> None:
        self._disarm_idle()
        self._idle = asyncio.get_running_loop().call_later(self._desk.limits.idle_s, self.end, CLOSE_IDLE)

    def _disarm_idle(self) -> None:
        if self._idle is not None:
            self._idle.cancel()
            self._idle = None

    def _no_offer(self) -> None:
        self._offer_due = None
        if self.live and self.call_id is not None:
            log.info(
                "%s: no offer within %.0f s of the accept; the call fails", self._caller_id, self._desk.limits.offer_s
            )
            with contextlib.suppress(Refused):
                self._desk.switchboard.caller_hangup(self._caller_id, CallHangup(call=self.call_id, reason="failed"))

    def _cancel_offer_timer(self) -> None:
        if self._offer_due is not None:
            self._offer_due.cancel()
            self._offer_due = None

    def may_come_back(self) -> bool:
        """The socket dropped or went away (not closed by central, nor for breaking the protocol: a frame
        too big, bad UTF-8) while its call waits or rings."""
        if self._ended or not self.live or self._ws.close_code not in COME_BACK_CODES:
            return False
        phase = self._desk.switchboard.caller_queue_state(self._caller_id).call
        return phase in (CallPhase.WAITING, CallPhase.RINGING)

    def stop_timers(self) -> None:
        self._disarm_idle()
        self._cancel_offer_timer()


async def phone_socket(request: web.Request) -> web.StreamResponse:
    """``GET /ws/phone?point=ID``: one phone's video help (see the module's docstring)."""
    desk = request.app[PHONE_DESK_KEY]
    if not same_origin(request, required=True):
        raise web.HTTPForbidden(text="cross-origin request refused")
    point = request.query.get("point", "")
    if point and not POINT_ID.fullmatch(point):
        raise web.HTTPBadRequest(text="unknown info point")
    limits = desk.limits
    address = request.app[POLICY_KEY].client_address(request)
    if desk.phones >= limits.max_phones:
        raise web.HTTPServiceUnavailable(text="too many phones connected; try again later")
    if desk.open_by_address[address] >= limits.max_per_address:
        raise web.HTTPTooManyRequests(text="too many phones connected from your address")
    ws = web.WebSocketResponse(heartbeat=limits.heartbeat_s, max_msg_size=limits.max_frame_bytes)
    await ws.prepare(request)
    phone = PhoneSocket(desk, ws, point)
    desk.sockets.add(phone)
    desk.open_by_address[address] += 1
    writer = asyncio.create_task(phone.pump(), name=f"phone-{phone.caller_id}")
    log.info("%s: connected (point %s)", phone.caller_id, point or "-")
    try:
        await phone.run()
    finally:
        desk.sockets.discard(phone)
        phone.stop_timers()
        if phone.may_come_back():
            desk.park(phone, address)
        else:
            desk.release(address)
            desk.switchboard.caller_lost(phone.caller_id)
        phone.end(int(WSCloseCode.GOING_AWAY))
        with contextlib.suppress(asyncio.CancelledError, TimeoutError):
            await asyncio.wait_for(writer, 2.0)
        log.info("%s: closed (%s)", phone.caller_id, ws.close_code)
    return ws


async def close_phones(app: web.Application) -> None:
    """On shutdown: every phone's socket closes (its call ends for the agent as a lost caller), and the
    parked calls leave the queue."""
    desk = app[PHONE_DESK_KEY]
    for phone in list(desk.sockets):
        phone.end(int(WSCloseCode.GOING_AWAY))
    for token in list(desk.parked):
        desk.expire(token)
