"""``CentralService``: the bus link, the fleet state, the switchboard with its adapters and the web pages,
started and stopped together."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from urllib.parse import urlsplit

from aiohttp import web

from bus.codec import encode
from bus.link import BusLink, LinkState, Publication
from bus.loop_link import LoopLink
from bus.messages.central import CentralStatus
from bus.messages.device import DeviceHealth, OfflineReason
from bus.messages.flights import Direction
from bus.topics import TopicKind, Topics
from central.accounts import AgentAccounts
from central.alerts.fleet_alerts import FleetAlerts
from central.calls import DeviceCallers, QueuePublisher, SwitchboardTimer
from central.calls.devices import DEVICE_KIND
from central.cases.desk import CaseDesk
from central.cases.store import SqliteCaseStore, open_case_store
from central.demand import (
    BoardNumbers,
    BookAlertSink,
    CategoriesCounted,
    DemandCounter,
    DemandSettings,
    DemandWatch,
    KioskLookupsCounted,
)
from central.device_events import DeviceEventLog, EventsGathered
from central.event_seqs import EVENT_SEQS_FILE, EventSeqs
from central.fleet import FleetState
from central.fleet_commands import FleetCommands
from central.fleet_history import HISTORY_FILE, HealthHistory
from central.fleet_uploads import UploadStore, UploadTokens
from central.flights.service import FlightService
from central.gate import DeviceGate
from central.kb import ArticleStore, KnowledgeBase, open_article_store
from central.live_calls import LIVE_CALLS_FILE, SqliteLiveCalls, open_live_calls
from central.metrics import MetricSources
from central.points.counts import COUNTS_FILE, PointCounts
from central.points.registry import PointRegistry, load_registry
from central.points.web import FlightFinder, PointPages
from central.records import SqliteCallStore
from central.records.postgres import is_postgres
from central.registry import DeviceRegistry, registry_place
from central.reports import ReportBook
from central.retained import RetainedKeeper
from central.settings import CentralSettings
from central.switchboard import CallStore, Switchboard
from central.switchboard.live_store import LiveCallStore
from central.web.agent import AgentDesk
from central.web.agent_sessions import AgentSessions, SessionFile
from central.web.app import HANDLER_CANCELLATION, create_app
from central.web.fleet_api import FleetDesk, event_view
from central.web.live import FleetFeed
from central.web.monitor import MonitorDesk
from central.web.phone import PhoneDesk
from central.web.policy import web_policy
from central.web.wallboard import WallboardFeed
from config.background import stop_task
from config.version import program_version

log = logging.getLogger(__name__)

HTTP_SHUTDOWN_TIMEOUT_S = 5.0
SILENCE_CHECK_MAX_S = 5.0
HISTORY_FLUSH_S = 15.0
CALL_STORE_FILE = "central.sqlite3"
ACCOUNTS_FILE = "agents.sqlite3"
SESSIONS_FILE = "sessions.sqlite3"
KB_FILE = "kb.sqlite3"
CASES_FILE = "cases.sqlite3"
SQLITE_URL_PREFIX = "sqlite:///"


class StoreUrlError(ValueError):
    """``[store] url`` names a database this version cannot use."""


def call_store_path(settings: CentralSettings) -> Path:
    """Where the call records live: ``[store] url`` (``sqlite:///PATH``), else a file in the state dir."""
    url = settings.store.url
    if not url:
        return settings.app.state_dir / CALL_STORE_FILE
    if url.startswith(SQLITE_URL_PREFIX) and len(url) > len(SQLITE_URL_PREFIX):
        return Path(url.removeprefix(SQLITE_URL_PREFIX))
    raise StoreUrlError("store.url: only sqlite:///PATH or postgresql://... is supported (or leave it empty)")


def call_store_place(settings: CentralSettings) -> Path | str:
    """The call records' SQLite file, or the PostgreSQL URL that ``[store] url`` names."""
    return settings.store.url if is_postgres(settings.store.url) else call_store_path(settings)


def open_call_store(settings: CentralSettings) -> CallStore:
    place = call_store_place(settings)
    if isinstance(place, str):
        from central.records.pg_calls import PgCallStore  # psycopg: only where PostgreSQL is used

        return PgCallStore(place)
    return SqliteCallStore(place)


def store_place(settings: CentralSettings, file: str) -> Path | str:
    """Where a store lives: the PostgreSQL database ``[store] url`` names (every store shares it), else its
    ``file`` in the state dir."""
    return settings.store.url if is_postgres(settings.store.url) else settings.app.state_dir / file


def accounts_path(settings: CentralSettings) -> Path | str:
    """The agent accounts' file, in the state dir (``central agent …`` manages it); the PostgreSQL URL
    when ``[store] url`` names one."""
    return settings.store.url if is_postgres(settings.store.url) else settings.app.state_dir / ACCOUNTS_FILE


class CentralService:
    """Central's presence on the bus (birth, Last Will, shutdown), the fleet it sees, the switchboard, and
    its pages."""

    def __init__(self, settings: CentralSettings, version: str | None = None) -> None:
        self._settings = settings
        self._version = version if version is not None else program_version()
        self.topics = Topics(settings.bus.topic_root)
        # a fixed id and a kept session: the broker queues device events for central while it is away
        self.client_id = settings.bus.central_client_id
        self._status_topic = self.topics.site(TopicKind.CENTRAL_STATUS)
        # the network on the loop, no thread: with thousands of devices the thread's hand-off per message was
        # most of central's CPU (bus/loop_link.py, bench.fleet)
        self.link: BusLink = LoopLink(
            settings.bus,
            self.client_id,
            will=self._status(False, OfflineReason.LOST),
            clean_session=not settings.bus.persistent_session,
        )
        self.events = DeviceEventLog(self.topics)
        self.fleet = FleetState(self.topics, settings.fleet.stale_after_s, max_devices=settings.fleet.max_devices)
        self.feed = FleetFeed(
            self.fleet,
            settings.bus.site,
            lambda: self.link.state.value,
            bus_risks=[risk.value for risk in settings.bus.risks],
        )
        self._runner: web.AppRunner | None = None
        self._silence_task: asyncio.Task[None] | None = None
        self._http_port: int | None = None
        self.flights = FlightService(settings.feeds, settings.bus.site, self.link, self.topics)
        self.alerts = FleetAlerts(
            settings.alerts,
            self.fleet,
            self.events,
            self.link,
            self.topics,
            self.flights.feed_views,
            settings.feeds.stale_after_s,
        )
        # opened by start(): they are files in the state dir
        self.switchboard: Switchboard | None = None
        self._store: CallStore | None = None
        self._live_calls: LiveCallStore | None = None
        self._accounts: AgentAccounts | None = None
        self._publisher: QueuePublisher | None = None
        self._timer: SwitchboardTimer | None = None
        self._wallboard: WallboardFeed | None = None
        self._registry: DeviceRegistry | None = None
        self._event_seqs: EventSeqs | None = None
        self._session_file: SessionFile | None = None
        self._kb_store: ArticleStore | None = None
        self.retained = RetainedKeeper(self.link)
        self.gate: DeviceGate | None = None
        demand = settings.demand
        self.demand = DemandWatch(
            DemandCounter(
                DemandSettings(demand.window_s, demand.baseline_s, demand.factor, demand.clear_factor, demand.min_count)
            ),
            BookAlertSink(self.alerts.book),
            time.time,
            demand.check_s,
        )
        publisher = self.flights.publisher  # a kiosk's flight lookups count toward demand alerts too
        on_board = BoardNumbers(lambda: [publisher.snapshot(direction) for direction in Direction])
        self.events.add_listener(KioskLookupsCounted(self.demand.count, on_board, time.monotonic))
        self.points: PointRegistry | None = None  # read by start(): a bad file is a start error
        self.point_counts: PointCounts | None = None
        self.upload_tokens = UploadTokens()
        self.commands = FleetCommands(
            self.link, self.topics, self.upload_tokens, settings.fleet.command_timeout_s, self._upload_base_url
        )
        self.commands.add_listener(lambda view: self.feed.broadcast("command", view))
        # gathered like the device changes: one write per page per burst, not one per event
        self._events_to_pages = EventsGathered(
            lambda gathered: self.feed.broadcast_each(
                "device_event", [{"device": device, "event": event_view(event)} for device, event in gathered]
            ),
            self.feed.flush_s,
        )
        self.events.add_listener(self._events_to_pages)
        self.history: HealthHistory | None = None  # a file in the state dir: opened by start()
        self._history_task: asyncio.Task[None] | None = None
        self.cases: CaseDesk | None = None  # a file in the state dir: opened by start()
        self._case_store: SqliteCaseStore | None = None
        self._case_task: asyncio.Task[None] | None = None

    @property
    def http_port(self) -> int:
        """The port the pages are served on (the real one when ``[http] port`` is 0)."""
        if self._http_port is None:
            raise RuntimeError("CentralService is not started")
        return self._http_port

    @property
    def base_url(self) -> str:
        host = self._settings.http.host
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{self.http_port}"

    @property
    def facilities_url(self) -> str:
        return f"{self.base_url}/facilities"

    @property
    def agent_url(self) -> str:
        return f"{self.base_url}/agent"

    @property
    def wallboard_url(self) -> str:
        return f"{self.base_url}/wallboard"

    def point_url(self, point_id: str) -> str:
        """A point's phone page as this central serves it (the posters use ``[http] public_url``)."""
        return f"{self.base_url}/p/{point_id}"

    def _upload_base_url(self) -> str:
        """Where devices send screenshots and logs: ``[fleet] upload_base_url``, else ``public_url``, else ours."""
        return self._settings.fleet.upload_base_url or self._settings.http.public_url or self.base_url

    def _point_name(self, point_id: str) -> str | None:
        """An info point's name in both languages, as an agent reads it beside the caller's place."""
        point = self.points.get(point_id) if self.points is not None else None
        return None if point is None else f"{point.name.zh} · {point.name.en}"

    def _open_fleet_desk(self) -> FleetDesk:
        settings = self._settings
        url = settings.store.url
        self.history = history = HealthHistory(url if is_postgres(url) else settings.app.state_dir / HISTORY_FILE)
        self.fleet.add_health_listener(self._record_health)
        return FleetDesk(
            commands=self.commands,
            events=self.events,
            history=history,
            tokens=self.upload_tokens,
            uploads=UploadStore(settings.app.state_dir, settings.fleet.keep_uploads),
            upload_max_bytes=settings.fleet.upload_max_bytes,
        )

    def _record_health(self, device_id: str, health: DeviceHealth) -> None:
        """Each new health report once into the history, as it came (no view built for it)."""
        if self.history is not None:
            self.history.record(
                device_id, health.cpu_percent, health.memory_percent, health.temperature_c, health.broker_rtt_ms
            )

    def _unsaved(self) -> dict[str, int]:
        """What central's full disk refused, per store, kept in memory until there is room (docs/faults.md)."""
        unsaved: dict[str, int] = {}
        if isinstance(self._store, SqliteCallStore):
            unsaved["call_records"] = self._store.unsaved
        if isinstance(self._live_calls, SqliteLiveCalls):  # a PostgreSQL server's disk is its own to watch
            unsaved["live_calls"] = self._live_calls.unsaved
        if self.history is not None:
            unsaved["fleet_history"] = self.history.unsaved
        if self._event_seqs is not None:
            unsaved["device_event_seqs"] = self.events.unsaved
        return unsaved

    async def _keep_history(self) -> None:
        while True:
            await asyncio.sleep(HISTORY_FLUSH_S)
            if self.history is not None:
                self.history.flush()

    def _open_calls(self) -> tuple[AgentDesk, WallboardFeed]:
        """The switchboard on its call store, its adapters on the bus, the agent desk and the wallboard."""
        settings = self._settings
        self._store = open_call_store(settings)
        self._accounts = AgentAccounts(accounts_path(settings))
        # waiting callers keep their places and calls in progress are recorded over a restart (docs/faults.md)
        self._live_calls = open_live_calls(store_place(settings, LIVE_CALLS_FILE))
        switchboard = Switchboard(settings.calls, time.time, CategoriesCounted(self._store, self.demand.count))
        self.switchboard = switchboard
        callers = DeviceCallers(self.link, self.topics, switchboard, self.gate)
        switchboard.keep_live_calls(
            self._live_calls, lambda kind, caller_id: callers.channel(caller_id) if kind == DEVICE_KIND else None
        )
        self._publisher = QueuePublisher(self.link, self.topics, switchboard, publish=self.retained.publish)
        callers.start()
        self._publisher.start()
        self._timer = SwitchboardTimer(switchboard)
        self._wallboard = WallboardFeed(switchboard, settings.bus.site)
        self._wallboard.start()
        # sessions outlive a restart of central: agents' consoles and staff pages carry on without a sign-in
        self._session_file = SessionFile(
            settings.store.url if is_postgres(settings.store.url) else settings.app.state_dir / SESSIONS_FILE
        )
        desk = AgentDesk(
            switchboard=switchboard,
            accounts=self._accounts,
            ice_servers=list(settings.calls.ice_servers),
            sessions=AgentSessions(file=self._session_file),
        )
        return desk, self._wallboard

    def _open_monitor(self, desk: AgentDesk) -> MonitorDesk:
        """Supervisors monitoring live calls from the wallboard; a monitoring ends with its call."""
        monitor = MonitorDesk(desk.switchboard, self._settings.monitor)
        monitor.start()
        return monitor

    def _open_cases(self) -> CaseDesk:
        """Follow-up cases on their store; overdue ones go to the alert book."""
        settings = self._settings.cases
        url = self._settings.store.url
        self._case_store = open_case_store(url if is_postgres(url) else self._settings.app.state_dir / CASES_FILE)
        self.cases = CaseDesk(
            self._case_store,
            settings.category_list(),
            time.time,
            self.alerts.book,
            phone_keep_s=settings.phone_keep_days * 86400,
        )
        return self.cases

    async def _watch_cases(self, desk: CaseDesk) -> None:
        while True:
            try:
                desk.check()
            except Exception:
                log.exception("the look at overdue cases failed")
            await asyncio.sleep(self._settings.cases.check_s)

    async def start(self) -> None:
        """Serve the pages, then connect to the broker in the background (it may well be down)."""
        self._settings.app.prepare_state_dir()
        self.points = load_registry(self._settings.points.file)
        self.point_counts = PointCounts(store_place(self._settings, COUNTS_FILE))
        self._registry = DeviceRegistry(registry_place(self._settings))
        # before the broker connects: the events every device sends again after a reconnect are repeats after
        # central's restart too (central/event_seqs.py)
        self._event_seqs = EventSeqs(store_place(self._settings, EVENT_SEQS_FILE))
        link = self.link
        self.events.keep_in(self._event_seqs, link.add_before_acks if isinstance(link, LoopLink) else None)
        self.gate = DeviceGate(self.topics, self._registry.admits)
        if self._registry.enforcing:
            log.info("taking calls and fleet entries from the %d registered devices only", len(self._registry.list()))
        desk, wallboard = self._open_calls()
        http = self._settings.http
        policy = web_policy(
            http.host,
            http.public_url,
            http.allowed_hosts,
            http.trusted_proxies,
            http.max_event_streams_per_address,
            http.max_event_streams,
        )
        publisher = self.flights.publisher
        points = PointPages(
            self.points,
            http.public_url,
            FlightFinder(lambda: [publisher.snapshot(direction) for direction in Direction]),
            demand=self.demand.count,
            demand_view=self.demand.view,
            flight_of=publisher.flight,
            counts=self.point_counts,
        )
        alerts = self.alerts
        sources = MetricSources(
            self.fleet, alerts.book, alerts.gaps, self.switchboard, self.flights.feed_views, unsaved=self._unsaved
        )
        metrics = (sources, self._settings.metrics)
        self._kb_store = open_article_store(store_place(self._settings, KB_FILE))
        app = create_app(
            self.feed,
            desk,
            wallboard,
            self.flights,
            policy,
            points=points,
            alerts=alerts.book,
            metrics=metrics,
            fleet_desk=self._open_fleet_desk(),
            phones=PhoneDesk(desk.switchboard, point_names=self._point_name),
            kb=KnowledgeBase(self._kb_store, self.demand.count),
            reports=ReportBook(
                call_store_place(self._settings),
                self._settings.calls.zone,
                self._settings.calls.service_level_s,
                self._settings.calls.short_abandon_s,
            ),
            cases=(self._open_cases(), self._settings.cases.passenger_posts_per_minute),
            monitor=self._open_monitor(desk),
        )
        runner = web.AppRunner(
            app, access_log=None, shutdown_timeout=HTTP_SHUTDOWN_TIMEOUT_S, handler_cancellation=HANDLER_CANCELLATION
        )
        await runner.setup()
        try:
            site = web.TCPSite(runner, self._settings.http.host, self._settings.http.port)
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self._http_port = int(runner.addresses[0][1])

        self.link.add_connected_listener(self._publish_birth)
        self.link.add_state_listener(lambda state, _detail: self.feed.bus_changed(state.value))
        # status and health at QoS 0: both are retained and each message replaces the last, so after every
        # (re)connect the broker sends the latest of each device anyway. At QoS 1 the broker holds them in
        # central's queue (Mosquitto's max_queued_messages, 1000 by default): the retained statuses of more
        # devices than that, sent together at the subscribe, were cut off there (central saw 1,020 of 2,031),
        # and health queued while central is away would push out the events it is kept for. QoS 0 also spares
        # a PUBACK per message. The call adapters subscribe status too, before this (same QoS: see there).
        self.link.subscribe(
            self.topics.every_device(TopicKind.DEVICE_STATUS), self.gate.guard(self.fleet.handle), qos=0
        )
        self.link.subscribe(
            self.topics.every_device(TopicKind.DEVICE_HEALTH), self.gate.guard(self.fleet.handle), qos=0
        )
        self.link.subscribe(self.topics.every_device(TopicKind.DEVICE_EVENT), self.gate.guard(self.events.handle))
        self.link.subscribe(self.topics.every_device(TopicKind.COMMAND_REPLY), self.gate.guard(self.commands.handle))
        self.flights.start()
        self.demand.start()
        self.point_counts.start()
        await self.link.start()
        self._silence_task = asyncio.create_task(self._watch_silence(), name="fleet-silence")
        self.alerts.start()
        self._history_task = asyncio.create_task(self._keep_history(), name="fleet-history")
        if self.cases is not None:
            self._case_task = asyncio.create_task(self._watch_cases(self.cases), name="case-watch")
        if self._timer is not None:
            self._timer.start()
        log.info("central %s serving %s, bus client %s", self._version, self.base_url, self.client_id)
        if (urlsplit(self._upload_base_url()).hostname or "") in ("0.0.0.0", "::", ""):  # noqa: S104
            log.warning(
                "devices cannot upload screenshots or logs to %s: set [fleet] upload_base_url or [http] public_url",
                self._upload_base_url(),
            )

    async def stop(self) -> None:
        """Close the pages (an open console's call ends for its caller), publish the ``shutdown`` status,
        close the broker connection, then the files."""
        await stop_task(self._silence_task)
        self._silence_task = None
        await self.alerts.stop()
        await stop_task(self._history_task)
        self._history_task = None
        await stop_task(self._case_task)
        self._case_task = None
        self.commands.close()
        if self._timer is not None:
            await self._timer.stop()
        await self.demand.stop()
        if self._runner is not None:
            self._events_to_pages.flush()  # the last events to the pages before they are told the end
            self.feed.close()
            await self._runner.cleanup()
            self._runner = None
        if self.point_counts is not None:
            await self.point_counts.stop()  # after the pages: no view comes in after the last save
        if self._publisher is not None:
            self._publisher.close()
        self.retained.close()
        await self.flights.stop()
        await self.link.stop(last_words=self._status(False, OfflineReason.SHUTDOWN))
        if self._event_seqs is not None:
            self.events.flush()  # the last repeat counts; no event comes in after the link stopped
            self._event_seqs.close()
            self._event_seqs = None
        closables = (
            self._store,
            self._live_calls,
            self._accounts,
            self._registry,
            self._session_file,
            self.history,
            self._kb_store,
            self._case_store,
        )
        for closable in closables:
            if closable is not None:
                closable.close()
        self._kb_store = None
        self._store = self._accounts = self._registry = self._session_file = self.history = None
        self._case_store = None

    @property
    def bus_state(self) -> LinkState:
        return self.link.state

    def _status(self, online: bool, reason: OfflineReason | None = None) -> Publication:
        status = CentralStatus(online=online, version=self._version, reason=reason)
        return Publication(self._status_topic, encode(status), qos=1, retain=True)

    def _publish_birth(self) -> None:
        self.retained.publish(self._status(True))

    async def _watch_silence(self) -> None:
        interval_s = min(SILENCE_CHECK_MAX_S, self.fleet.stale_after_s / 4)
        while True:
            await asyncio.sleep(interval_s)
            self.fleet.check_silence()
