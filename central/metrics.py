"""``GET /metrics``: the fleet, the alerts, the call queue and the flight feeds for Prometheus.

Everything is read at scrape time from central's live state (a custom collector on a registry of its
own, not the library's global one), so there is nothing to keep in step. Label sets stay bounded: devices
are bounded by ``[fleet] max_devices`` (and the registry), ``terminal`` is ``T`` and one or two digits
taken from the location or the id, states and kinds are enums, skills come from the settings.

Who may read it (see docs/security.md): with ``[metrics] token`` set, whoever sends
``Authorization: Bearer <token>``; without one, only a scraper on the same machine (a loopback peer whose
request came through no proxy), because the figures name every device and where it stands.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector, CollectorRegistry
from pydantic import Field, SecretStr

from bus.messages.central import QueueSummary
from bus.messages.device import DeviceHealth
from central.alerts.book import AlertBook
from central.alerts.facts import EventGaps
from central.alerts.rules import SEVERITY
from central.feeds.health import FeedView
from central.fleet import DeviceView, FleetSnapshot, FleetState
from central.switchboard import Switchboard
from central.switchboard.kpi import Kpis
from config.sections import Section

PREFIX = "airport"
DEVICE_LABELS = ("device", "kind", "terminal")
_TERMINAL_IN_LOCATION = re.compile(r"\b(T\d{1,2})\b", re.IGNORECASE)
_TERMINAL_IN_ID = re.compile(r"(?:^|-)(t\d{1,2})(?:-|$)")
MIB = 1024 * 1024
FORWARDING_HEADERS = ("X-Forwarded-For", "Forwarded", "X-Real-IP")


class MetricsSection(Section):
    """Who may read GET /metrics (see docs/security.md)."""

    token: SecretStr | None = Field(
        default=None,
        description="Bearer token a Prometheus scraper sends (Authorization: Bearer …); unset: /metrics answers "
        "only scrapers on this machine (loopback, not through a proxy).",
    )


def terminal_of(device_id: str, location: str) -> str:
    """``T1`` from "T1 Hall B, gate 12" or from ``kiosk-t1-07``; "" when neither says."""
    found = _TERMINAL_IN_LOCATION.search(location) or _TERMINAL_IN_ID.search(device_id)
    return found.group(1).upper() if found else ""


@dataclass
class MetricSources:
    """What the figures are read from; each part may be missing (then its metrics are too)."""

    fleet: FleetState
    book: AlertBook | None = None
    gaps: EventGaps | None = None
    switchboard: Switchboard | None = None
    feeds: Callable[[], list[FeedView]] | None = None
    clock: Callable[[], float] = time.time
    unsaved: Callable[[], dict[str, int]] | None = None
    """Per store of central's, what its full disk refused and memory keeps (docs/faults.md)."""


@dataclass(frozen=True)
class Readings:
    """Everything one scrape shows, read at once on the loop; nothing in it changes afterwards (views are
    fresh copies, health messages are immutable), so the text can be made from it in another thread."""

    now: float
    fleet: FleetSnapshot
    health: dict[str, DeviceHealth]
    gaps: dict[str, tuple[int, int]] | None
    """Per device: events found missing so far, and those that came late to fill a gap."""
    alerts: dict[tuple[str, str], int] | None
    unacknowledged: int
    queue: QueueSummary | None
    phases: dict[str, int]
    today: Kpis | None
    feeds: list[FeedView] | None
    unsaved: dict[str, int] | None = None


def read(sources: MetricSources) -> Readings:
    fleet = sources.fleet.snapshot()
    health = {view["id"]: found for view in fleet["devices"] if (found := sources.fleet.health_of(view["id"]))}
    board = sources.switchboard
    phases = {"waiting": 0, "ringing": 0, "connected": 0}
    for call in board.live_calls() if board is not None else []:
        phases[call.phase.value] = phases.get(call.phase.value, 0) + 1
    return Readings(
        now=sources.clock(),
        fleet=fleet,
        health=health,
        gaps=sources.gaps.counts() if sources.gaps is not None else None,
        alerts=sources.book.active_counts() if sources.book is not None else None,
        unacknowledged=sources.book.unacknowledged() if sources.book is not None else 0,
        queue=board.queue_summary() if board is not None else None,
        phases=phases,
        today=board.kpis_today() if board is not None else None,
        feeds=sources.feeds() if sources.feeds is not None else None,
        unsaved=sources.unsaved() if sources.unsaved is not None else None,
    )


