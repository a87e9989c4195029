"""Which picture a call sends when the kiosk's CPU or the network cannot keep up: a pure controller.

A kiosk that cannot encode 640x480 at 30 frames a second does not drop frames evenly: its encoder falls
behind, frames queue, and the delay grows until the conversation is useless. Browsers' WebRTC avoids this
by lowering the frame rate and then the resolution; this controller does the same for the kiosk side.

Inputs, each call of :meth:`Adaptation.observe` with what was measured since the last one: the time the
encoder took per frame, the loss the far end reports (RTCP), and the bitrate the congestion controller
estimates. Output: the rung of :data:`LADDER` to send now, and why it was chosen ("kiosk CPU",
"network"), for the agent's console.

It steps down as soon as a problem has held for ``down_after_s`` (a backlog costs delay every second),
and climbs back only after ``up_after_s`` of room measured at the rung above. Hysteresis keeps it from
flapping: at least ``hold_s`` between any two changes, and a climb that has to be undone soon after
doubles the wait before the next climb (up to ``up_after_max_s``), as WebRTC's bandwidth probing does.
The clock is passed in: no I/O, no timers, no asyncio.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True, order=True)
class Rung:
    """One picture size and rate the call may send."""

    width: int
    height: int
    fps: float
    kbps: float
    """The bitrate this rung needs to look right (VP8); below it the network is the limit."""

    @property
    def pixels(self) -> int:
        return self.width * self.height

    def __str__(self) -> str:
        return f"{self.width}x{self.height}@{self.fps:g}"


REFERENCE_KBPS = 900.0
"""What VP8 needs for a face at 640x480@30 to look right; other rungs scale from it, less than in
proportion (a smaller or slower picture compresses worse per pixel)."""


def needed_kbps(width: int, height: int, fps: float) -> float:
    share = ((width * height) / (640 * 480)) ** 0.75 * (fps / 30) ** 0.6
    return float(max(100, round(REFERENCE_KBPS * share / 50) * 50))


def ladder_from(width: int, height: int, fps: float) -> tuple[Rung, ...]:
    """The ladder for a configured picture: it, then half its rate, then 3/4 and 1/2 of its size at that rate.
    Sizes stay even, as the encoders want them."""

    def rung(scale: float, rate: float) -> Rung:
        w, h = max(2, round(width * scale / 2) * 2), max(2, round(height * scale / 2) * 2)
        return Rung(w, h, float(rate), needed_kbps(w, h, rate))

    half = max(1.0, fps / 2)
    unique: list[Rung] = []
    for candidate in (rung(1.0, fps), rung(1.0, half), rung(0.75, half), rung(0.5, half)):
        if all((candidate.width, candidate.height, candidate.fps) != (r.width, r.height, r.fps) for r in unique):
            unique.append(candidate)
    return tuple(unique)


LADDER = ladder_from(640, 480, 30)
"""640x480@30, @15, 480x360@15, 320x240@15: frame rate goes first (a face at 15 frames a second is still a
conversation), then the size."""


class Limit(StrEnum):
    """Why the call sends less than the best rung (shown to the agent)."""

    NONE = ""
    CPU = "kiosk CPU"
    NETWORK = "network"


@dataclass(frozen=True)
class Measured:
    """What the session measured since the last observation; None where nothing was measured."""

    at: float
    """Seconds on the caller's monotonic clock."""
    encode_ms: float | None = None
    """Mean time to encode one frame at the rung sent now."""
    loss: float | None = None
    """Share of packets the far end lost, 0..1 (RTCP receiver reports)."""
    bitrate_kbps: float | None = None
    """The congestion controller's estimate of what the path carries now."""


@dataclass(frozen=True)
class Tuning:
    busy_share: float = 0.8
    """Encoding one frame taking more than this share of the frame interval is falling behind."""
    room_share: float = 0.5
    """A climb needs the frame, as the rung above would cost, to take less than this share."""
    loss_high: float = 0.04
    """Above it (sustained ``down_after_s``) the picture steps down. It was 8%: a path losing 5% at 1 Mbit/s
    then kept the full picture whenever aiortc's rate control had already fitted the encoder to the path, as
    its congestion estimate stays inside its encoder and does not reach this ladder; loss is the network's
    signal here. Climbing back still needs 2% or less."""
    loss_low: float = 0.02
    bitrate_margin: float = 1.15
    """A climb needs the estimate to exceed the rung above's bitrate by this factor."""
    down_after_s: float = 1.0
    up_after_s: float = 6.0
    up_after_max_s: float = 60.0
    hold_s: float = 2.0
    failed_climb_s: float = 10.0
    """A step down within this long after a climb means the climb failed: the next waits twice as long."""


@dataclass(frozen=True)
class Decision:
    rung: Rung
    limit: Limit
    changed: bool


