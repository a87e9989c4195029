"""Which picture the kiosk asks the agent to send when it cannot decode and draw what arrives: a pure controller.

The sending side (video/adaptation.py) protects the agent from the kiosk's slow encoder; this protects the
passenger from the kiosk's slow decoder. When the kiosk is short of CPU its decoder falls behind: frames
wait, video/decode_queue.py drops the backlog and waits for a keyframe, and the picture stutters. Asking the
agent's browser for fewer pixels and frames (it applies them with ``RTCRtpSender.setParameters``) fixes the
cause. The same ladder and hysteresis as the sending side are used, fed with the decoder's time per frame;
frames skipped unseen, or the kiosk's own sent picture already reduced for its CPU, count as falling behind.

The plainest sign is the pictures' own age: how much later than the first one each picture arrives,
compared with when the agent took it (RTP timestamps), "behind". A kiosk whose event loop is starved (a
small CPU, a CPU quota) lets packets wait in the socket's buffer and every picture is older than the last;
so is a path to the kiosk with too little bandwidth. Behind by more than ``behind_high_ms`` asks for less,
for the kiosk's CPU when its event loop is late as well, else for the network; climbing back needs it under
``behind_low_ms``. Behind by more than ``behind_severe_ms`` goes straight to the smallest picture: a kiosk
seconds behind cannot wait a rung every two seconds while the backlog grows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from video.adaptation import LADDER, Adaptation, Decision, Limit, Measured, Rung, Tuning

PICTURE_MESSAGE = "picture"
"""The ``type`` of the data channel message that asks the agent's side for a picture."""


@dataclass(frozen=True)
class Received:
    """What the kiosk measured of the agent's pictures since the last observation."""

    at: float
    """Seconds on the caller's monotonic clock."""
    decode_ms: float | None = None
    """The decoder's time per frame, smoothed; None before it has decoded two."""
    skipped: int = 0
    """Frames dropped without being decoded since the last observation (a backlog)."""
    sending_cut_for_cpu: bool = False
    """The kiosk already sends a smaller picture (not only a slower one) because of its CPU."""
    behind_ms: float | None = None
    """How much older than the freshest so far the agent's pictures arrived since the last observation, at
    best (the least of them: a backlog delays every picture, jitter only some)."""
    loop_late_ms: float | None = None
    """How late the kiosk's event loop woke for this observation: a starved loop is a CPU problem."""


@dataclass(frozen=True)
class PictureRequest:
    """The most the kiosk wants from the agent now; None fields leave the agent's side free."""

    max_width: int | None
    max_height: int | None
    max_fps: float | None
    max_kbps: float | None
    limit: Limit

    @classmethod
    def for_rung(cls, rung: Rung, best: bool, limit: Limit) -> PictureRequest:
        if best:
            return cls(None, None, None, None, Limit.NONE)
        return cls(rung.width, rung.height, rung.fps, rung.kbps, limit)

    def message(self) -> dict[str, Any]:
        """The data channel message, as central/web/static/agent-call.js reads it."""
        return {
            "type": PICTURE_MESSAGE,
            "max_width": self.max_width,
            "max_height": self.max_height,
            "max_fps": self.max_fps,
            "max_kbps": self.max_kbps,
            "limit": str(self.limit),
        }


class ReceiveAdaptation:
    """Chooses the picture to ask the agent for; feed it :class:`Received` in time order."""

    def __init__(
        self,
        ladder: tuple[Rung, ...] = LADDER,
        tuning: Tuning | None = None,
        enabled: bool = True,
        *,
        behind_high_ms: float = 150.0,
        behind_low_ms: float = 80.0,
        behind_severe_ms: float = 1000.0,
        loop_late_ms: float = 30.0,
    ) -> None:
        self._ladder = Adaptation(ladder, tuning, enabled)
        self.behind_high_ms = behind_high_ms
        self.behind_severe_ms = behind_severe_ms
        self.behind_low_ms = behind_low_ms
        self.loop_late_ms = loop_late_ms

    @property
    def enabled(self) -> bool:
        return self._ladder.enabled

    @property
    def tuning(self) -> Tuning:
        return self._ladder.tuning

    @tuning.setter
    def tuning(self, tuning: Tuning) -> None:
        self._ladder.tuning = tuning

    @property
    def index(self) -> int:
        return self._ladder.index

    @property
    def changes(self) -> list[tuple[float, Rung, Limit]]:
        return self._ladder.changes

    @property
    def request(self) -> PictureRequest:
        return PictureRequest.for_rung(self._ladder.rung, self._ladder.index == 0, self._ladder.limit)

    def observe(self, received: Received) -> Decision:
        decode_ms, loss = received.decode_ms, None
        starved = received.loop_late_ms is not None and received.loop_late_ms > self.loop_late_ms
        behind = received.behind_ms
        if behind is not None and behind > self.behind_severe_ms:
            fallen = self._ladder.fall_to_bottom(received.at, Limit.CPU if starved else Limit.NETWORK)
            if fallen.changed:
                return fallen
        if received.skipped > 0 or received.sending_cut_for_cpu:
            decode_ms = math.inf  # behind whatever the decoder's last frames cost
        elif behind is not None and behind > self.behind_high_ms:
            if starved:
                decode_ms = math.inf
            else:
                loss = 1.0  # the adaptation's sign for the network
        elif behind is not None and behind > self.behind_low_ms:
            # neither trouble nor room: loss between the adaptation's two thresholds holds the rung
            tuning = self._ladder.tuning
            loss = (tuning.loss_low + tuning.loss_high) / 2
        return self._ladder.observe(Measured(at=received.at, encode_ms=decode_ms, loss=loss))
