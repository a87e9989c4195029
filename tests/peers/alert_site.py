"""Central's web app in process with a fleet, an alert book, a switchboard and a feed that have something
in them, for the tests of the alert list and of ``/metrics``."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from bus.messages.central import AlertSeverity
from bus.messages.device import (
    CameraHealth,
    CameraState,
    DeviceEvent,
    DeviceHealth,
    DeviceKind,
    DeviceStatus,
    PrinterHealth,
    PrinterState,
)
from bus.topics import Topics
from central.accounts import AgentAccounts, Role
from central.alerts.book import AlertBook
from central.alerts.facts import EventGaps
from central.device_events import DeviceEventLog
from central.feeds.health import FeedView
from central.fleet import FleetState
from central.metrics import MetricSources, MetricsSection
from central.switchboard import MemoryCallStore, Switchboard, SwitchboardSettings
from central.web.agent import AgentDesk
from central.web.app import HANDLER_CANCELLATION, create_app
from central.web.live import FleetFeed

PASSWORD = "correct horse battery"
ACCOUNTS = {"chen": [Role.AGENT], "fang": [Role.FACILITIES]}
TOPICS = Topics("airport/HAK")


def fill_fleet(fleet: FleetState, events: DeviceEventLog) -> None:
    """A kiosk out of paper with a camera, a signage display, a kiosk gone offline, and an event gap."""
    fleet.apply_status(
        "kiosk-t1-01", DeviceStatus(online=True, kind=DeviceKind.KIOSK, version="1.2.0", location="T1 Hall B")
    )
    fleet.apply_health(
        "kiosk-t1-01",
        DeviceHealth(
            version="1.2.0",
            cpu_percent=23.5,
            memory_percent=41.2,
            disk_percent=18.7,
            temperature_c=58.4,
            throttled=False,
            app_rss_mb=312.6,
            uptime_s=30.2,
            broker_rtt_ms=4.7,
            printer=PrinterHealth(state=PrinterState.PAPER_OUT, jobs_pending=1, jobs_held=1),
            camera=CameraHealth(state=CameraState.RUNNING, fps=15.0, last_frame_age_s=0.1),
        ),
    )
    fleet.apply_status("sign-t2-gate-3", DeviceStatus(online=True, kind=DeviceKind.SIGNAGE, location="T2 gate 3"))
    fleet.apply_status("kiosk-t1-02", DeviceStatus(online=False, kind=DeviceKind.KIOSK, location="T1 Hall C"))
    for seq in (0, 1, 5):
        events.take("kiosk-t1-01", DeviceEvent(seq=seq, name="print.done"))


class AlertSite:
    """The app with accounts ``chen`` (agent) and ``fang`` (facilities); ``/metrics`` with ``metrics``."""

    def __init__(self, tmp_path: Path, metrics: MetricsSection | None = None) -> None:
        self.accounts = AgentAccounts(tmp_path / "agents.sqlite3")
        for agent_id, roles in ACCOUNTS.items():
            self.accounts.add(agent_id, agent_id.title(), ["zh"] if Role.AGENT in roles else [], PASSWORD, roles)
        self.switchboard = Switchboard(SwitchboardSettings(), time.time, MemoryCallStore())
        self.fleet = FleetState(TOPICS, 120.0)
        self.events = DeviceEventLog(TOPICS)
        self.gaps = EventGaps(self.events)
        fill_fleet(self.fleet, self.events)
        self.book = AlertBook()
        self.book.raised(
            "paper_out:kiosk-t1-01", "paper_out", AlertSeverity.CRITICAL, "kiosk-t1-01", "Printer out of paper"
        )
        self.feed = FleetFeed(self.fleet, "HAK", lambda: "online", keepalive_s=0.5)
        feeds = [FeedView(name="simulator", ok_at=time.time() - 12.0, error="", rejected=0, stale=False)]
        sources = MetricSources(self.fleet, self.book, self.gaps, self.switchboard, lambda: feeds)
        app = create_app(
            self.feed,
            AgentDesk(self.switchboard, self.accounts),
            alerts=self.book,
            metrics=(sources, metrics or MetricsSection()),
        )
        self.server = TestServer(app, handler_cancellation=HANDLER_CANCELLATION)

    async def start(self) -> None:
        await self.server.start_server()

    async def close(self) -> None:
        await self.server.close()
        self.accounts.close()

    def browser(self) -> TestClient[Any, Any]:
        return TestClient(self.server)

    async def signed_in(self, who: str) -> TestClient[Any, Any]:
        browser = self.browser()
        await browser.start_server()
        answer = await browser.post("/api/agent/login", json={"agent_id": who, "password": PASSWORD})
        assert answer.status == 200
        return browser
