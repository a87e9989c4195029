"""The phases of a passenger's call and the reasons the kiosk ends one: light enough for the screens to
import without loading the WebRTC stack."""

from __future__ import annotations

from enum import StrEnum

from bus.messages.call import EndReason as CallEndReason


class SessionPhase(StrEnum):
    IDLE = "idle"
    """Made, not started."""
    REQUESTING = "requesting"
    """The request is sent; the switchboard has not answered yet."""
    WAITING = "waiting"
    """In the queue (``on_queue`` tells the position and expected wait)."""
    CONNECTING = "connecting"
    """An agent accepted: offer, answer and ICE under way, at most ``connect_timeout_s``."""
    IN_CALL = "in_call"
    """The media path is up."""
    ENDED = "ended"
    """Over; ``on_ended`` follows once everything the call held is released."""


class EndReason(StrEnum):
    """Why the session itself ended a call. A switchboard's ``ended`` reason (``agent``, ``agent_lost``,
    ``failed``, …) is passed to ``on_ended`` as it came; the reasons that go on the wire take their values
    from the contract's :class:`bus.messages.call.EndReason`."""

    CALLER = CallEndReason.CALLER.value
    """The passenger hung up after an agent had accepted."""
    CANCELLED = "cancelled"
    """The passenger gave up before an agent accepted."""
    FAILED = CallEndReason.FAILED.value
    """The call could not be set up (signalling down, unusable answer, ICE failed, connect timeout) or lost
    its media for ``media_timeout_s``."""
