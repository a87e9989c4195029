"""The fleet's rules: what counts as wrong with a device (or a flight feed) at one look.

Pure functions of facts: :func:`device_findings` names every condition that holds for one device now;
:class:`central.alerts.watch.FleetWatch` turns conditions held long enough into raised alerts. A rule on a
figure (temperature, disk) takes a lower figure to count as well again while its alert is raised, so a
figure wavering around the threshold does not raise and clear over and over.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

from bus.messages.central import AlertSeverity
from bus.messages.device import CameraState, DeviceHealth, PrinterState
from central.alerts.settings import AlertsSection


class Rule(StrEnum):
    """Alert kinds the fleet's rules raise (the ``kind`` of the Alert message)."""

    DEVICE_OFFLINE = "device_offline"
    PAPER_OUT = "paper_out"
    PAPER_LOW = "paper_low"
    COVER_OPEN = "cover_open"
    CAMERA_NO_FRAMES = "camera_no_frames"
    TEMPERATURE_HIGH = "temperature_high"
    DISK_FULL = "disk_full"
    VERSION_DIFFERS = "version_differs"
    EVENTS_MISSING = "events_missing"
    FEED_STALE = "feed_stale"


SEVERITY: dict[Rule, AlertSeverity] = {
    Rule.DEVICE_OFFLINE: AlertSeverity.CRITICAL,
    Rule.PAPER_OUT: AlertSeverity.CRITICAL,
    Rule.PAPER_LOW: AlertSeverity.WARNING,
    Rule.COVER_OPEN: AlertSeverity.WARNING,
    Rule.CAMERA_NO_FRAMES: AlertSeverity.WARNING,
    Rule.TEMPERATURE_HIGH: AlertSeverity.WARNING,
    Rule.DISK_FULL: AlertSeverity.WARNING,
    Rule.VERSION_DIFFERS: AlertSeverity.INFO,
    Rule.EVENTS_MISSING: AlertSeverity.WARNING,
    Rule.FEED_STALE: AlertSeverity.WARNING,
}

DEVICE_RULES = tuple(rule for rule in Rule if rule is not Rule.FEED_STALE)


def alert_id(rule: Rule, subject: str) -> str:
    """``paper_out:kiosk-t1-01``, ``feed_stale:aidx``: the same id when raised and when cleared."""
    return f"{rule.value}:{subject}"


@dataclass(frozen=True)
class DeviceFacts:
    """What central knows of one device at one look."""

    device_id: str
    kind: str | None
    state: str
    """``online``, ``silent``, ``offline`` or ``unknown`` (see :class:`central.fleet.Presence`)."""
    reason: str | None
    location: str
    version: str
    health: DeviceHealth | None
    last_gap_at: float | None = None
    """When central last found events of this device missing (epoch s), if ever."""


def majority_versions(devices: Iterable[DeviceFacts], min_devices: int) -> dict[str, str]:
    """Per device kind, the version more than half of its online devices run (if there is one)."""
    by_kind: dict[str, Counter[str]] = {}
    for facts in devices:
        counted = version_counted(facts)
        if counted is not None:
            counts = by_kind.get(counted[0])
            if counts is None:  # not setdefault: that builds a Counter for every device of every look
                counts = by_kind[counted[0]] = Counter()
            counts[counted[1]] += 1
    return majority_of(by_kind, min_devices)


def version_counted(facts: DeviceFacts) -> tuple[str, str] | None:
    """The (kind, version) a device counts for in :func:`majority_versions`, if it counts."""
    if facts.kind is not None and facts.version and facts.state in ("online", "silent"):
        return facts.kind, facts.version
    return None


def majority_of(by_kind: dict[str, Counter[str]], min_devices: int) -> dict[str, str]:
    """The majority version of each kind from the counts of its versions (a tie is no majority, so which of two
    equal counts comes first does not matter)."""
    majority = {}
    for kind, counts in by_kind.items():
        total = sum(counts.values())
        if not total:
            continue
        version, count = counts.most_common(1)[0]
        if total >= min_devices and count * 2 > total:
            majority[kind] = version
    return majority


def device_findings(
    facts: DeviceFacts,
    settings: AlertsSection,
    majority: dict[str, str],
    is_raised: Callable[[Rule], bool],
    now: float,
) -> dict[Rule, str]:
    """Every rule that finds something wrong with the device now, with the text for people."""
    where = f" at {facts.location}" if facts.location else ""
    found: dict[Rule, str] = {}
    if facts.state in ("offline", "silent"):
        why = "no health reports" if facts.state == "silent" else f"offline ({facts.reason or 'no reason given'})"
        found[Rule.DEVICE_OFFLINE] = f"{facts.device_id}{where}: {why}"
    running = facts.state in ("online", "silent")
    expected = majority.get(facts.kind or "")
    if running and expected and facts.version and facts.version != expected:
        found[Rule.VERSION_DIFFERS] = f"{facts.device_id}{where} runs {facts.version}; most of its kind run {expected}"
    if facts.last_gap_at is not None and now - facts.last_gap_at < settings.events_missing_hold_s:
        found[Rule.EVENTS_MISSING] = f"{facts.device_id}{where}: some of its events never reached central"
    health = facts.health
    if health is not None:
        found.update(_health_findings(facts.device_id + where, health, settings, is_raised))
    return found