class Adaptation:
    """Chooses the rung to send; feed it :class:`Measured` in time order."""

    def __init__(self, ladder: tuple[Rung, ...] = LADDER, tuning: Tuning | None = None, enabled: bool = True) -> None:
        if not ladder:
            raise ValueError("the ladder needs at least one rung")
        self.ladder = ladder
        self._tuning = tuning or Tuning()
        self.enabled = enabled
        self.index = 0
        self.limit = Limit.NONE
        self.changes: list[tuple[float, Rung, Limit]] = []
        self._trouble_since: float | None = None
        self._trouble = Limit.NONE
        self._room_since: float | None = None
        self._last_change: float | None = None
        self._last_climb: float | None = None
        self._up_after_s = self._tuning.up_after_s

    @property
    def tuning(self) -> Tuning:
        return self._tuning

    @tuning.setter
    def tuning(self, tuning: Tuning) -> None:
        """New rules from now on, the wait before a climb included (not the one doubled under the old rules)."""
        self._tuning = tuning
        self._up_after_s = tuning.up_after_s

    @property
    def rung(self) -> Rung:
        return self.ladder[self.index]

    def observe(self, measured: Measured) -> Decision:
        if not self.enabled:
            return Decision(self.rung, Limit.NONE, False)
        now = measured.at
        trouble = self._trouble_now(measured)
        if trouble is not Limit.NONE:
            self._room_since = None
            if self._trouble_since is None or trouble is not self._trouble:
                self._trouble_since, self._trouble = now, trouble
            if now - self._trouble_since >= self.tuning.down_after_s and self._may_change(now):
                if self.index + 1 < len(self.ladder):
                    return self._step(now, +1, trouble)
                self.limit = trouble  # already at the bottom: still say why the picture is small
            return Decision(self.rung, self.limit, False)
        self._trouble_since = None
        if self.index == 0:
            self.limit = Limit.NONE
            return Decision(self.rung, self.limit, False)
        if not self._room_above(measured):
            self._room_since = None
            return Decision(self.rung, self.limit, False)
        if self._room_since is None:
            self._room_since = now
        if now - self._room_since >= self._up_after_s and self._may_change(now):
            return self._step(now, -1, self.limit)
        return Decision(self.rung, self.limit, False)

    def fall_to_bottom(self, at: float, why: Limit) -> Decision:
        """Go straight to the last rung (a backlog of seconds: stepping down a rung every ``hold_s`` would let
        it grow for as long again); still never sooner than ``hold_s`` after the last change."""
        if not self.enabled or self.index == len(self.ladder) - 1 or not self._may_change(at):
            return Decision(self.rung, self.limit, False)
        return self._step(at, len(self.ladder) - 1 - self.index, why)

    # --- the rules ---------------------------------------------------------------------------------

    def _trouble_now(self, m: Measured) -> Limit:
        t = self.tuning
        interval_ms = 1000.0 / self.rung.fps
        if m.encode_ms is not None and m.encode_ms > t.busy_share * interval_ms:
            return Limit.CPU
        if m.loss is not None and m.loss > t.loss_high:
            return Limit.NETWORK
        if m.bitrate_kbps is not None and m.bitrate_kbps < self.rung.kbps:
            return Limit.NETWORK
        return Limit.NONE

    def _room_above(self, m: Measured) -> bool:
        """Whether the rung above would fit: the encode time scaled by its pixels, the loss, the bitrate."""
        t = self.tuning
        above = self.ladder[self.index - 1]
        if m.encode_ms is not None:
            cost_ms = m.encode_ms * above.pixels / self.rung.pixels  # a frame's encode time goes with its pixels
            if cost_ms > t.room_share * 1000.0 / above.fps:
                return False
        if m.loss is not None and m.loss > t.loss_low:
            return False
        return not (m.bitrate_kbps is not None and m.bitrate_kbps < t.bitrate_margin * above.kbps)

    def _may_change(self, now: float) -> bool:
        return self._last_change is None or now - self._last_change >= self.tuning.hold_s

    def _step(self, now: float, by: int, why: Limit) -> Decision:
        t = self.tuning
        if by > 0 and self._last_climb is not None and now - self._last_climb < t.failed_climb_s:
            self._up_after_s = min(t.up_after_max_s, self._up_after_s * 2)  # that climb did not hold
        if by < 0:
            self._last_climb = now
        elif self._last_climb is not None and now - self._last_climb >= t.failed_climb_s:
            self._up_after_s = t.up_after_s  # the last climb held: climbs are cheap again
        self.index += by
        self.limit = Limit.NONE if self.index == 0 else why
        self._last_change = now
        self._trouble_since = None
        self._room_since = None
        self.changes.append((now, self.rung, self.limit))
        return Decision(self.rung, self.limit, True)
