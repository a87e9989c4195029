"""The alert book: the alerts raised now and the recently cleared ones, with who acknowledged each and when.

Every source of alerts (the fleet's rules, demand surges, …) reaches the book through :class:`AlertSink`;
the bus, the facilities page and the webhook listen to the book. Pure: no I/O, the clock is passed in.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Protocol, TypedDict

from bus.messages.central import Alert, AlertSeverity, AlertState

log = logging.getLogger(__name__)

Clock = Callable[[], float]
MAX_ACKER_CHARS = 64


class AlertSink(Protocol):
    """Where a source of alerts reports them. Raising an alert that is raised already, or clearing one that
    is not, does nothing, so a source may repeat itself."""

    def raised(self, alert_id: str, kind: str, severity: AlertSeverity, device: str | None, message: str) -> None: ...

    def cleared(self, alert_id: str) -> None: ...


class BookChange(StrEnum):
    RAISED = "raised"
    CLEARED = "cleared"
    ACKED = "acked"


class AlertView(TypedDict):
    """An alert as ``GET /api/alerts`` and the page's ``alert`` events show it."""

    id: str
    kind: str
    severity: str
    device: str | None
    message: str
    state: str
    raised_at: str
    cleared_at: str | None
    acked_by: str | None
    acked_at: str | None


class AlertList(TypedDict):
    active: list[AlertView]
    cleared: list[AlertView]


@dataclass
class _Entry:
    alert_id: str
    kind: str
    severity: AlertSeverity
    device: str | None
    message: str
    raised_at: float
    cleared_at: float | None = None
    acked_by: str | None = None
    acked_at: float | None = None


BookListener = Callable[[BookChange, AlertView], None]


class UnknownAlert(KeyError):
    """No alert, raised or recently cleared, has this id."""


class AlertBook:
    """Raised alerts by id and the last ``keep_cleared`` cleared ones; an :class:`AlertSink`."""

    def __init__(self, keep_cleared: int = 200, clock: Clock = time.time) -> None:
        self._keep_cleared = keep_cleared
        self._clock = clock
        self._active: dict[str, _Entry] = {}
        self._cleared: OrderedDict[str, _Entry] = OrderedDict()  # oldest first
        self._listeners: list[BookListener] = []

    def add_listener(self, listener: BookListener) -> None:
        self._listeners.append(listener)

    # --- AlertSink -------------------------------------------------------------------------------------

    def raised(self, alert_id: str, kind: str, severity: AlertSeverity, device: str | None, message: str) -> None:
        if alert_id in self._active:
            return
        # checked here, once, so that a bad id from any source fails where it is made, not on the bus
        Alert(id=alert_id, state=AlertState.RAISED, kind=kind, severity=severity, device=device, message=message)
        entry = _Entry(alert_id, kind, severity, device, message, self._clock())
        self._cleared.pop(alert_id, None)
        self._active[alert_id] = entry
        log.warning("alert %s raised (%s): %s", alert_id, severity.value, message)
        self._notify(BookChange.RAISED, entry)

    def cleared(self, alert_id: str) -> None:
        entry = self._active.pop(alert_id, None)
        if entry is None:
            return
        entry.cleared_at = self._clock()
        self._cleared[alert_id] = entry
        while len(self._cleared) > self._keep_cleared:
            self._cleared.popitem(last=False)
        log.info("alert %s cleared", alert_id)
        self._notify(BookChange.CLEARED, entry)

    # --- people ----------------------------------------------------------------------------------------

    def acknowledge(self, alert_id: str, who: str) -> AlertView:
        """Record that ``who`` has seen the alert; the first acknowledgement stands."""
        entry = self._active.get(alert_id) or self._cleared.get(alert_id)
        if entry is None:
            raise UnknownAlert(alert_id)
        if entry.acked_by is None:
            entry.acked_by = who[:MAX_ACKER_CHARS]
            entry.acked_at = self._clock()
            log.info("alert %s acknowledged by %s", alert_id, entry.acked_by)
            self._notify(BookChange.ACKED, entry)
        return _view(entry)

    # --- reading ---------------------------------------------------------------------------------------

    def get(self, alert_id: str) -> AlertView | None:
        entry = self._active.get(alert_id) or self._cleared.get(alert_id)
        return None if entry is None else _view(entry)

    def is_raised(self, alert_id: str) -> bool:
        return alert_id in self._active

    def listing(self) -> AlertList:
        """Raised alerts (newest first), then cleared ones (most recently cleared first)."""
        active = sorted(self._active.values(), key=lambda entry: entry.raised_at, reverse=True)
        cleared = reversed(self._cleared.values())
        return AlertList(active=[_view(e) for e in active], cleared=[_view(e) for e in cleared])

    def active_counts(self) -> dict[tuple[str, str], int]:
        """Raised alerts by (kind, severity)."""
        counts: dict[tuple[str, str], int] = {}
        for entry in self._active.values():
            key = (entry.kind, entry.severity.value)
            counts[key] = counts.get(key, 0) + 1
        return counts

    def unacknowledged(self) -> int:
        return sum(1 for entry in self._active.values() if entry.acked_by is None)

    def _notify(self, change: BookChange, entry: _Entry) -> None:
        view = _view(entry)
        for listener in self._listeners:
            try:
                listener(change, view)
            except Exception:
                log.exception("alert listener failed on %s", entry.alert_id)


def alert_message(view: AlertView) -> Alert:
    """The bus message for a raised or cleared alert."""
    cleared = view["state"] == AlertState.CLEARED.value
    ts = view["cleared_at"] if cleared else view["raised_at"]
    return Alert(
        id=view["id"],
        state=AlertState(view["state"]),
        kind=view["kind"],
        severity=AlertSeverity(view["severity"]),
        device=view["device"],
        message=view["message"],
        ts=datetime.fromisoformat(ts) if ts else datetime.now(UTC),
    )


def _iso(epoch_s: float | None) -> str | None:
    return None if epoch_s is None else datetime.fromtimestamp(epoch_s, UTC).isoformat()


def _view(entry: _Entry) -> AlertView:
    return AlertView(
        id=entry.alert_id,
        kind=entry.kind,
        severity=entry.severity.value,
        device=entry.device,
        message=entry.message,
        state=(AlertState.RAISED if entry.cleared_at is None else AlertState.CLEARED).value,
        raised_at=_iso(entry.raised_at) or "",
        cleared_at=_iso(entry.cleared_at),
        acked_by=entry.acked_by,
        acked_at=_iso(entry.acked_at),
    )