def _health_findings(
    who: str, health: DeviceHealth, settings: AlertsSection, is_raised: Callable[[Rule], bool]
) -> dict[Rule, str]:
    found: dict[Rule, str] = {}
    printer = health.printer.state if health.printer is not None else None
    if printer is PrinterState.PAPER_OUT:
        found[Rule.PAPER_OUT] = f"Printer out of paper: {who}"
    elif printer is PrinterState.PAPER_LOW:
        found[Rule.PAPER_LOW] = f"Printer paper near its end: {who}"
    elif printer is PrinterState.COVER_OPEN:
        found[Rule.COVER_OPEN] = f"Printer cover open: {who}"
    camera = health.camera
    if camera is not None:
        # A read stuck in the driver keeps "running" and the last fps figure: only the age of the last
        # frame tells. Devices that do not report it (older ones) are judged by their frame rate alone.
        frame_age_s = camera.last_frame_age_s
        stalled = frame_age_s is not None and frame_age_s > settings.camera_frame_age_s
        if camera.state is CameraState.FAILED:
            found[Rule.CAMERA_NO_FRAMES] = f"Camera failed: {who}"
        elif camera.state is CameraState.RUNNING and stalled:
            found[Rule.CAMERA_NO_FRAMES] = f"Camera's last frame {frame_age_s:.0f} s ago: {who}"
        elif camera.state is CameraState.RUNNING and camera.fps <= 0:
            found[Rule.CAMERA_NO_FRAMES] = f"Camera delivers no frames: {who}"
    # under the lower (clearing) threshold a figure is well whether or not its alert is raised: most
    # devices are, and are not asked about their alert
    temperature = health.temperature_c
    if (
        temperature is not None
        and temperature >= settings.temperature_clear_c
        and _over(temperature, settings.temperature_c, settings.temperature_clear_c, is_raised(Rule.TEMPERATURE_HIGH))
    ):
        found[Rule.TEMPERATURE_HIGH] = f"Temperature {temperature:.0f} °C: {who}"
    disk = health.disk_percent
    if (
        disk is not None
        and disk >= settings.disk_clear_percent
        and _over(disk, settings.disk_percent, settings.disk_clear_percent, is_raised(Rule.DISK_FULL))
    ):
        found[Rule.DISK_FULL] = f"Disk {disk:.0f}% full: {who}"
    elif health.disk_full:  # the disk refused a write: events wait in memory (docs/faults.md)
        found[Rule.DISK_FULL] = f"Disk full, events kept in memory until there is room: {who}"
    elif health.disk_low:  # the device's own free-space marks (with their own hysteresis): a small card fills first
        used = "" if disk is None else f" ({disk:.0f}% used)"
        found[Rule.DISK_FULL] = f"Disk low on free space{used}, trimming logs and old events: {who}"
    return found


def health_is_clear(health: DeviceHealth | None, settings: AlertsSection) -> bool:
    """Whether no rule on health can find anything in ``health``, whatever alerts are raised: every figure under
    its lower (clearing) threshold, printer and camera well. Most reports are; :class:`central.alerts.facts.
    KeptFleetFacts` keeps a device's facts as they were while its reports stay clear and nothing else changed,
    so that a look passes over it (a test holds this to :func:`_health_findings`)."""
    if health is None:
        return True
    printer = health.printer
    if printer is not None and printer.state in _PRINTER_WRONG:
        return False
    camera = health.camera
    if camera is not None:
        if camera.state is CameraState.FAILED:
            return False
        if camera.state is CameraState.RUNNING:
            age_s = camera.last_frame_age_s
            if camera.fps <= 0 or (age_s is not None and age_s > settings.camera_frame_age_s):
                return False
    temperature, disk = health.temperature_c, health.disk_percent
    if temperature is not None and temperature >= settings.temperature_clear_c:
        return False
    if disk is not None and disk >= settings.disk_clear_percent:
        return False
    return not (health.disk_low or health.disk_full)


_PRINTER_WRONG = frozenset({PrinterState.PAPER_OUT, PrinterState.PAPER_LOW, PrinterState.COVER_OPEN})


def _over(value: float, raise_above: float, clear_below: float, raised: bool) -> bool:
    """Whether a figure is (still) too high: over ``raise_above`` to raise, not yet under ``clear_below``
    to clear."""
    return value >= clear_below if raised else value > raise_above


def feed_finding(name: str, stale: bool, error: str, age_s: float | None) -> str | None:
    """The text of a stale flight feed's alert, None when the feed is delivering."""
    if not stale:
        return None
    since = "has never delivered" if age_s is None else f"silent for {age_s / 60:.0f} min"
    detail = f" (last error: {error})" if error else ""
    return f"Flight feed {name} {since}{detail}"
