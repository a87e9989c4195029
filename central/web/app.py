"""The aiohttp application: the facilities page, the agent console, the wallboard, their static files and
APIs, and a health check."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from central.accounts import Role
from central.metrics import add_metrics_route
from central.web.access import add_access_routes, require
from central.web.agent import AgentDesk, add_agent_routes
from central.web.alerts import add_alert_routes
from central.web.cases import add_case_routes
from central.web.cases_public import add_case_public_routes
from central.web.console import console_socket
from central.web.fleet_api import FleetDesk, add_fleet_routes
from central.web.kb import add_kb_routes
from central.web.live import FEED_KEY, FleetFeed, fleet_events
from central.web.monitor import MonitorDesk, add_monitor_routes
from central.web.pages import STATIC_DIR, add_page
from central.web.phone import PhoneDesk
from central.web.phone_pages import add_phone_routes
from central.web.policy import POLICY_KEY, WebPolicy, check_host
from central.web.reports import add_report_routes
from central.web.security import add_security_headers
from central.web.wallboard import WallboardFeed, add_wallboard_routes

if TYPE_CHECKING:
    from central.alerts.book import AlertBook
    from central.cases.desk import CaseDesk
    from central.flights.service import FlightService
    from central.kb import KnowledgeBase
    from central.metrics import MetricSources, MetricsSection
    from central.points.web import PointPages
    from central.reports import ReportBook

PAGES = ("/facilities", "/facilities/device", "/agent", "/wallboard", "/kb", "/reports", "/cases")
# How the app is served. A page that goes away cancels its handler at once, so an event stream's place
# (and its queued snapshot) is freed then, not at the stream's next keep-alive write.
HANDLER_CANCELLATION = True


def create_app(
    feed: FleetFeed,
    desk: AgentDesk | None = None,
    wallboard: WallboardFeed | None = None,
    flights: FlightService | None = None,
    policy: WebPolicy | None = None,
    points: PointPages | None = None,
    alerts: AlertBook | None = None,
    metrics: tuple[MetricSources, MetricsSection] | None = None,
    fleet_desk: FleetDesk | None = None,
    phones: PhoneDesk | None = None,
    kb: KnowledgeBase | None = None,
    reports: ReportBook | None = None,
    cases: tuple[CaseDesk, int] | None = None,
    monitor: MonitorDesk | None = None,
) -> web.Application:
    """Routes: ``/`` (redirect), ``/facilities``, ``/static/*``, ``/api/fleet``, ``/api/fleet/events``,
    ``/healthz``; with a desk the agent console's (``/agent``, ``/api/agent/*``), with a wallboard feed
    the wallboard's (``/wallboard``, ``/api/wallboard``, ``/api/wallboard/events``), with flights the boards'
    (``/api/flights``, ``/flight/{id}``, ``/api/feeds/aidx``; see :mod:`central.flights.web`), with points the
    info points' (``/p/{id}``, ``/api/points/…``, ``/api/demand``; see :mod:`central.points.web`), with an alert
    book the alert list's (``/api/alerts``, see :mod:`central.web.alerts`), with metric sources ``/metrics``, with
    a fleet desk the device page's (``/facilities/device``, ``/api/fleet/devices/*``, ``/api/fleet/uploads``), with
    phones the phone's video help (``/p/{point}/call``, ``/h/{token}``, ``/ws/phone``; see
    :mod:`central.web.phone_pages`), with a knowledge base its page and search (``/kb``, ``/api/kb/*``; see
    :mod:`central.web.kb`), with a report book the supervisors' reports (``/reports``, ``/api/reports``,
    ``/api/reports.csv``; see :mod:`central.web.reports`), with a case desk (and the
    passenger pages' posts a minute per address) the cases' (``/cases``, ``/api/cases*``, ``/c/{token}``; see
    :mod:`central.web.cases`), with a monitor desk supervisors' monitoring of live calls (``/api/monitor/ws``,
    ``/api/agent/monitor/ws``; see :mod:`central.web.monitor`)."""
    app = web.Application(middlewares=[check_host])
    app[POLICY_KEY] = policy or WebPolicy()
    app[FEED_KEY] = feed
    app.router.add_get("/", _to_facilities)
    add_page(app, "/facilities", "facilities.html")
    app.router.add_get("/api/fleet", _fleet_snapshot)
    app.router.add_get("/api/fleet/events", fleet_events)
    app.router.add_get("/healthz", _healthz)
    add_access_routes(app)
    if desk is not None:
        add_agent_routes(app, desk)
        app.router.add_get("/api/agent/ws", console_socket)
    if wallboard is not None:
        add_wallboard_routes(app, wallboard)
    if flights is not None:
        flights.add_routes(app)
    if points is not None:
        points.add_routes(app)
    if alerts is not None:
        add_alert_routes(app, alerts)
    if metrics is not None:
        add_metrics_route(app, *metrics)
    if fleet_desk is not None:
        add_fleet_routes(app, fleet_desk)
    if phones is not None:
        add_phone_routes(app, phones)
    if kb is not None:
        add_kb_routes(app, kb)
    if reports is not None:
        add_report_routes(app, reports)
    if cases is not None:
        add_case_routes(app, cases[0])
        add_case_public_routes(app, cases[1])
    if monitor is not None and desk is not None:
        add_monitor_routes(app, monitor)
    app.router.add_static("/static/", STATIC_DIR, show_index=False, follow_symlinks=False)
    app.on_response_prepare.append(add_security_headers)
    app.on_response_prepare.append(_revalidate_static)
    app.on_shutdown.append(_end_streams)
    return app


async def _to_facilities(request: web.Request) -> web.StreamResponse:
    raise web.HTTPFound(request.rel_url.with_path("/facilities").with_query(request.rel_url.query))


async def _fleet_snapshot(request: web.Request) -> web.StreamResponse:
    require(request, Role.FACILITIES.value)
    return web.json_response(request.app[FEED_KEY].snapshot())


async def _healthz(request: web.Request) -> web.StreamResponse:
    return web.json_response({"ok": True, "bus": request.app[FEED_KEY].bus_state()})


async def _revalidate_static(request: web.Request, response: web.StreamResponse) -> None:
    """No build step means no hashed file names: browsers must revalidate so an upgrade shows at once."""
    if request.path in PAGES or request.path.startswith("/static/"):
        response.headers.setdefault("Cache-Control", "no-cache")


async def _end_streams(app: web.Application) -> None:
    app[FEED_KEY].close()