def families(readings: Readings) -> Iterator[Metric]:
    """Every metric family of one scrape."""
    yield from _fleet_metrics(readings)
    if readings.gaps is not None:
        yield from _gap_metrics(readings.gaps)
    if readings.alerts is not None:
        yield from _alert_metrics(readings.alerts, readings.unacknowledged)
    if readings.queue is not None and readings.today is not None:
        yield from _queue_metrics(readings.queue, readings.phases, readings.today)
    if readings.feeds is not None:
        yield from _feed_metrics(readings.feeds, readings.now)
    if readings.unsaved is not None:
        unsaved = _gauge(
            "store_unsaved", "Writes central's full disk refused, kept in memory until there is room", ["store"]
        )
        for store, count in sorted(readings.unsaved.items()):
            unsaved.add_metric([store], count)
        yield unsaved


class CentralCollector(Collector):
    """The same figures as a prometheus-client collector, read and built at each collection."""

    def __init__(self, sources: MetricSources) -> None:
        self._sources = sources

    def collect(self) -> Iterator[Metric]:
        yield from families(read(self._sources))


def _gauge(name: str, documentation: str, labels: Iterable[str] = DEVICE_LABELS) -> GaugeMetricFamily:
    return GaugeMetricFamily(f"{PREFIX}_{name}", documentation, labels=list(labels))


def _fleet_metrics(readings: Readings) -> Iterator[Metric]:
    snapshot, now = readings.fleet, readings.now
    online = _gauge("device_online", "1 when the device is online (its birth seen, no Last Will since)")
    silent = _gauge("device_silent", "1 when the device is online but sends no health")
    seen_age = _gauge("device_last_seen_age_seconds", "Seconds since central last heard from the device")
    info = _gauge("device_info", "1 per device, with its software version", [*DEVICE_LABELS, "version"])
    figures = {
        "cpu": _gauge("device_cpu_percent", "Whole-system CPU use, %"),
        "memory": _gauge("device_memory_percent", "System RAM in use, %"),
        "disk": _gauge("device_disk_percent", "Use of the disk holding the state directory, %"),
        "temperature": _gauge("device_temperature_celsius", "SoC or CPU temperature, degrees Celsius"),
        "throttled": _gauge("device_throttled", "Raspberry Pi: 1 when under-voltage or throttling is active now"),
        "rss": _gauge("device_app_rss_bytes", "Resident memory of the app process, bytes"),
        "uptime": _gauge("device_uptime_seconds", "Seconds since the app started"),
        "rtt": _gauge("device_broker_rtt_seconds", "Last PUBLISH to PUBACK round trip, seconds"),
        "printer": _gauge("device_printer_state", "1 for the printer's current state", [*DEVICE_LABELS, "state"]),
        "held": _gauge("device_printer_jobs_held", "Print jobs held because the printer cannot print now"),
        "camera": _gauge("device_camera_state", "1 for the camera's current state", [*DEVICE_LABELS, "state"]),
        "fps": _gauge("device_camera_fps", "Frames per second the camera delivers"),
        "frame_age": _gauge("device_camera_last_frame_age_seconds", "Seconds since the camera's last frame"),
    }
    for view in snapshot["devices"]:
        labels = [view["id"], view["kind"] or "", terminal_of(view["id"], view["location"])]
        online.add_metric(labels, 1.0 if view["online"] else 0.0)
        silent.add_metric(labels, 1.0 if view["silent"] else 0.0)
        age = _age_s(view, now)
        if age is not None:
            seen_age.add_metric(labels, age)
        info.add_metric([*labels, view["version"]], 1.0)
        health = readings.health.get(view["id"])
        if health is not None:
            _add_health(figures, labels, health)
    yield from (online, silent, seen_age, info, *figures.values())
    devices = _gauge("fleet_devices", "Devices by presence", ["state"])
    counts = snapshot["counts"]
    for state, count in (
        ("online", counts["online"]),
        ("offline", counts["offline"]),
        ("silent", counts["silent"]),
        ("total", counts["total"]),
    ):
        devices.add_metric([state], float(count))
    yield devices


