"""A device gone from the bus mid-call: its connected call is kept for ``[calls] device_grace_s``.

A kiosk's Last Will says only that the broker lost its connection (a network blip, a broker failing over),
not that the kiosk is gone: the call's media is peer to peer and may well still flow. So a *connected* call
whose device's Last Will arrives is kept, and its agent is told (``caller_away``); if the device is online
again before the grace ends, the agent is told that too (``caller_back``) and nothing else happens. Else the
call ends ``caller_lost`` when the grace ends, as it did at once before. A waiting or ringing call, a clean
shutdown, a retired device and a phone's closed socket end the call at once as before (:func:`lost`).

While the device is away its messages are held, not published: kiosks connect with a clean session, so the
broker would drop them. On its return they are sent in order; so a kiosk whose agent hung up meanwhile hears
``ended`` then. Held are at most :data:`HELD_MAX` messages (the newest), and only until the grace ends: after
that a kiosk has ended the call by itself (its media stopped: ``[video] media_timeout_s``).
"""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass, field

from central.switchboard import caller_commands
from central.switchboard.console.events import CallerAway, CallerBack
from central.switchboard.model import CallerChannel, CallerMessage, LivePhase
from central.switchboard.state import SwitchboardState

log = logging.getLogger(__name__)

HELD_MAX = 64
"""Messages held for an away device; a call makes a handful (``ended``, a transfer, hold and resume)."""


@dataclass(slots=True, eq=False)
class HeldChannel:
    """Stands for an away device's channel: keeps what the switchboard sends until the device is back."""

    inner: CallerChannel
    held: deque[CallerMessage] = field(default_factory=lambda: deque(maxlen=HELD_MAX))

    @property
    def caller_id(self) -> str:
        return self.inner.caller_id

    @property
    def kind(self) -> str:
        return self.inner.kind

    def send(self, message: CallerMessage) -> None:
        self.held.append(message)


@dataclass(slots=True, eq=False)
class AwayCaller:
    call_id: str
    channel: HeldChannel
    until: float


def lost(sb: SwitchboardState, caller_id: str, may_return: bool) -> None:
    """The caller's device vanished: keep its connected call when it ``may_return`` (a Last Will), else end it."""
    if caller_id in sb.away:
        if not may_return:  # away, then shut down or retired: gone for good
            _expire(sb, caller_id)
        return
    call_id = sb.caller_calls.get(caller_id)
    grace_s = sb.settings.device_grace_s
    if call_id is None or not may_return or grace_s <= 0 or sb.calls[call_id].phase is not LivePhase.CONNECTED:
        caller_commands.lost(sb, caller_id)
        return
    call = sb.calls[call_id]
    until = sb.clock() + grace_s
    held = HeldChannel(call.channel)
    call.channel = held
    sb.away[caller_id] = AwayCaller(call_id, held, until)
    sb.away_deadlines.set(caller_id, until)
    agent = sb.agents.get(call.agent_id) if call.agent_id is not None else None
    if agent is not None:
        sb.send_agent(agent, CallerAway(call=call_id, until_s=until, grace_s=grace_s))
    sb.changed = True
    log.info("call %s: %s lost its connection; the call is kept for %g s", call_id, caller_id, grace_s)


def back(sb: SwitchboardState, caller_id: str) -> None:
    """The device is online again: its call goes on; what it missed meanwhile is sent now, in order."""
    away = sb.away.pop(caller_id, None)
    if away is None:
        return
    sb.away_deadlines.cancel(caller_id)
    call = sb.calls.get(away.call_id)
    if call is not None and call.channel is away.channel:
        call.channel = away.channel.inner
        agent = sb.agents.get(call.agent_id) if call.agent_id is not None else None
        if agent is not None:
            sb.send_agent(agent, CallerBack(call=call.call_id))
    inner = away.channel.inner
    for message in away.channel.held:
        sb.outbox.append((inner.send, message, caller_id))
    sb.changed = True
    log.info("call %s: %s is back (%d messages it missed sent)", away.call_id, caller_id, len(away.channel.held))


def due(sb: SwitchboardState, now: float) -> None:
    """Graces that ran out by ``now``: the calls still kept end ``caller_lost``."""
    while (caller_id := sb.away_deadlines.pop_due(now)) is not None:
        _expire(sb, caller_id)


def _expire(sb: SwitchboardState, caller_id: str) -> None:
    away = sb.away.pop(caller_id)
    sb.away_deadlines.cancel(caller_id)
    call = sb.calls.get(away.call_id)
    if call is None:
        return  # it ended meanwhile (the agent hung up): recorded then
    if call.channel is away.channel:
        call.channel = away.channel.inner
    log.info("call %s: %s not back within the grace", away.call_id, caller_id)
    caller_commands.lost(sb, caller_id)