def _age_s(view: DeviceView, now: float) -> float | None:
    if view["last_seen"] is None:
        return None
    return max(0.0, now - datetime.fromisoformat(view["last_seen"]).timestamp())


def _add_health(figures: dict[str, GaugeMetricFamily], labels: list[str], health: DeviceHealth) -> None:
    figures["cpu"].add_metric(labels, health.cpu_percent)
    figures["memory"].add_metric(labels, health.memory_percent)
    figures["rss"].add_metric(labels, health.app_rss_mb * MIB)
    figures["uptime"].add_metric(labels, health.uptime_s)
    optional = {
        "disk": health.disk_percent,
        "temperature": health.temperature_c,
        "throttled": None if health.throttled is None else float(health.throttled),
        "rtt": None if health.broker_rtt_ms is None else health.broker_rtt_ms / 1000,
    }
    for name, value in optional.items():
        if value is not None:
            figures[name].add_metric(labels, value)
    if health.printer is not None:
        figures["printer"].add_metric([*labels, health.printer.state.value], 1.0)
        figures["held"].add_metric(labels, health.printer.jobs_held)
    if health.camera is not None:
        figures["camera"].add_metric([*labels, health.camera.state.value], 1.0)
        figures["fps"].add_metric(labels, health.camera.fps)
        if health.camera.last_frame_age_s is not None:
            figures["frame_age"].add_metric(labels, health.camera.last_frame_age_s)


def _gap_metrics(gaps: dict[str, tuple[int, int]]) -> Iterator[Metric]:
    # two counters that only grow, and their difference as a gauge: a late event filling a gap used to lower the
    # one counter, and Prometheus takes any drop of a counter for a restart (rate() and increase() go wrong)
    found = CounterMetricFamily(
        f"{PREFIX}_device_events_missing", "Events of a device found missing (gaps in seq), so far", labels=["device"]
    )
    filled = CounterMetricFamily(
        f"{PREFIX}_device_events_filled", "Events of a device that came late and filled a gap", labels=["device"]
    )
    now = _gauge("device_events_missing_now", "Events of a device found missing and not filled since", ["device"])
    for device_id, (missing, late) in sorted(gaps.items()):
        found.add_metric([device_id], missing)
        filled.add_metric([device_id], late)
        now.add_metric([device_id], missing - late)
    yield from (found, filled, now)


def _alert_metrics(raised: dict[tuple[str, str], int], unacknowledged: int) -> Iterator[Metric]:
    active = _gauge("alerts_active", "Alerts raised now, by kind and severity", ["kind", "severity"])
    counts = {(rule.value, severity.value): 0 for rule, severity in SEVERITY.items()}
    counts.update(raised)
    for (kind, severity), count in sorted(counts.items()):
        active.add_metric([kind, severity], float(count))
    yield active
    unacked = _gauge("alerts_unacknowledged", "Alerts raised now that nobody has acknowledged", [])
    unacked.add_metric([], float(unacknowledged))
    yield unacked


def _queue_metrics(summary: QueueSummary, phases: dict[str, int], kpis: Kpis) -> Iterator[Metric]:
    waiting = _gauge("queue_waiting", "Calls waiting or ringing, by skill", ["skill"])
    available = _gauge("queue_agents_available", "Agents free to take a call, by skill", ["skill"])
    staffed = _gauge("queue_agents_staffed", "Agents signed in and not away, by skill", ["skill"])
    longest = _gauge("queue_longest_wait_seconds", "Wait of the longest-waiting call, by skill", ["skill"])
    expected = _gauge("queue_expected_wait_seconds", "Expected wait of a call made now, by skill", ["skill"])
    for skill, queue in sorted(summary.skills.items()):
        waiting.add_metric([skill], queue.waiting)
        available.add_metric([skill], queue.agents_available)
        staffed.add_metric([skill], queue.agents_staffed)
        longest.add_metric([skill], queue.longest_wait_s)
        if queue.expected_wait_s is not None:
            expected.add_metric([skill], queue.expected_wait_s)
    yield from (waiting, available, staffed, longest, expected)
    agents = _gauge("agents_available", "Agents free to take a call", [])
    agents.add_metric([], summary.agents_available)
    agents_staffed = _gauge("agents_staffed", "Agents signed in and not away", [])
    agents_staffed.add_metric([], summary.agents_staffed)
    calls = _gauge("calls_in_progress", "Calls not ended, by phase (waiting, ringing, connected)", ["phase"])
    for phase, count in phases.items():
        calls.add_metric([phase], count)
    yield from (agents, agents_staffed, calls)
    today = _gauge("calls_today", "Today's calls by outcome (the site's local day)", ["outcome"])
    for outcome, count in (("offered", kpis.offered), ("answered", kpis.answered), ("abandoned", kpis.abandoned)):
        today.add_metric([outcome], count)
    yield today
    level = _gauge("service_level_today", "Share of today's offered calls answered within the target", [])
    if summary.service_level_today is not None:  # no calls offered yet: no figure rather than a made-up one
        level.add_metric([], summary.service_level_today)
    yield level


def _feed_metrics(feeds: list[FeedView], now: float) -> Iterator[Metric]:
    age = _gauge("flight_feed_age_seconds", "Seconds since the feed last delivered", ["feed"])
    stale = _gauge("flight_feed_stale", "1 when the feed has been silent too long (or never delivered)", ["feed"])
    for feed in feeds:
        if feed["ok_at"] is not None:
            age.add_metric([feed["name"]], max(0.0, now - feed["ok_at"]))
        stale.add_metric([feed["name"]], 1.0 if feed["stale"] else 0.0)
    yield from (age, stale)


# --- the route ---------------------------------------------------------------------------------------------


def metrics_registry(sources: MetricSources) -> CollectorRegistry:
    """A registry of central's figures (for anything that wants prometheus-client's own interface)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(CentralCollector(sources))
    return registry


@dataclass(frozen=True)
class MetricsEndpoint:
    sources: MetricSources
    token: str | None


METRICS_KEY = web.AppKey("metrics", MetricsEndpoint)


def add_metrics_route(app: web.Application, sources: MetricSources, settings: MetricsSection) -> None:
    """``GET /metrics`` (see the module's docstring for who may read it)."""
    token = settings.token.get_secret_value() if settings.token is not None else None
    app[METRICS_KEY] = MetricsEndpoint(sources, token or None)
    app.router.add_get("/metrics", _metrics)


async def _metrics(request: web.Request) -> web.StreamResponse:
    endpoint = request.app[METRICS_KEY]
    if endpoint.token is not None:
        sent = request.headers.get("Authorization", "")
        if not hmac.compare_digest(sent.encode(), f"Bearer {endpoint.token}".encode()):
            raise web.HTTPUnauthorized(text="send Authorization: Bearer <[metrics] token>")
    elif not _local_scraper(request):
        raise web.HTTPForbidden(text="/metrics answers this machine only; set [metrics] token to scrape from afar")
    # read on the loop, where central's state changes; made into text in a thread: with 2,000 devices the
    # families and their text take several times longer to build than the figures to read
    readings = read(endpoint.sources)
    body = await asyncio.to_thread(exposition, readings)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


class _Read(Collector):
    def __init__(self, readings: Readings) -> None:
        self._readings = readings

    def collect(self) -> Iterator[Metric]:
        return families(self._readings)


def exposition(readings: Readings) -> bytes:
    """The Prometheus text of one scrape."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Read(readings))
    return generate_latest(registry)


def _local_scraper(request: web.Request) -> bool:
    """A peer on loopback that is not a proxy passing on someone else's request."""
    if any(name in request.headers for name in FORWARDING_HEADERS):
        return False
    try:
        return ipaddress.ip_address(request.remote or "").is_loopback
    except ValueError:
        return False
